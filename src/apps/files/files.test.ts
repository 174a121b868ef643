import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';
import { PATH_MAX_BYTES } from './paths.ts';

describe('files: each user’s private folder', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start(
      { FILES_QUOTA_MB: '1', FILES_MAX_FILE_MB: '1' },
      { queue: { baseDelayMs: 10, pollMs: 20 } },
    );
  });
  after(() => s.stop());

  /** Asks for an upload URL, sends the bytes there, and waits for the upload to be recorded. */
  async function upload(token: string, path: string, body: Buffer | string, contentType = 'text/plain') {
    const size = Buffer.byteLength(body);
    const grant = await s.request('POST', '/v1/files/uploads', { token, body: { path, contentType, size } });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    const put = await s.fetch(grant.body.url, { method: grant.body.method, headers: grant.body.headers, body });
    assert.equal(put.status, 200, await put.text());
    await s.runtime.queue.drain();
    return grant.body;
  }

  const names = async (token: string, prefix = '') =>
    (await s.request('GET', `/v1/files?prefix=${encodeURIComponent(prefix)}`, { token })).body.items.map(
      (i: { kind: string; name: string }) => `${i.kind}:${i.name}`,
    );

  test('upload with the pre-signed URL, list the folder, download with Range, then delete', async () => {
    const { accessToken: token } = await s.newUser('files@example.com');
    const text = 'Hello, files! ünïcödé\n';
    await upload(token, 'docs/hello.txt', text);
    await upload(token, 'docs/2026/plan.md', '# Plan', 'text/markdown');
    await upload(token, 'top.txt', 'top');

    assert.deepEqual(await names(token), ['folder:docs', 'file:top.txt']);
    assert.deepEqual(await names(token, 'docs/'), ['folder:2026', 'file:hello.txt']);
    const [hello] = (await s.request('GET', '/v1/files?prefix=docs/', { token })).body.items.filter(
      (i: { kind: string }) => i.kind === 'file',
    );
    assert.equal(hello.size, Buffer.byteLength(text));
    assert.equal(hello.contentType, 'text/plain');
    assert.equal(hello.checksumSha256, createHash('sha256').update(text).digest('base64'));

    const link = await s.request('GET', '/v1/files/download?path=docs/hello.txt', { token });
    assert.equal(link.status, 200);
    const whole = await s.fetch(link.body.url);
    assert.equal(whole.status, 200);
    assert.equal(await whole.text(), text);
    assert.match(whole.headers.get('content-disposition') ?? '', /^attachment;.*filename\*=UTF-8''hello\.txt/);
    const part = await s.fetch(link.body.url, { headers: { range: 'bytes=0-4' } });
    assert.equal(part.status, 206);
    assert.equal(await part.text(), 'Hello');

    const usage = await s.request('GET', '/v1/files/usage', { token });
    assert.equal(usage.body.files, 3);
    assert.equal(usage.body.bytes, Buffer.byteLength(text) + 6 + 3);

    assert.equal((await s.request('DELETE', '/v1/files?path=docs/hello.txt', { token })).status, 200);
    assert.equal((await s.request('GET', '/v1/files/download?path=docs/hello.txt', { token })).status, 404);
    assert.equal((await s.fetch(link.body.url)).status, 404, 'the bytes are gone too');
    assert.equal((await s.request('DELETE', '/v1/files?path=docs/', { token })).body.deleted, 1);
    assert.deepEqual(await names(token), ['file:top.txt']);
    assert.equal((await s.request('GET', '/v1/files/usage', { token })).body.bytes, 3);
  });

  test('rename a file and move a folder: listing, download and usage follow', async () => {
    const { accessToken: token } = await s.newUser('mover@example.com');
    await upload(token, 'a/one.txt', '1');
    await upload(token, 'a/sub/two.txt', '22');
    await upload(token, 'b.txt', 'b');
    const renamed = await s.request('POST', '/v1/files/move', { token, body: { from: 'b.txt', to: 'a/b.txt' } });
    assert.equal(renamed.status, 200);
    const clash = await s.request('POST', '/v1/files/move', { token, body: { from: 'a/one.txt', to: 'a/b.txt' } });
    assert.equal(clash.status, 409);
    const moved = await s.request('POST', '/v1/files/move', { token, body: { from: 'a/', to: 'z/a/' } });
    assert.equal(moved.body.moved, 3);
    await s.runtime.queue.drain();
    assert.deepEqual(await names(token), ['folder:z']);
    assert.deepEqual(await names(token, 'z/a/'), ['folder:sub', 'file:b.txt', 'file:one.txt']);
    const link = await s.request('GET', '/v1/files/download?path=z/a/sub/two.txt', { token });
    assert.equal(await (await s.fetch(link.body.url)).text(), '22');
    const usage = (await s.request('GET', '/v1/files/usage', { token })).body;
    assert.deepEqual([usage.files, usage.bytes], [3, 4], 'a move neither adds nor loses usage');
    const into = await s.request('POST', '/v1/files/move', { token, body: { from: 'z/', to: 'z/inner/' } });
    assert.equal(into.status, 400);
  });

  test('an empty file uploads, lists with size 0 and downloads empty', async () => {
    const { accessToken: token } = await s.newUser('empty@example.com');
    await upload(token, 'empty.txt', '');
    assert.deepEqual(await names(token), ['file:empty.txt']);
    const link = await s.request('GET', '/v1/files/download?path=empty.txt', { token });
    assert.equal(await (await s.fetch(link.body.url)).text(), '');
  });

  test('the size limit and the quota are enforced when presigning', async () => {
    const { accessToken: token } = await s.newUser('quota@example.com');
    const tooBig = await s.request('POST', '/v1/files/uploads', {
      token,
      body: { path: 'big.bin', contentType: 'application/octet-stream', size: 1024 * 1024 + 1 },
    });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.code, 'FileTooLarge');
    await upload(token, 'most.bin', Buffer.alloc(800 * 1024), 'application/octet-stream');
    const over = await s.request('POST', '/v1/files/uploads', {
      token,
      body: { path: 'more.bin', contentType: 'application/octet-stream', size: 300 * 1024 },
    });
    assert.equal(over.status, 413);
    assert.equal(over.body.code, 'QuotaExceeded');
    // Replacing a file counts only the difference.
    await upload(token, 'most.bin', Buffer.alloc(900 * 1024), 'application/octet-stream');
    assert.equal((await s.request('GET', '/v1/files/usage', { token })).body.bytes, 900 * 1024);
  });

  test('an upload past the quota that was granted before the space ran out is not kept', async () => {
    const { accessToken: token } = await s.newUser('race@example.com');
    const body = { contentType: 'application/octet-stream', size: 600 * 1024 };
    const first = await s.request('POST', '/v1/files/uploads', { token, body: { ...body, path: 'one.bin' } });
    const second = await s.request('POST', '/v1/files/uploads', { token, body: { ...body, path: 'two.bin' } });
    const bytes = Buffer.alloc(600 * 1024);
    for (const grant of [first.body, second.body]) {
      assert.equal((await s.fetch(grant.url, { method: 'PUT', headers: grant.headers, body: bytes })).status, 200);
    }
    await s.runtime.queue.drain();
    assert.deepEqual(await names(token), ['file:one.bin']);
    assert.equal(await s.runtime.objects.head(`users/${await subOf(token)}/files/two.bin`), undefined);
    assert.equal((await s.request('GET', '/v1/files/usage', { token })).body.bytes, 600 * 1024);
  });

  test('pre-signed URL attacks are refused and store nothing', async () => {
    const { accessToken: token } = await s.newUser('attacker@example.com');
    const grant = (
      await s.request('POST', '/v1/files/uploads', {
        token,
        body: { path: 'ok.txt', contentType: 'text/plain', size: 5 },
      })
    ).body;
    const url = new URL(grant.url);
    const put = (target: string, body = 'hello', headers: Record<string, string> = grant.headers) =>
      s.fetch(target, { method: 'PUT', headers, body });
    const withParam = (name: string, value: string) => {
      const copy = new URL(url);
      copy.searchParams.set(name, value);
      return copy.href;
    };
    const params = [...url.searchParams.keys()];
    // Every signed parameter changed, one at a time.
    for (const name of params) {
      const value = url.searchParams.get(name) ?? '';
      const tampered = withParam(name, /^\d+$/.test(value) ? String(Number(value) + 1) : `${value}x`);
      const r = await put(tampered);
      assert.equal(r.status, 403, `tampered ${name}`);
    }
    // Replayed to another key, and a traversal out of the user's folder.
    const other = new URL(grant.url);
    other.pathname = other.pathname.replace('ok.txt', 'other.txt');
    assert.equal((await put(other.href)).status, 403);
    const traversal = new URL(grant.url);
    traversal.pathname = traversal.pathname.replace('ok.txt', '..%2F..%2Fvictim%2Fok.txt');
    assert.ok([400, 403].includes((await put(traversal.href)).status));
    assert.equal((await put(grant.url, 'hello', { 'content-type': 'text/html' })).status, 403, 'wrong type');
    assert.equal((await put(grant.url, 'hello, too long')).status, 413, 'past the signed size');
    assert.equal((await s.fetch(grant.url, { method: 'GET' })).status, 403, 'wrong method');
    s.clock.advance(16 * 60_000);
    assert.equal((await put(grant.url)).status, 403, 'expired');
    s.clock.advance(-16 * 60_000);
    await s.runtime.queue.drain();
    assert.deepEqual(await names(token), [], 'nothing was recorded');
    const incoming = await readdir(join(s.dataDir, 'objects', 'incoming')).catch(() => []);
    assert.deepEqual(incoming, [], 'no partial upload is left on disk');
  });

  test('bad paths are 400 naming the field', async () => {
    const { accessToken: token } = await s.newUser('paths@example.com');
    const bad = [
      '',
      '/abs.txt',
      '../up.txt',
      'a/../b.txt',
      'a//b.txt',
      'dir/',
      'tab\there',
      'back\\slash',
      'x'.repeat(PATH_MAX_BYTES + 1),
    ];
    for (const path of bad) {
      const r = await s.request('POST', '/v1/files/uploads', {
        token,
        body: { path, contentType: 'text/plain', size: 1 },
      });
      assert.equal(r.status, 400, JSON.stringify(path));
      assert.equal(r.body.errors?.[0]?.field, 'body.path', JSON.stringify(r.body));
    }
    const badType = await s.request('POST', '/v1/files/uploads', {
      token,
      body: { path: 'a.txt', contentType: 'not a type', size: 1 },
    });
    assert.equal(badType.status, 400);
    assert.equal((await s.request('GET', '/v1/files?prefix=no-slash', { token })).status, 400);
    assert.equal((await s.request('GET', '/v1/files/download?path=missing.txt', { token })).status, 404);
    // Unicode is normalised: the decomposed and composed é name the same file.
    await upload(token, 'caf\u0065\u0301.txt', 'x');
    assert.equal((await s.request('GET', '/v1/files/download?path=caf%C3%A9.txt', { token })).status, 200);
  });

  async function subOf(token: string): Promise<string> {
    return (await s.request('GET', '/v1/me', { token })).body.sub;
  }
});

test('deleting the account deletes its files’ bytes as well as their records', async () => {
  const s = await TestStratus.start(
    {},
    { queue: { baseDelayMs: 10, pollMs: 20 }, stream: { baseDelayMs: 10, pollMs: 20 } },
  );
  try {
    const { accessToken: token } = await s.newUser('leaving@example.com');
    const sub = (await s.request('GET', '/v1/me', { token })).body.sub;
    const grant = await s.request('POST', '/v1/files/uploads', {
      token,
      body: { path: 'diary.txt', contentType: 'text/plain', size: 4 },
    });
    await s.fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: 'dear' });
    await s.runtime.queue.drain();
    assert.ok(await s.runtime.objects.head(`users/${sub}/files/diary.txt`));
    assert.equal((await s.request('DELETE', '/v1/me', { token })).status, 204);
    await s.runtime.dispatcher.drain();
    assert.equal(await s.runtime.objects.head(`users/${sub}/files/diary.txt`), undefined);
    assert.deepEqual((await s.runtime.table.query({ partition: `USER#${sub}` })).items, []);
  } finally {
    await s.stop();
  }
});
