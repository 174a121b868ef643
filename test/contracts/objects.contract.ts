import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../src/platform/errors.ts';
import { type ObjectEventRecord, type ObjectStore, objectKeyOf } from '../../src/platform/objects.ts';
import type { TestClock } from '../support/clock.ts';

export interface ObjectStoreUnderTest {
  store: ObjectStore;
  /** The object events handlers have received so far, after delivering what is pending. */
  events(): Promise<ObjectEventRecord[]>;
  /** Moves the store's notion of now; without it, expiry is tested by waiting. */
  clock?: TestClock;
  /** Every file the adapter keeps, when it keeps files: a refused upload must not add one. */
  files?(): Promise<string[]>;
  /** How to reach pre-signed URLs (the global fetch when absent). */
  fetch?(url: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('base64');

const isAppError = (status: number) => (error: unknown) => {
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  assert.equal(error.status, status, error.detail);
  return true;
};

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A request body sent in chunks, without a Content-Length; it ends only if `end` is set. */
function chunkedBody(chunks: Buffer[], end = true): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index];
      index += 1;
      if (chunk) controller.enqueue(new Uint8Array(chunk));
      else if (end) controller.close();
      // else: never ends, as a client that keeps sending
    },
  });
}

/**
 * What every Object store adapter must do, with S3's semantics as the floor, including the
 * pre-signed URL attacks it must refuse. Run by each adapter's test with a factory that gives
 * a fresh, empty store.
 */
export function objectStoreContract(adapter: string, open: () => Promise<ObjectStoreUnderTest>): void {
  describe(`Object store contract: ${adapter}`, () => {
    let subject: ObjectStoreUnderTest;
    let store: ObjectStore;
    let prefix: string;
    let run = 0;

    before(async () => {
      subject = await open();
      store = subject.store;
    });
    after(() => subject.close());
    // Each case gets keys of its own, so cases cannot see each other's objects or events.
    beforeEach(() => {
      run += 1;
      prefix = `case${run}/`;
    });

    const http = (url: string, init?: RequestInit) => (subject.fetch ?? fetch)(url, init);
    const eventsFor = async (key: string) => (await subject.events()).filter((e) => objectKeyOf(e) === key);
    const eventsUnder = async (keyPrefix: string) =>
      (await subject.events()).filter((e) => objectKeyOf(e).startsWith(keyPrefix));

    /** Lets time pass beyond a URL's lifetime. */
    async function expire(seconds: number): Promise<void> {
      if (subject.clock) subject.clock.advance((seconds + 1) * 1000);
      else await sleep((seconds + 1) * 1000);
    }

    /** Asserts the attempt left nothing: no object, no event, no file. */
    async function assertNothingStored(key: string, filesBefore: string[] | undefined): Promise<void> {
      assert.equal(await store.head(key), undefined, `${key} must not exist`);
      assert.deepEqual(await eventsUnder(prefix), [], 'a refused write must not emit an event');
      if (subject.files) assert.deepEqual(await subject.files(), filesBefore, 'a refused write must leave no file');
    }

    const upload = (url: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
      http(url, {
        method: 'PUT',
        body,
        headers,
        // A refusal that never comes fails the case instead of hanging the suite.
        signal: AbortSignal.timeout(10_000),
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      });

    // ---------------------------------------------------------------- server-side API

    test('put then head and get give the bytes with S3 metadata (quoted MD5 ETag, base64 SHA-256)', async () => {
      const key = `${prefix}notes/hello.txt`;
      const bytes = Buffer.from('hello, objects');
      const put = await store.put(key, bytes, 'text/plain; charset=utf-8');
      assert.equal(put.key, key);
      assert.equal(put.size, bytes.length);
      assert.equal(put.contentType, 'text/plain; charset=utf-8');
      assert.equal(put.etag, `"${md5(bytes)}"`);
      assert.equal(put.checksumSha256, sha256(bytes));
      assert.ok(!Number.isNaN(Date.parse(put.lastModified)));
      assert.deepEqual(await store.head(key), put);
      const got = await store.get(key);
      assert.deepEqual(got?.info, put);
      assert.deepEqual(await readAll(got?.body as NodeJS.ReadableStream), bytes);
    });

    test('a missing key reads as undefined from head and get', async () => {
      assert.equal(await store.head(`${prefix}missing`), undefined);
      assert.equal(await store.get(`${prefix}missing`), undefined);
    });

    test('put replaces the object: bytes, type and ETag are the new ones', async () => {
      const key = `${prefix}doc`;
      await store.put(key, Buffer.from('first version'), 'text/plain');
      const second = await store.put(key, Buffer.from('{"v":2}'), 'application/json');
      assert.equal(second.etag, `"${md5('{"v":2}')}"`);
      assert.deepEqual(await store.head(key), second);
      const got = await store.get(key);
      assert.equal((await readAll(got?.body as NodeJS.ReadableStream)).toString(), '{"v":2}');
    });

    test('an empty object is an object', async () => {
      const key = `${prefix}empty`;
      const info = await store.put(key, Buffer.alloc(0), 'application/octet-stream');
      assert.equal(info.size, 0);
      assert.equal(info.etag, `"${md5('')}"`);
      assert.deepEqual(await readAll((await store.get(key))?.body as NodeJS.ReadableStream), Buffer.alloc(0));
    });

    test('keys S3 allows work, even where a file path could not: a/b beside a, long segments, Unicode', async () => {
      const keys = [
        `${prefix}x`,
        `${prefix}x/y`,
        `${prefix}${'s'.repeat(300)}`,
        `${prefix}fotos/ünïcode файл (1) +%&?#.txt`,
        `${prefix}CON`,
      ];
      for (const key of keys) await store.put(key, Buffer.from(key), 'text/plain');
      for (const key of keys) {
        const got = await store.get(key);
        assert.equal((await readAll(got?.body as NodeJS.ReadableStream)).toString(), key);
      }
    });

    test('bad keys are refused with a 400: empty, too long, traversal, leading slash, backslash, control', async () => {
      const bad = [
        '',
        `${prefix}${'k'.repeat(1025)}`,
        `${prefix}../escape`,
        `${prefix}a/../../escape`,
        '..',
        `${prefix}./here`,
        '/absolute',
        `${prefix}back\\slash`,
        `${prefix}new\nline`,
        `${prefix}nul\u0000`,
      ];
      for (const key of bad) {
        await assert.rejects(store.put(key, Buffer.from('x'), 'text/plain'), isAppError(400), JSON.stringify(key));
        await assert.rejects(store.head(key), isAppError(400));
        await assert.rejects(store.presignUpload({ key, contentType: 'text/plain', maxSize: 10 }), isAppError(400));
        await assert.rejects(store.presignDownload({ key }), isAppError(400));
      }
      assert.deepEqual(await eventsUnder(prefix), []);
    });

    test('presigning refuses a bad content type, size limit, lifetime or filename with a 400', async () => {
      const key = `${prefix}file`;
      await assert.rejects(store.presignUpload({ key, contentType: 'nonsense', maxSize: 10 }), isAppError(400));
      await assert.rejects(
        store.presignUpload({ key, contentType: 'text/plain\r\nX: y', maxSize: 10 }),
        isAppError(400),
      );
      await assert.rejects(store.presignUpload({ key, contentType: 'text/plain', maxSize: 0 }), isAppError(400));
      await assert.rejects(store.presignUpload({ key, contentType: 'text/plain', maxSize: 1.5 }), isAppError(400));
      await assert.rejects(
        store.presignUpload({ key, contentType: 'text/plain', maxSize: 10, expiresInSeconds: 8 * 24 * 3600 }),
        isAppError(400),
      );
      await assert.rejects(store.presignDownload({ key, expiresInSeconds: 0 }), isAppError(400));
      await assert.rejects(store.presignDownload({ key, filename: 'a/b.txt' }), isAppError(400));
      await assert.rejects(store.presignDownload({ key, filename: 'bad\r\nname' }), isAppError(400));
    });

    test('copy makes an identical object under the new key (the way to rename) and keeps the source', async () => {
      const from = `${prefix}original.bin`;
      const to = `${prefix}moved/copy.bin`;
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const source = await store.put(from, bytes, 'application/octet-stream');
      const copied = await store.copy(from, to);
      assert.equal(copied.key, to);
      assert.equal(copied.etag, source.etag);
      assert.equal(copied.contentType, source.contentType);
      assert.equal(copied.size, 5);
      assert.deepEqual(await readAll((await store.get(to))?.body as NodeJS.ReadableStream), bytes);
      assert.deepEqual(await store.head(from), source);
      const [event] = await eventsFor(to);
      assert.equal(event?.eventName, 'ObjectCreated:Copy');
    });

    test('copy from a missing key is a 404 and creates nothing', async () => {
      await assert.rejects(store.copy(`${prefix}nothing`, `${prefix}target`), isAppError(404));
      assert.equal(await store.head(`${prefix}target`), undefined);
      assert.deepEqual(await eventsUnder(prefix), []);
    });

    test('delete removes the object, is idempotent, and emits one ObjectRemoved:Delete', async () => {
      const key = `${prefix}gone`;
      await store.put(key, Buffer.from('bye'), 'text/plain');
      await store.delete(key);
      assert.equal(await store.head(key), undefined);
      assert.equal(await store.get(key), undefined);
      await store.delete(key);
      await store.delete(`${prefix}never-existed`);
      const events = await eventsFor(key);
      assert.deepEqual(
        events.map((e) => e.eventName),
        ['ObjectCreated:Put', 'ObjectRemoved:Delete'],
      );
      const removal = events[1] as ObjectEventRecord;
      assert.equal(removal.s3.object.eTag, undefined);
      assert.ok(removal.s3.object.sequencer > (events[0] as ObjectEventRecord).s3.object.sequencer);
    });

    test('deletePrefix removes exactly the keys under the prefix and says how many', async () => {
      for (const name of ['a/1', 'a/2', 'a/sub/3', 'ab/4', 'b/a/5']) {
        await store.put(`${prefix}${name}`, Buffer.from(name), 'text/plain');
      }
      assert.equal(await store.deletePrefix(`${prefix}a/`), 3);
      for (const name of ['a/1', 'a/2', 'a/sub/3']) assert.equal(await store.head(`${prefix}${name}`), undefined);
      assert.ok(await store.head(`${prefix}ab/4`));
      assert.ok(await store.head(`${prefix}b/a/5`));
      const removed = (await eventsUnder(`${prefix}a/`)).filter((e) => e.eventName === 'ObjectRemoved:Delete');
      assert.equal(removed.length, 3);
      assert.equal(await store.deletePrefix(`${prefix}a/`), 0);
      await assert.rejects(store.deletePrefix(''), isAppError(400));
    });

    // ---------------------------------------------------------------- events

    test('every completed write emits one S3-shaped ObjectCreated record with the encoded key', async () => {
      const key = `${prefix}photos/my cat+dog ü.jpg`;
      const bytes = Buffer.from('not really a jpeg');
      await store.put(key, bytes, 'image/jpeg');
      await store.put(key, Buffer.from('second'), 'image/jpeg');
      const [first, second, ...rest] = await eventsFor(key);
      assert.equal(rest.length, 0, 'one event per write, no more');
      const record = first as ObjectEventRecord;
      assert.equal(record.eventVersion, '2.1');
      assert.equal(record.eventSource, 'aws:s3');
      assert.equal(record.eventName, 'ObjectCreated:Put');
      assert.equal(typeof record.awsRegion, 'string');
      assert.ok(!Number.isNaN(Date.parse(record.eventTime)));
      assert.equal(record.s3.s3SchemaVersion, '1.0');
      assert.equal(record.s3.bucket.arn, `arn:aws:s3:::${record.s3.bucket.name}`);
      assert.equal(record.s3.object.key, encodeURIComponent(key).replace(/%20/g, '+'));
      assert.equal(record.s3.object.size, bytes.length);
      assert.equal(record.s3.object.eTag, md5(bytes), 'the event ETag is unquoted, as S3 sends it');
      assert.ok((second as ObjectEventRecord).s3.object.sequencer > record.s3.object.sequencer);
    });

    // ---------------------------------------------------------------- pre-signed URLs

    test('a pre-signed upload then a pre-signed download round-trip the bytes over HTTP', async () => {
      const key = `${prefix}uploads/report 2024 é.txt`;
      const bytes = Buffer.from('uploaded straight from the client');
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 100, expiresInSeconds: 300 });
      assert.equal(grant.method, 'PUT');
      assert.ok(Date.parse(grant.expiresAt) > Date.now() - 1000);
      const put = await upload(grant.url, bytes, grant.headers);
      assert.equal(put.status, 200, await put.clone().text());
      const info = await store.head(key);
      assert.equal(info?.size, bytes.length);
      assert.equal(info?.contentType, 'text/plain');
      assert.equal(put.headers.get('ETag'), info?.etag);
      assert.equal(info?.etag, `"${md5(bytes)}"`);

      const download = await store.presignDownload({ key, expiresInSeconds: 120 });
      const got = await http(download.url);
      assert.equal(got.status, 200);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
      assert.equal(got.headers.get('Content-Type'), 'text/plain');
      assert.equal(got.headers.get('Content-Length'), String(bytes.length));
      assert.equal(got.headers.get('ETag'), info?.etag);
      assert.equal(got.headers.get('Last-Modified'), new Date(info?.lastModified as string).toUTCString());
      assert.equal(got.headers.get('Accept-Ranges'), 'bytes');
      const maxAge = Number(/^private, max-age=(\d+)$/.exec(got.headers.get('Cache-Control') ?? '')?.[1]);
      assert.ok(maxAge > 100 && maxAge <= 120, `max-age ${maxAge} must not outlive the URL`);

      const [event, ...more] = await eventsFor(key);
      assert.equal(more.length, 0);
      assert.equal(event?.eventName, 'ObjectCreated:Put');
      assert.equal(event?.s3.object.size, bytes.length);
    });

    test('an upload URL is refused once expired, and leaves nothing', async () => {
      const key = `${prefix}late`;
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10, expiresInSeconds: 1 });
      const files = await subject.files?.();
      await expire(1);
      const response = await upload(grant.url, Buffer.from('late'), grant.headers);
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('Content-Type'), 'application/problem+json');
      assert.equal(((await response.json()) as { code: string }).code, 'RequestExpired');
      await assertNothingStored(key, files);
    });

    test('changing any query parameter of an upload URL (type, size, expiry, signature...) is refused', async () => {
      const key = `${prefix}bound`;
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10 });
      const files = await subject.files?.();
      const names = [...new URL(grant.url).searchParams.keys()];
      assert.ok(names.length >= 2);
      for (const name of names) {
        const tampered = new URL(grant.url);
        const value = tampered.searchParams.get(name) ?? '';
        // A different value of the same kind: a bigger number, another type, a flipped character.
        const changed = /^\d+$/.test(value)
          ? String(Number(value) * 10 + 1)
          : value === 'text/plain'
            ? 'text/html'
            : `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
        tampered.searchParams.set(name, changed);
        const headers = value === 'text/plain' ? { 'Content-Type': changed } : grant.headers;
        const response = await upload(tampered.href, Buffer.from('x'), headers);
        assert.equal(response.status, 403, `changing ${name} to ${changed} must be refused`);
        await response.body?.cancel();
      }
      const dropped = new URL(grant.url);
      dropped.search = '';
      const unsigned = await upload(dropped.href, Buffer.from('x'), grant.headers);
      assert.equal(unsigned.status, 403, 'a URL without its signature is refused');
      await assertNothingStored(key, files);
    });

    test('an upload URL cannot be replayed to another key or with a traversal in the key', async () => {
      const key = `${prefix}mine/file.txt`;
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10 });
      const files = await subject.files?.();
      const url = new URL(grant.url);
      for (const path of [
        `${prefix}mine/other.txt`,
        `${prefix}theirs/file.txt`,
        `${prefix}mine%2F..%2F..%2Fescape`,
        `${prefix}mine/file.txt%2F..%2F..%2Fescape`,
      ]) {
        const other = new URL(url);
        other.pathname = url.pathname.replace(/[^/]+\/[^/]+\/[^/]+$/, path);
        const response = await upload(other.href, Buffer.from('x'), grant.headers);
        assert.equal(response.status, 403, `uploading to ${path} must be refused`);
        await response.body?.cancel();
      }
      assert.equal(await store.head(key), undefined);
      await assertNothingStored(`${prefix}mine/other.txt`, files);
    });

    test('an upload URL is bound to its method: it does not download, and a download URL does not upload', async () => {
      const key = `${prefix}methods`;
      await store.put(key, Buffer.from('original'), 'text/plain');
      const uploadGrant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10 });
      const asDownload = await http(uploadGrant.url);
      assert.equal(asDownload.status, 403);
      await asDownload.body?.cancel();
      const download = await store.presignDownload({ key });
      const asUpload = await upload(download.url, Buffer.from('changed'), { 'Content-Type': 'text/plain' });
      assert.equal(asUpload.status, 403);
      await asUpload.body?.cancel();
      assert.equal((await readAll((await store.get(key))?.body as NodeJS.ReadableStream)).toString(), 'original');
    });

    test('an upload with another Content-Type than the signed one is refused', async () => {
      const key = `${prefix}typed`;
      const grant = await store.presignUpload({ key, contentType: 'image/png', maxSize: 10 });
      const files = await subject.files?.();
      for (const headers of [{ 'Content-Type': 'text/html' }, { 'Content-Type': 'image/png; x=y' }]) {
        const response = await upload(grant.url, Buffer.from('<script>'), headers);
        assert.equal(response.status, 403);
        await response.body?.cancel();
      }
      await assertNothingStored(key, files);
    });

    test('a body over the signed size is refused with 413, with or without a Content-Length', async () => {
      const key = `${prefix}big`;
      const grant = await store.presignUpload({ key, contentType: 'application/octet-stream', maxSize: 100 });
      const files = await subject.files?.();

      const declared = await upload(grant.url, Buffer.alloc(101, 1), grant.headers);
      assert.equal(declared.status, 413);
      assert.equal(((await declared.json()) as { code: string }).code, 'EntityTooLarge');

      const chunks = [Buffer.alloc(40, 2), Buffer.alloc(40, 3), Buffer.alloc(40, 4)];
      const chunked = await upload(grant.url, chunkedBody(chunks), grant.headers);
      assert.equal(chunked.status, 413);
      await chunked.body?.cancel();
      await assertNothingStored(key, files);

      // Exactly the limit is allowed.
      const exact = await upload(grant.url, chunkedBody([Buffer.alloc(60, 5), Buffer.alloc(40, 6)]), grant.headers);
      assert.equal(exact.status, 200);
      assert.equal((await store.head(key))?.size, 100);
    });

    test('a body that keeps coming is cut off as soon as it passes the signed size', async () => {
      const key = `${prefix}endless`;
      const grant = await store.presignUpload({ key, contentType: 'application/octet-stream', maxSize: 100 });
      const files = await subject.files?.();
      // The stream never ends: only a refusal at the limit can answer this request.
      const body = chunkedBody([Buffer.alloc(64), Buffer.alloc(64)], false);
      const response = await upload(grant.url, body, grant.headers);
      assert.equal(response.status, 413);
      await response.body?.cancel();
      await assertNothingStored(key, files);
    });

    // ---------------------------------------------------------------- downloads

    test('downloads honour Range (a-b, a-, -n) with 206 and Content-Range, and 416 outside the object', async () => {
      const key = `${prefix}range.txt`;
      await store.put(key, Buffer.from('0123456789'), 'text/plain');
      const { url } = await store.presignDownload({ key });
      const cases: Array<[string, string, string]> = [
        ['bytes=0-4', '01234', 'bytes 0-4/10'],
        ['bytes=7-', '789', 'bytes 7-9/10'],
        ['bytes=-3', '789', 'bytes 7-9/10'],
        ['bytes=8-100', '89', 'bytes 8-9/10'],
      ];
      for (const [range, body, contentRange] of cases) {
        const response = await http(url, { headers: { Range: range } });
        assert.equal(response.status, 206, range);
        assert.equal(response.headers.get('Content-Range'), contentRange);
        assert.equal(response.headers.get('Content-Length'), String(body.length));
        assert.equal(await response.text(), body);
      }
      const outside = await http(url, { headers: { Range: 'bytes=10-' } });
      assert.equal(outside.status, 416);
      assert.equal(outside.headers.get('Content-Range'), 'bytes */10');
      await outside.body?.cancel();
      const several = await http(url, { headers: { Range: 'bytes=0-1,4-5' } });
      assert.ok(several.status === 200 || several.status === 206);
      await several.body?.cancel();
    });

    test('a download with the current ETag in If-None-Match is a 304 without a body', async () => {
      const key = `${prefix}cached`;
      const info = await store.put(key, Buffer.from('cache me'), 'text/plain');
      const { url } = await store.presignDownload({ key });
      const fresh = await http(url, { headers: { 'If-None-Match': info.etag } });
      assert.equal(fresh.status, 304);
      assert.equal(fresh.headers.get('ETag'), info.etag);
      assert.equal(await fresh.text(), '');
      const stale = await http(url, { headers: { 'If-None-Match': '"0123"' } });
      assert.equal(stale.status, 200);
      assert.equal(await stale.text(), 'cache me');
    });

    test('a download signed with a filename is an attachment under that name, in UTF-8', async () => {
      const key = `${prefix}blob`;
      await store.put(key, Buffer.from('%PDF'), 'application/pdf');
      const { url } = await store.presignDownload({ key, filename: 'résumé "final".pdf' });
      const response = await http(url);
      assert.equal(response.status, 200);
      const disposition = response.headers.get('Content-Disposition') ?? '';
      assert.match(disposition, /^attachment;/);
      assert.ok(disposition.includes(`filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`), disposition);
      await response.body?.cancel();
      const plain = await http((await store.presignDownload({ key })).url);
      assert.equal(plain.headers.get('Content-Disposition'), null);
      await plain.body?.cancel();

      const renamed = new URL(url);
      const name = [...renamed.searchParams.keys()].find((k) => renamed.searchParams.get(k) === 'résumé "final".pdf');
      assert.ok(name, 'the filename travels in the URL');
      renamed.searchParams.set(name, 'evil.html');
      const tampered = await http(renamed.href);
      assert.equal(tampered.status, 403, 'the filename is signed');
      await tampered.body?.cancel();
    });

    test('HEAD on a download URL gives the headers without the body', async () => {
      const key = `${prefix}head`;
      await store.put(key, Buffer.from('twelve bytes'), 'text/plain');
      const response = await http((await store.presignDownload({ key })).url, { method: 'HEAD' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('Content-Length'), '12');
      assert.equal(await response.text(), '');
    });

    test('a download URL is refused when expired, for another key, or tampered; a missing object is a 404', async () => {
      const key = `${prefix}private`;
      await store.put(key, Buffer.from('secret'), 'text/plain');
      await store.put(`${prefix}other`, Buffer.from('other secret'), 'text/plain');
      const { url } = await store.presignDownload({ key, expiresInSeconds: 1 });

      const other = new URL(url);
      other.pathname = other.pathname.replace(/private$/, 'other');
      const wrongKey = await http(other.href);
      assert.equal(wrongKey.status, 403);
      await wrongKey.body?.cancel();

      const signature = new URL(url);
      for (const name of signature.searchParams.keys()) {
        const value = signature.searchParams.get(name) ?? '';
        const changed = new URL(url);
        changed.searchParams.set(name, /^\d+$/.test(value) ? String(Number(value) + 3600) : `${value}x`);
        const response = await http(changed.href);
        assert.equal(response.status, 403, `changing ${name} must be refused`);
        await response.body?.cancel();
      }

      const missing = await http((await store.presignDownload({ key: `${prefix}nothing-here` })).url);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('Content-Type'), 'application/problem+json');
      await missing.body?.cancel();

      await expire(1);
      const expired = await http(url);
      assert.equal(expired.status, 403);
      assert.equal(((await expired.json()) as { code: string }).code, 'RequestExpired');
    });

    test('a download keeps streaming the version it started with when the object is replaced', async () => {
      const key = `${prefix}versioned`;
      const first = Buffer.alloc(256 * 1024, 'a');
      await store.put(key, first, 'application/octet-stream');
      const got = await store.get(key);
      await store.put(key, Buffer.from('b'), 'application/octet-stream');
      await store.delete(key);
      assert.deepEqual(await readAll(got?.body as NodeJS.ReadableStream), first);
    });
  });
}
