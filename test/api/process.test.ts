import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

/** Starts `src/local/main.ts` as `npm start` does, and waits for it to print its URL. */
async function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

test('npm start serves HTTPS, prints its URL, and on SIGTERM exits 0 with the database closed', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-proc-'));
  const proc = await startProcess({ DATA_DIR: dataDir, PORT: '0' });
  const deadline = Date.now() + 20_000;
  while (!/running at (https:\/\/\S+)/.test(proc.output()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /running at (https:\/\/\S+)/.exec(proc.output())?.[1];
  assert.ok(url, `printed its URL: ${proc.output()}`);
  assert.ok(existsSync(join(dataDir, 'tls', 'self-signed-cert.pem')), 'made a self-signed pair in DATA_DIR');
  assert.ok(existsSync(join(dataDir, 'keys', 'token-signing-key.json')), 'made a signing key in DATA_DIR');
  // The first snapshot is taken in the background once Stratus serves.
  for (const stop = Date.now() + 10_000; !existsSync(`${dataDir}-backups`) && Date.now() < stop; ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const backupsMade = existsSync(`${dataDir}-backups`);
  proc.child.kill('SIGTERM');
  assert.equal(await proc.exited, 0);
  assert.ok(backupsMade, 'backups on by default, beside the data folder');
  // SQLite removes the WAL file when the last connection closes cleanly.
  assert.equal(existsSync(join(dataDir, 'stratus.db-wal')), false);
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}-backups`, { recursive: true, force: true });
});

test('a bad setting stops start-up with a message naming it', async () => {
  const proc = await startProcess({ PORT: 'not-a-port' });
  assert.equal(await proc.exited, 78);
  assert.match(proc.output(), /PORT: must be a number/);
});
