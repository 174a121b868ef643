import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { type Reply, TestStratus } from '../../../test/support/stratus.ts';

const PASSWORD = 'a long and unusual passphrase';
/** Plans basic (the default) and tiny; keyless requests: 5/s per user and 15/s per address (bursts of 10 and 30). */
const env = {
  USAGE_PLANS: 'basic:1:3:1000,tiny:100:100:5',
  RATE_LIMIT_PER_USER: '5',
  RATE_LIMIT_PER_ADDRESS: '15',
};
/** Live keys one user may hold: the api-keys service's default, which the runtime keeps. */
const MAX_ACTIVE_KEYS = 20;
/** Any signed-in, rate-limited route. */
const PROBE = '/v1/me';
/** Noon UTC, so no test crosses midnight unless it means to. */
const NOON = Date.UTC(2031, 4, 20, 12, 0, 0);
const DAY_MS = 24 * 3600 * 1000;

const KEY_SHAPE = /^stk_[A-Za-z0-9_-]{43}$/;
const aWellFormedKey = () => `stk_${randomBytes(32).toString('base64url')}`;

function assertProblem(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.headers.get('content-type'), 'application/problem+json');
  assert.equal(reply.body.code, code);
}

function rateHeaders(reply: Reply) {
  return {
    limit: reply.headers.get('ratelimit-limit'),
    remaining: reply.headers.get('ratelimit-remaining'),
    reset: reply.headers.get('ratelimit-reset'),
    policy: reply.headers.get('ratelimit-policy'),
    retryAfter: reply.headers.get('retry-after'),
  };
}

describe('api keys: create, list, revoke, and use over HTTPS', () => {
  let h: TestStratus;
  let n = 0;
  const newUser = async () => (await h.newUser(`user${++n}@example.com`, PASSWORD)).accessToken;
  const createKey = async (token: string, body: Record<string, unknown> = { name: 'script' }) => {
    const reply = await h.request('POST', '/v1/api-keys', { token, body });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body as { id: string; key: string; prefix: string; plan: string; name: string; createdAt: string };
  };

  before(async () => {
    h = await TestStratus.start(env, { clock: new TestClock(NOON) });
  });
  after(() => h.stop());
  // Every bucket is full again at the start of each test (the clock only moves when told).
  beforeEach(() => h.clock.advance(60_000));

  test('create shows the key once; the list never shows the key or its hash', async () => {
    const token = await newUser();
    const created = await h.request('POST', '/v1/api-keys', { token, body: { name: 'nightly backup' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const { id, key, prefix, plan, name, createdAt } = created.body;
    assert.match(key, KEY_SHAPE);
    assert.equal(prefix, key.slice(0, 12));
    assert.equal(plan, 'basic', 'the default plan');
    assert.equal(name, 'nightly backup');
    assert.equal(createdAt, new Date(h.clock.now()).toISOString());

    const list = await h.request('GET', '/v1/api-keys', { token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, [{ id, name, plan, prefix, createdAt }]);
    const text = JSON.stringify(list.body);
    assert.ok(!text.includes(key), 'the list must not show the key');
    for (const encoding of ['hex', 'base64url', 'base64'] as const) {
      assert.ok(!text.includes(createHash('sha256').update(key).digest(encoding)), `nor its ${encoding} hash`);
    }

    // The key works, and its use shows as lastUsedAt.
    const used = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
    assert.equal(used.status, 200);
    const [listed] = (await h.request('GET', '/v1/api-keys', { token })).body.items;
    assert.equal(listed.lastUsedAt, new Date(h.clock.now()).toISOString());
  });

  test('a key is created on the plan asked for; lists page newest first', async () => {
    const token = await newUser();
    const first = await createKey(token, { name: 'one', plan: 'tiny' });
    assert.equal(first.plan, 'tiny');
    h.clock.advance(1);
    const second = await createKey(token, { name: 'two' });
    const page1 = await h.request('GET', '/v1/api-keys?limit=1', { token });
    assert.deepEqual(
      page1.body.items.map((k: { id: string }) => k.id),
      [second.id],
    );
    assert.ok(page1.body.nextCursor);
    const page2 = await h.request('GET', `/v1/api-keys?limit=1&cursor=${page1.body.nextCursor}`, { token });
    assert.deepEqual(
      page2.body.items.map((k: { id: string }) => k.id),
      [first.id],
    );
  });

  test('revoke: the key stops working at once; revoking again is not an error', async () => {
    const token = await newUser();
    const { id, key } = await createKey(token);
    // Used once, so the process has the key's lookup cached.
    assert.equal((await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } })).status, 200);

    const revoked = await h.request('DELETE', `/v1/api-keys/${id}`, { token });
    assert.equal(revoked.status, 204);
    assertProblem(await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } }), 403, 'InvalidApiKey');

    const [listed] = (await h.request('GET', '/v1/api-keys', { token })).body.items;
    assert.equal(listed.id, id);
    assert.equal(listed.revokedAt, new Date(h.clock.now()).toISOString());
    assert.equal((await h.request('DELETE', `/v1/api-keys/${id}`, { token })).status, 204);
    assertProblem(await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } }), 403, 'InvalidApiKey');
  });

  test("another user's key id is 404 on delete (as an unknown id is) and changes nothing", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { id, key } = await createKey(owner);

    const stranger = await h.request('DELETE', `/v1/api-keys/${id}`, { token: other });
    assertProblem(stranger, 404, 'NotFound');
    const unknown = await h.request('DELETE', '/v1/api-keys/01hzzzzzzzzzzzzzzzzzzzzzzz', { token: owner });
    assertProblem(unknown, 404, 'NotFound');
    assert.equal(stranger.body.detail, unknown.body.detail, 'no hint that the id exists');

    const [listed] = (await h.request('GET', '/v1/api-keys', { token: owner })).body.items;
    assert.equal(listed.revokedAt, undefined);
    assert.equal((await h.request('GET', PROBE, { token: owner, headers: { 'x-api-key': key } })).status, 200);

    const malformed = await h.request('DELETE', '/v1/api-keys/not-an-id', { token: owner });
    assertProblem(malformed, 400, 'ValidationError');
    assert.equal(malformed.body.errors[0].field, 'path.id');
  });

  test("another user's key in x-api-key is 403, the same answer as an unknown or revoked key", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { key } = await createKey(owner);

    const stolen = await h.request('GET', PROBE, { token: other, headers: { 'x-api-key': key } });
    assertProblem(stolen, 403, 'InvalidApiKey');
    const unknown = await h.request('GET', PROBE, { token: other, headers: { 'x-api-key': aWellFormedKey() } });
    assertProblem(unknown, 403, 'InvalidApiKey');
    const garbage = await h.request('GET', PROBE, { token: other, headers: { 'x-api-key': 'hello' } });
    assertProblem(garbage, 403, 'InvalidApiKey');
    assert.equal(stolen.body.detail, unknown.body.detail);
    assert.equal(stolen.body.detail, garbage.body.detail);
    // The stranger's attempt was not counted as the owner's use.
    assert.equal((await h.request('GET', '/v1/api-keys', { token: owner })).body.items[0].lastUsedAt, undefined);
    // A key without a token is no way in.
    assertProblem(await h.request('GET', PROBE, { headers: { 'x-api-key': key } }), 401, 'NotAuthorized');
  });

  test('past the plan’s burst: 429 with Retry-After and RateLimit-* headers, until the bucket refills', async () => {
    const token = await newUser();
    const { key } = await createKey(token);
    for (const left of ['2', '1', '0']) {
      const ok = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
      assert.equal(ok.status, 200);
      assert.equal(rateHeaders(ok).limit, '3');
      assert.equal(rateHeaders(ok).remaining, left);
    }
    const refused = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
    assertProblem(refused, 429, 'TooManyRequests');
    assert.match(refused.body.detail, /API key/);
    assert.deepEqual(rateHeaders(refused), {
      limit: '3',
      remaining: '0',
      reset: '3',
      policy: '3;w=3, 1000;w=86400',
      retryAfter: '1',
    });

    h.clock.advance(999);
    assert.equal((await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } })).status, 429);
    h.clock.advance(1);
    const again = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
    assert.equal(again.status, 200);
    assert.equal(rateHeaders(again).remaining, '0');
  });

  test('without a key: the default per-user limit, which other users and keyed requests do not share', async () => {
    const token = await newUser();
    const neighbour = await newUser();
    const { key } = await createKey(token);
    h.clock.advance(60_000);
    for (let left = 9; left >= 0; left--) {
      const ok = await h.request('GET', PROBE, { token });
      assert.equal(ok.status, 200);
      assert.equal(rateHeaders(ok).limit, '10');
      assert.equal(rateHeaders(ok).remaining, String(left));
    }
    const refused = await h.request('GET', PROBE, { token });
    assertProblem(refused, 429, 'TooManyRequests');
    assert.match(refused.body.detail, /account/);
    assert.equal(rateHeaders(refused).retryAfter, '1');
    assert.equal(rateHeaders(refused).remaining, '0');
    assert.equal(rateHeaders(refused).limit, '10');
    assert.ok(rateHeaders(refused).reset);

    assert.equal((await h.request('GET', PROBE, { token: neighbour })).status, 200);
    assert.equal((await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } })).status, 200);
  });

  test('without a key: the default per-address limit across users', async () => {
    const tokens = [await newUser(), await newUser(), await newUser(), await newUser()];
    h.clock.advance(60_000);
    const statuses: number[] = [];
    let refused: Reply | undefined;
    for (const token of tokens) {
      for (let i = 0; i < 8; i++) {
        const reply = await h.request('GET', PROBE, { token });
        statuses.push(reply.status);
        if (reply.status === 429) refused ??= reply;
      }
    }
    assert.deepEqual(statuses, [...Array(30).fill(200), 429, 429]);
    assert.ok(refused);
    assertProblem(refused, 429, 'TooManyRequests');
    assert.match(refused.body.detail, /address/);
    assert.equal(rateHeaders(refused).limit, '30');
    assert.equal(rateHeaders(refused).retryAfter, '1');
  });

  test('at most maxActiveKeys live keys: 409 past it; revoking one makes room', async () => {
    const token = await newUser();
    const keys = [];
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) {
      keys.push(await createKey(token));
      h.clock.advance(1000); // so the per-user limit never refuses one
    }
    const oneTooMany = await h.request('POST', '/v1/api-keys', { token, body: { name: 'one too many' } });
    assertProblem(oneTooMany, 409, 'ApiKeyLimitExceeded');
    assert.equal((await h.request('DELETE', `/v1/api-keys/${keys[0]?.id}`, { token })).status, 204);
    await createKey(token, { name: 'one too many' });
  });

  test('bad input is a 400 problem naming the field', async () => {
    const token = await newUser();
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, 'body.name', /./],
      [{ name: '' }, 'body.name', /empty/],
      [{ name: 'x'.repeat(101) }, 'body.name', /100/],
      [{ name: 'ok', color: 'red' }, 'body', /color/],
      [{ name: 'ok', plan: 'gold' }, 'body.plan', /basic, tiny/],
    ];
    for (const [body, field, message] of cases) {
      const reply = await h.request('POST', '/v1/api-keys', { token, body });
      assertProblem(reply, 400, 'ValidationError');
      const named = reply.body.errors.find((e: { field: string }) => e.field === field);
      assert.ok(named, `${JSON.stringify(body)} should name ${field}: ${JSON.stringify(reply.body.errors)}`);
      assert.match(named.message, message);
    }
    const badLimit = await h.request('GET', '/v1/api-keys?limit=0', { token });
    assertProblem(badLimit, 400, 'ValidationError');
    assert.equal(badLimit.body.errors[0].field, 'query.limit');
    assertProblem(await h.request('GET', '/v1/api-keys?cursor=nonsense', { token }), 400, 'ValidationError');
    assert.equal((await h.request('GET', '/v1/api-keys', { token })).body.items.length, 0, 'nothing was created');
  });

  test('the OpenAPI document describes the routes and the configured plans', async () => {
    const doc = await h.request('GET', '/openapi.json');
    assert.ok(doc.body.paths['/v1/api-keys'].post);
    assert.ok(doc.body.paths['/v1/api-keys/{id}'].delete);
    assert.deepEqual(doc.body.components.schemas.CreateApiKey.properties.plan.enum, ['basic', 'tiny']);
  });
});

describe('api keys: the daily quota', () => {
  let h: TestStratus;
  const signIn = async (email: string): Promise<string> => {
    const reply = await h.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.accessToken as string;
  };
  before(async () => {
    h = await TestStratus.start(env, { clock: new TestClock(NOON) });
  });
  after(() => h.stop());

  test('past the daily quota: 429 until the next UTC day, and the count survives a restart', async () => {
    let token = (await h.newUser('quota@example.com', PASSWORD)).accessToken;
    const created = await h.request('POST', '/v1/api-keys', { token, body: { name: 'etl', plan: 'tiny' } });
    const { key } = created.body;
    for (const left of ['4', '3', '2', '1', '0']) {
      const ok = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
      assert.equal(ok.status, 200);
      assert.equal(rateHeaders(ok).limit, '5', 'the quota is the limit closest to running out');
      assert.equal(rateHeaders(ok).remaining, left);
    }
    const secondsToMidnight = String(Math.ceil((DAY_MS - (h.clock.now() % DAY_MS)) / 1000));
    const refused = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
    assertProblem(refused, 429, 'QuotaExceeded');
    assert.match(refused.body.detail, /daily quota of 5/);
    assert.deepEqual(rateHeaders(refused), {
      limit: '5',
      remaining: '0',
      reset: secondsToMidnight,
      policy: '5;w=86400',
      retryAfter: secondsToMidnight,
    });

    // Stopped (daily counts written) and started again on the same data folder and clock.
    await h.stop({ keepData: true });
    // The same address: tokens name their issuer, and the issuer is this server's URL.
    const { port } = new URL(h.url);
    h = await TestStratus.start({ ...env, PORT: port }, { clock: h.clock }, { dataDir: h.dataDir });
    assertProblem(await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } }), 429, 'QuotaExceeded');

    // A second before midnight, still refused; just after it, a new day's quota.
    const midnight = Math.ceil(h.clock.now() / DAY_MS) * DAY_MS;
    h.clock.advance(midnight - 1000 - h.clock.now());
    token = await signIn('quota@example.com');
    assertProblem(await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } }), 429, 'QuotaExceeded');
    h.clock.advance(1000);
    const nextDay = await h.request('GET', PROBE, { token, headers: { 'x-api-key': key } });
    assert.equal(nextDay.status, 200);
    assert.equal(rateHeaders(nextDay).remaining, '4');
  });
});
