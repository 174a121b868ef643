import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('to-dos', () => {
  let s: TestStratus;
  let token: string;
  before(async () => {
    s = await TestStratus.start();
    ({ accessToken: token } = await s.newUser('todo-owner@example.com'));
  });
  after(() => s.stop());

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    s.request('POST', '/v1/todos', { token, body, headers });

  test('create returns 201 with Location, ETag, defaults and normalised tags', async () => {
    const created = await create({
      title: '  Buy oat milk ',
      tags: ['Home', 'home', 'Errands'],
      dueDate: '2026-12-31',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.title, 'Buy oat milk');
    assert.equal(created.body.done, false);
    assert.deepEqual(created.body.tags, ['home', 'errands']);
    assert.equal(created.body.version, 1);
    assert.equal(created.headers.get('etag'), '"1"');
    assert.equal(created.headers.get('location'), `/v1/todos/${created.body.id}`);
    const read = await s.request('GET', `/v1/todos/${created.body.id}`, { token });
    assert.deepEqual(read.body, created.body);
  });

  test('a GET with the current ETag in If-None-Match is a 304', async () => {
    const { body } = await create({ title: 'cached' });
    const again = await s.request('GET', `/v1/todos/${body.id}`, { token, headers: { 'if-none-match': '"1"' } });
    assert.equal(again.status, 304);
  });

  test('the list is newest first and pages with a cursor, never repeating or skipping', async () => {
    const { accessToken } = await s.newUser('pager@example.com');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await s.request('POST', '/v1/todos', { token: accessToken, body: { title: `t${i}` } });
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const q = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
      const page = await s.request('GET', `/v1/todos${q}`, { token: accessToken });
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 3);
      seen.push(...page.body.items.map((t: { id: string }) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ids.reverse());
  });

  test('filters: done (through the index) and tag', async () => {
    const { accessToken } = await s.newUser('filters@example.com');
    const make = (title: string, done: boolean, tags: string[]) =>
      s.request('POST', '/v1/todos', { token: accessToken, body: { title, done, tags } });
    await make('a', false, ['x']);
    await make('b', true, ['x']);
    await make('c', false, ['y']);
    const titles = async (q: string) =>
      (await s.request('GET', `/v1/todos?${q}`, { token: accessToken })).body.items.map(
        (t: { title: string }) => t.title,
      );
    assert.deepEqual(await titles('done=false'), ['c', 'a']);
    assert.deepEqual(await titles('done=true'), ['b']);
    assert.deepEqual(await titles('tag=X'), ['b', 'a']);
    assert.deepEqual(await titles('done=false&tag=x&limit=1'), ['a']);
  });

  test('ticking done moves a to-do from the open list to the done list', async () => {
    const { accessToken } = await s.newUser('tick@example.com');
    const { body } = await s.request('POST', '/v1/todos', { token: accessToken, body: { title: 'tick me' } });
    const patched = await s.request('PATCH', `/v1/todos/${body.id}`, {
      token: accessToken,
      body: { done: true },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.get('etag'), '"2"');
    const open = await s.request('GET', '/v1/todos?done=false', { token: accessToken });
    const done = await s.request('GET', '/v1/todos?done=true', { token: accessToken });
    assert.equal(open.body.items.length, 0);
    assert.deepEqual(
      done.body.items.map((t: { id: string }) => t.id),
      [body.id],
    );
  });

  test('PATCH with a stale ETag is 412 and changes nothing; without If-Match it is 428', async () => {
    const { body } = await create({ title: 'contested' });
    const first = await s.request('PATCH', `/v1/todos/${body.id}`, {
      token,
      body: { title: 'first writer' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(first.status, 200);
    const second = await s.request('PATCH', `/v1/todos/${body.id}`, {
      token,
      body: { title: 'second writer' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(second.status, 412);
    assert.equal(second.headers.get('content-type'), 'application/problem+json');
    const missing = await s.request('PATCH', `/v1/todos/${body.id}`, { token, body: { title: 'blind' } });
    assert.equal(missing.status, 428);
    const bad = await s.request('PATCH', `/v1/todos/${body.id}`, {
      token,
      body: { title: 'weak' },
      headers: { 'if-match': 'W/"2"' },
    });
    assert.equal(bad.status, 400);
    const now = await s.request('GET', `/v1/todos/${body.id}`, { token });
    assert.equal(now.body.title, 'first writer');
    assert.equal(now.body.version, 2);
  });

  test('null clears an optional field', async () => {
    const { body } = await create({ title: 'due', dueDate: '2027-01-01', notes: 'x' });
    const cleared = await s.request('PATCH', `/v1/todos/${body.id}`, {
      token,
      body: { dueDate: null, notes: null },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.dueDate, undefined);
    assert.equal(cleared.body.notes, undefined);
  });

  test('a retried create with the same Idempotency-Key returns the first result, never a duplicate', async () => {
    const { accessToken } = await s.newUser('idem@example.com');
    const headers = { 'idempotency-key': 'b3c1f3a2-0000-4000-8000-000000000001' };
    const tries = await Promise.all(
      Array.from({ length: 5 }, () =>
        s.request('POST', '/v1/todos', { token: accessToken, body: { title: 'once' }, headers }),
      ),
    );
    for (const t of tries) assert.equal(t.status, 201);
    assert.equal(new Set(tries.map((t) => t.body.id)).size, 1);
    const list = await s.request('GET', '/v1/todos', { token: accessToken });
    assert.equal(list.body.items.length, 1);
    const reused = await s.request('POST', '/v1/todos', {
      token: accessToken,
      body: { title: 'something else' },
      headers,
    });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'IdempotencyKeyReused');
  });

  test('delete is 204, then the to-do is gone (404); a stale If-Match on delete is 412', async () => {
    const { body } = await create({ title: 'doomed' });
    const stale = await s.request('DELETE', `/v1/todos/${body.id}`, { token, headers: { 'if-match': '"7"' } });
    assert.equal(stale.status, 412);
    assert.equal((await s.request('DELETE', `/v1/todos/${body.id}`, { token })).status, 204);
    assert.equal((await s.request('GET', `/v1/todos/${body.id}`, { token })).status, 404);
    assert.equal((await s.request('DELETE', `/v1/todos/${body.id}`, { token })).status, 404);
  });

  test('bad input is a 400 problem naming the field, and nothing is written', async () => {
    const { accessToken } = await s.newUser('badinput@example.com');
    const cases: Array<[unknown, string]> = [
      [{}, 'body.title'],
      [{ title: '' }, 'body.title'],
      [{ title: 'x'.repeat(501) }, 'body.title'],
      [{ title: 'line\nbreak' }, 'body.title'],
      [{ title: 'ok', done: 'yes' }, 'body.done'],
      [{ title: 'ok', dueDate: '2026-02-30' }, 'body.dueDate'],
      [{ title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'body.tags'],
      [{ title: 'ok', owner: 'someone-else' }, 'body'],
      [{ title: 'ok', notes: 'n'.repeat(10 * 1024 + 1) }, 'body.notes'],
    ];
    for (const [body, field] of cases) {
      const r = await s.request('POST', '/v1/todos', { token: accessToken, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.ok(
        r.body.errors.some((e: { field: string }) => e.field.startsWith(field)),
        `${JSON.stringify(r.body.errors)} names ${field}`,
      );
    }
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'done=maybe', 'cursor=not-a-cursor']) {
      const r = await s.request('GET', `/v1/todos?${q}`, { token: accessToken });
      assert.equal(r.status, 400, q);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
    }
    assert.equal((await s.request('GET', '/v1/todos/not-an-id', { token: accessToken })).status, 400);
    assert.equal(
      (
        await s.request('PATCH', '/v1/todos/01jd3k9v2x8q4m7n5p6r0s1t2w', {
          token: accessToken,
          body: {},
          headers: { 'if-match': '"1"' },
        })
      ).status,
      400,
    );
    const list = await s.request('GET', '/v1/todos', { token: accessToken });
    assert.equal(list.body.items.length, 0);
  });

  test('without a token every route is 401', async () => {
    for (const [method, path] of [
      ['GET', '/v1/todos'],
      ['POST', '/v1/todos'],
      ['GET', '/v1/todos/01jd3k9v2x8q4m7n5p6r0s1t2w'],
      ['PATCH', '/v1/todos/01jd3k9v2x8q4m7n5p6r0s1t2w'],
      ['DELETE', '/v1/todos/01jd3k9v2x8q4m7n5p6r0s1t2w'],
    ] as const) {
      const body = method === 'GET' ? undefined : {};
      assert.equal((await s.request(method, path, { body })).status, 401, `${method} ${path}`);
    }
  });
});
