import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../support/stratus.ts';

/**
 * Two users, and every route of the personal apps tried by one user with the other's ids,
 * paths and keys: each attempt is a 404 (never 403, which would tell that the id exists) or,
 * for an API key, the same 403 an unknown key gets; and nothing of the owner's changes.
 */
describe('one user can neither read nor change another user’s data', () => {
  let s: TestStratus;
  let owner: string;
  let intruder: string;
  const ids: Record<string, string> = {};
  let ownerKey: string;
  let ownerKeyId: string;

  before(async () => {
    s = await TestStratus.start({}, { queue: { baseDelayMs: 10, pollMs: 20 } });
    owner = (await s.newUser('owner@example.com')).accessToken;
    intruder = (await s.newUser('intruder@example.com')).accessToken;
    for (const [kind, body] of [
      ['todos', { title: 'owner todo' }],
      ['notes', { title: 'owner note', body: 'private' }],
      ['bookmarks', { url: 'https://owner.example/', title: 'owner bookmark' }],
    ] as const) {
      const created = await s.request('POST', `/v1/${kind}`, { token: owner, body });
      assert.equal(created.status, 201);
      ids[kind] = created.body.id;
    }
    const grant = await s.request('POST', '/v1/files/uploads', {
      token: owner,
      body: { path: 'secret/plan.txt', contentType: 'text/plain', size: 6 },
    });
    await s.fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: 'secret' });
    await s.runtime.queue.drain();
    const key = await s.request('POST', '/v1/api-keys', { token: owner, body: { name: 'owner script' } });
    ownerKey = key.body.key;
    ownerKeyId = key.body.id;
  });
  after(() => s.stop());

  test('records: get, update, delete of the owner’s ids are 404 and change nothing', async () => {
    for (const kind of ['todos', 'notes', 'bookmarks']) {
      const path = `/v1/${kind}/${ids[kind]}`;
      const change = { title: 'hijacked' };
      const attempts = [
        await s.request('GET', path, { token: intruder }),
        await s.request('PATCH', path, { token: intruder, body: change, headers: { 'if-match': '"1"' } }),
        await s.request('PATCH', path, { token: intruder, body: change, headers: { 'if-match': '*' } }),
        await s.request('DELETE', path, { token: intruder }),
      ];
      for (const attempt of attempts) assert.equal(attempt.status, 404, `${kind}: ${JSON.stringify(attempt.body)}`);
      const list = await s.request('GET', `/v1/${kind}`, { token: intruder });
      assert.deepEqual(list.body.items, [], `${kind}: the intruder's list is empty`);
      const still = await s.request('GET', path, { token: owner });
      assert.equal(still.status, 200);
      assert.equal(still.body.version, 1, `${kind} is unchanged`);
    }
  });

  test('the same bookmark URL is free for another user (uniqueness is per user)', async () => {
    const mine = await s.request('POST', '/v1/bookmarks', {
      token: intruder,
      body: { url: 'https://owner.example/', title: 'mine too' },
    });
    assert.equal(mine.status, 201);
  });

  test('an idempotency key used by one user replays nothing for another', async () => {
    const headers = { 'idempotency-key': 'shared-key-1' };
    const first = await s.request('POST', '/v1/todos', { token: owner, body: { title: 'a' }, headers });
    const second = await s.request('POST', '/v1/todos', { token: intruder, body: { title: 'a' }, headers });
    assert.equal(second.status, 201);
    assert.notEqual(second.body.id, first.body.id);
    assert.equal(second.headers.get('idempotent-replayed'), null);
  });

  test('files: the owner’s paths are not there for the intruder, and cannot be reached', async () => {
    assert.equal((await s.request('GET', '/v1/files/download?path=secret/plan.txt', { token: intruder })).status, 404);
    assert.deepEqual((await s.request('GET', '/v1/files?prefix=secret/', { token: intruder })).body.items, []);
    assert.equal((await s.request('DELETE', '/v1/files?path=secret/plan.txt', { token: intruder })).status, 404);
    assert.equal((await s.request('DELETE', '/v1/files?path=secret/', { token: intruder })).status, 404);
    const move = await s.request('POST', '/v1/files/move', {
      token: intruder,
      body: { from: 'secret/plan.txt', to: 'stolen.txt' },
    });
    assert.equal(move.status, 404);
    // A path cannot climb out of the intruder's own folder into the owner's.
    const climb = await s.request('POST', '/v1/files/uploads', {
      token: intruder,
      body: { path: '../../owner/files/secret/plan.txt', contentType: 'text/plain', size: 1 },
    });
    assert.equal(climb.status, 400);
    const ownerList = await s.request('GET', '/v1/files?prefix=secret/', { token: owner });
    assert.deepEqual(
      ownerList.body.items.map((f: { path: string }) => f.path),
      ['secret/plan.txt'],
    );
  });

  test('API keys: the owner’s key id cannot be revoked, and the owner’s key cannot be used, by the intruder', async () => {
    assert.equal((await s.request('DELETE', `/v1/api-keys/${ownerKeyId}`, { token: intruder })).status, 404);
    const used = await s.request('GET', '/v1/todos', { token: intruder, headers: { 'x-api-key': ownerKey } });
    assert.equal(used.status, 403);
    assert.equal(used.body.code, 'InvalidApiKey');
    const list = await s.request('GET', '/v1/api-keys', { token: intruder });
    assert.deepEqual(list.body.items, []);
    const ownerUse = await s.request('GET', '/v1/todos', { token: owner, headers: { 'x-api-key': ownerKey } });
    assert.equal(ownerUse.status, 200, 'the key still works for its owner');
  });
});
