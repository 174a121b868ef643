import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { OBJECT_EVENTS_TOPIC } from '../../src/adapters/local/disk-object-store.ts';
import { TestStratus } from '../support/stratus.ts';

/**
 * `npm run admin -- <args>` on the test's data folder, as an operator would run it beside
 * Stratus (in another process, while this one keeps serving).
 */
function adminCommand(s: TestStratus, ...args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...args],
      { env: { ...process.env, DATA_DIR: s.dataDir, LOG_LEVEL: 'silent' } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe('operator console API: admins only, user actions, data, queue, outbox, metrics, audit', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ RATE_LIMIT_PER_USER: '1000', RATE_LIMIT_PER_ADDRESS: '1000' });
  });
  after(() => s.stop());

  test('everyone but an admin gets 401 or 403 on every operator route; npm run admin grants and revokes at once', async () => {
    const spec = (await s.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/v1/admin/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => [method.toUpperCase(), path.replace(/\{[^}]+\}/g, '1')] as const),
      );
    assert.ok(routes.length >= 11, `the operator routes are in the API description (${routes.length})`);
    const { accessToken } = await s.newUser('plain@example.com');
    for (const [method, path] of routes) {
      assert.equal((await s.request(method, `${path}?partition=x`)).status, 401, `${method} ${path} signed out`);
      const asUser = await s.request(method, `${path}?partition=x`, { token: accessToken });
      assert.equal(asUser.status, 403, `${method} ${path} as a plain user`);
    }

    assert.equal((await adminCommand(s, 'grant')).status, 64, 'usage');
    assert.match((await adminCommand(s, 'grant', 'nobody@example.com')).out, /No account uses nobody@example.com/);
    const granted = await adminCommand(s, 'grant', 'plain@example.com');
    assert.equal(granted.status, 0, granted.out);
    // The same token, at once: membership is checked against the user pool, not the token.
    assert.equal((await s.request('GET', '/v1/admin/users', { token: accessToken })).status, 200);
    assert.match((await adminCommand(s, 'list')).out, /plain@example\.com/);
    const fresh = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'plain@example.com', password: 'a long and unusual passphrase' },
    });
    const claims = JSON.parse(Buffer.from(fresh.body.accessToken.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims['cognito:groups'], ['admins'], 'the token shows the group, for the web app');
    assert.equal((await adminCommand(s, 'revoke', 'plain@example.com')).status, 0);
    assert.equal((await s.request('GET', '/v1/admin/users', { token: accessToken })).status, 403);
  });

  test('an admin finds, disables, enables, signs out and deletes users; each action is audited with who, when and from where', async () => {
    const admin = await s.newUser('root@example.com', undefined, 'Root');
    await adminCommand(s, 'grant', 'root@example.com');
    const token = admin.accessToken;
    const target = await s.newUser('target@example.com', undefined, 'Tara Get');
    const search = await s.request('GET', '/v1/admin/users?query=tara', { token });
    assert.deepEqual(
      search.body.users.map((u: { email: string }) => u.email),
      ['target@example.com'],
      'found by a part of the name',
    );
    const sub = search.body.users[0].sub as string;
    assert.equal(
      (await s.request('GET', '/v1/admin/users?query=targ', { token })).body.users.length,
      1,
      'by email prefix',
    );
    assert.equal((await s.request('GET', '/v1/admin/users?limit=500', { token })).status, 400);

    s.clock.advance(1000); // sessions end for tokens issued before this second
    const disabled = await s.request('POST', `/v1/admin/users/${sub}/disable`, { token });
    assert.equal(disabled.body.enabled, false);
    assert.equal((await s.request('GET', '/v1/me', { token: target.accessToken })).status, 401, 'its session ended');
    const refused = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'target@example.com', password: 'a long and unusual passphrase' },
    });
    assert.equal(refused.status, 401);
    assert.match(refused.body.detail, /disabled/);
    assert.equal(
      (await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: target.refreshToken } })).status,
      401,
    );
    assert.equal((await s.request('POST', `/v1/admin/users/${sub}/enable`, { token })).body.enabled, true);
    const back = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'target@example.com', password: 'a long and unusual passphrase' },
    });
    assert.equal(back.status, 200);
    s.clock.advance(1000);
    await s.request('POST', `/v1/admin/users/${sub}/sign-out`, { token });
    assert.equal((await s.request('GET', '/v1/me', { token: back.body.accessToken })).status, 401);

    const me = (await s.request('GET', '/v1/me', { token })).body.sub as string;
    assert.equal((await s.request('POST', `/v1/admin/users/${me}/disable`, { token })).status, 409, 'not yourself');
    assert.equal((await s.request('POST', '/v1/admin/users/no-such-user/disable', { token })).status, 404);
    assert.equal((await s.request('DELETE', `/v1/admin/users/${sub}`, { token })).status, 204);
    await s.runtime.dispatcher.drain();
    assert.deepEqual((await s.request('GET', '/v1/admin/users?query=target', { token })).body.users, []);

    const audit = await s.request('GET', '/v1/admin/audit', { token, headers: { 'user-agent': 'console-test' } });
    assert.deepEqual(audit.body.chain, { intact: true });
    const mine = audit.body.entries.filter((e: { actor: { sub: string } }) => e.actor.sub === me);
    assert.deepEqual(
      mine.map((e: { action: string }) => e.action),
      ['user.delete', 'user.sign-out', 'user.enable', 'user.disable'],
    );
    assert.equal(mine[0].target, sub);
    assert.equal(mine[0].actor.email, 'root@example.com');
    assert.equal(mine[0].origin.address, '127.0.0.1');
    assert.ok(Date.parse(mine[0].at) > 0);
    assert.ok(
      audit.body.entries.some((e: { action: string }) => e.action === 'admin.grant'),
      'the grant too',
    );
  });

  test('the audit log cannot be edited unnoticed: an entry changed in the table breaks the chain there', async () => {
    const admin = await s.newUser('auditor@example.com');
    await adminCommand(s, 'grant', 'auditor@example.com');
    const token = admin.accessToken;
    const before = await s.request('GET', '/v1/admin/audit?limit=200', { token });
    assert.deepEqual(before.body.chain, { intact: true });
    const victim = before.body.entries.at(-1) as { seq: number };
    const key = { PK: 'AUDIT', SK: `ENTRY#${String(victim.seq).padStart(12, '0')}` };
    const stored = await s.runtime.sqliteTable.get(key);
    await s.runtime.sqliteTable.put({ ...(stored as object), ...key, action: 'nothing.to.see' });
    const after = await s.request('GET', '/v1/admin/audit?limit=200', { token });
    assert.deepEqual(after.body.chain, { intact: false, at: victim.seq });
    // There is no route to change or remove an entry.
    const spec = (await s.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(spec.paths['/v1/admin/audit'] ?? {}), ['get']);
  });

  test('the data browser labels items by app; the queue, outbox and metrics are shown; dead letters replay and drop', async () => {
    const admin = await s.newUser('ops@example.com');
    await adminCommand(s, 'grant', 'ops@example.com');
    let token = admin.accessToken;
    // Retries are hours apart on the test clock: a fresh token after waiting for them.
    const signInAgain = async () =>
      (
        await s.request('POST', '/v1/auth/signin', {
          body: { email: 'ops@example.com', password: 'a long and unusual passphrase' },
        })
      ).body.accessToken as string;
    const user = await s.newUser('owner@example.com');
    await s.request('POST', '/v1/todos', { token: user.accessToken, body: { title: 'Buy milk' } });
    const sub = (await s.request('GET', '/v1/me', { token: user.accessToken })).body.sub;
    const items = await s.request('GET', `/v1/admin/items?partition=${encodeURIComponent(`USER#${sub}`)}`, { token });
    assert.equal(items.status, 200);
    const apps = new Set(items.body.items.map((i: { app: string }) => i.app));
    assert.ok(apps.has('todos') && apps.has('accounts'), [...apps].join(','));
    assert.equal((await s.request('GET', '/v1/admin/items?partition=x&index=GSI9', { token })).status, 400);

    // A malformed object event: the object handlers fail on it every time, so it ends as dead letters.
    await s.runtime.queue.enqueue(OBJECT_EVENTS_TOPIC, { poisoned: true });
    const poisoned = () => s.runtime.queue.deadLetters().filter((d) => JSON.stringify(d.payload).includes('poisoned'));
    for (let i = 0; i < 20 && poisoned().length === 0; i++) {
      s.clock.advance(3_600_000);
      await s.runtime.queue.drain();
    }
    token = await signInAgain();
    const queue = await s.request('GET', '/v1/admin/queue', { token });
    const letter = queue.body.deadLetters.find((d: { payload: unknown }) =>
      JSON.stringify(d.payload).includes('poisoned'),
    );
    assert.ok(letter, JSON.stringify(queue.body));
    assert.equal(typeof queue.body.depth, 'number');
    assert.equal(typeof queue.body.streamLag, 'object');
    assert.equal((await s.request('POST', `/v1/admin/queue/dead-letters/${letter.id}/replay`, { token })).status, 204);
    assert.equal((await s.request('POST', `/v1/admin/queue/dead-letters/${letter.id}/replay`, { token })).status, 404);
    for (let i = 0; i < 20 && !poisoned().some((d) => d.id === letter.id); i++) {
      s.clock.advance(3_600_000);
      await s.runtime.queue.drain();
    }
    assert.ok(
      poisoned().some((d) => d.id === letter.id),
      'replayed, failed again, dead again',
    );
    token = await signInAgain();
    assert.equal((await s.request('DELETE', `/v1/admin/queue/dead-letters/${letter.id}`, { token })).status, 204);
    assert.equal(
      poisoned().some((d) => d.id === letter.id),
      false,
    );

    const outbox = await s.request('GET', '/v1/admin/outbox?to=owner@example.com', { token });
    assert.match(outbox.body.messages[0].text, /\b\d{6}\b/, 'the confirmation code mail');
    // The window is the last hour of this clock, which the waits above moved on: fresh requests.
    await s.request('POST', '/v1/todos', { token, body: { title: 'Measured' } });
    await s.request('POST', '/v1/todos', { token, body: { title: '' } });
    await s.request('GET', '/health');
    await s.fetch(`${s.url}/signin`);
    const metrics = await s.request('GET', '/v1/admin/metrics', { token });
    const todos = metrics.body.routes.find((r: { route: string }) => r.route === 'POST /v1/todos');
    assert.ok(todos && todos.requests === 2 && todos.p99Ms >= todos.p50Ms, JSON.stringify(metrics.body.routes));
    assert.ok(
      metrics.body.routes.every((r: { route: string }) => /^\w+ \/(v1|graphql|\.well-known)\b/.test(r.route)),
      'only the API is measured, not the web app’s pages and assets',
    );
    assert.equal(todos.clientErrorRate, 0.5, 'the refused one');
    assert.equal(todos.errorRate, 0);
    assert.equal(metrics.body.windowMinutes, 60);
    const actions = (await s.request('GET', '/v1/admin/audit', { token })).body.entries.map(
      (e: { action: string }) => e.action,
    );
    assert.ok(actions.includes('queue.replay') && actions.includes('queue.drop'), actions.join(','));
  });
});
