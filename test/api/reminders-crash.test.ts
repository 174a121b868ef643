import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { Agent, fetch } from 'undici';

/**
 * The promise of reminder delivery, tested against the real process: a kill -9 in the middle of
 * a tick loses no due reminder, and only a message whose send was in flight (received by the
 * mail server, not yet acknowledged) may come twice, with the same Message-ID.
 */

interface Received {
  messageId: string;
  subject: string;
  text: string;
}

/** An SMTP receiver that is slow to acknowledge, so a tick is caught mid-send. */
async function slowMailServer(ackDelayMs: number) {
  const delivered: Received[] = [];
  /** Received in full but not acknowledged yet: the sender cannot know they arrived. */
  const unacknowledged = new Set<string>();
  /** When each acknowledgement was written: one written just before a kill may not have been read. */
  const acknowledgedAt = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        PostalMime.parse(Buffer.concat(chunks)).then((mail) => {
          const received = { messageId: mail.messageId ?? '', subject: mail.subject ?? '', text: mail.text ?? '' };
          delivered.push(received);
          unacknowledged.add(received.messageId);
          setTimeout(() => {
            unacknowledged.delete(received.messageId);
            acknowledgedAt.set(received.messageId, Date.now());
            callback();
          }, ackDelayMs);
        }, callback);
      });
    },
  });
  // A client killed mid-conversation resets its connection: that is the point here, not a failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    /** What the sender cannot have recorded as sent: unacknowledged, or acknowledged within `graceMs`. */
    inFlight(graceMs: number): Set<string> {
      const now = Date.now();
      const recent = [...acknowledgedAt].filter(([, at]) => now - at < graceMs).map(([id]) => id);
      return new Set([...unacknowledged, ...recent]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startStratus(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', PORT: '0', SCHEDULER_TICK_SECONDS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await waitFor(
    () => /running at (https:\/\/\S+)/.exec(output)?.[1],
    30_000,
    () => output,
  );
  return { child, url };
}

async function waitFor<T>(probe: () => T | undefined, ms: number, why: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const killed = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

test('a kill -9 mid-tick loses no due reminder; only the sends in flight come twice, with the same Message-ID', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-crash-'));
  const mail = await slowMailServer(300);
  const env = { DATA_DIR: dataDir, SMTP_URL: mail.url };
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  let stratus = await startStratus(env);
  try {
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${stratus.url}${path}`, {
        method,
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, string> };
    };
    const email = 'crash@example.com';
    const password = 'a long and unusual passphrase';
    assert.equal((await call('POST', '/v1/auth/signup', { email, password, name: 'Crash' })).status, 201);
    const code = await waitFor(
      () => /\b(\d{6})\b/.exec(mail.delivered.at(-1)?.text ?? '')?.[1],
      10_000,
      () => 'code',
    );
    assert.equal((await call('POST', '/v1/auth/confirm', { email, code })).status, 200);
    const token = (await call('POST', '/v1/auth/signin', { email, password })).body.accessToken;
    const total = 24;
    const fireAt = new Date(Date.now() + 3000).toISOString();
    for (let i = 0; i < total; i++) {
      const created = await call('POST', '/v1/tasks', { title: `Crash ${i}`, reminders: [{ at: fireAt }] }, token);
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const reminders = () => mail.delivered.filter((m) => m.subject.startsWith('Reminder: Crash'));
    await waitFor(
      () => reminders().length >= 6 || undefined,
      30_000,
      () => `${reminders().length} reminders`,
    );
    // An acknowledgement written just before the kill may sit unread in the sender's socket: a
    // send is in flight until the sender has read its answer and recorded it (a few ms).
    const inFlight = mail.inFlight(250);
    stratus.child.kill('SIGKILL');
    await killed(stratus.child);
    assert.ok(reminders().length < total, 'the kill came before the tick was done');
    assert.ok(inFlight.size > 0, 'the kill came while sends were in flight');

    stratus = await startStratus(env);
    await waitFor(
      () => new Set(reminders().map((m) => m.messageId)).size >= total || undefined,
      60_000,
      () => `${new Set(reminders().map((m) => m.messageId)).size} of ${total} after the restart`,
    );
    await new Promise((r) => setTimeout(r, 2500)); // a couple more ticks: nothing else may come
    const copies = new Map<string, number>();
    for (const m of reminders()) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    assert.equal(copies.size, total, 'every due reminder was sent');
    assert.equal(new Set(reminders().map((m) => m.subject)).size, total);
    const twice = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of twice) assert.ok(inFlight.has(id), `${id} came twice but was not in flight at the kill`);
    assert.ok([...copies.values()].every((n) => n <= 2));
    console.log(`${inFlight.size} in flight at the kill; ${twice.length} sent twice; ${total} of ${total} delivered`);
  } finally {
    stratus.child.kill('SIGKILL');
    await mail.close();
    await agent.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-backups`, { recursive: true, force: true });
  }
});
