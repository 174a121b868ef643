import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../src/platform/errors.ts';
import {
  type ObjectEventRecord,
  type ObjectStore,
  objectKeyOf,
  type PresignedUpload,
} from '../../src/platform/objects.ts';
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
  /**
   * What the store behind the adapter cannot do, each with the reason (shown as the skip
   * message): the cases, or the assertions, that need it are skipped. Absent, every case runs
   * whole, as for the local disk. Only for what an emulator lacks or where S3 itself answers
   * differently; never to hide a bug of the adapter.
   */
  gaps?: Partial<Record<ObjectStoreGap, string>>;
  close(): Promise<void>;
}

export type ObjectStoreGap =
  /** Pre-signed uploads are not checked: signature, expiry, key, content type, size. */
  | 'uploadGrants'
  /** Pre-signed downloads' signatures are not checked (a changed key, query parameter or filename). Expiry still is. */
  | 'downloadSignatures'
  /** Errors at pre-signed URLs are not `application/problem+json` with a `code` (S3 answers in XML). */
  | 'problemJsonErrors'
  /** A download URL does not answer HEAD (S3 signs the method: a GET URL refuses HEAD). */
  | 'headWithDownloadUrl'
  /** A key segment over 255 bytes cannot be stored. */
  | 'longKeySegments'
  /** `Range: bytes=-n` (the last n bytes) is not understood. */
  | 'suffixRanges'
  /** A 416 lacks `Content-Range: bytes *\/size`, or a 304 lacks the `ETag`. */
  | 'statusHeaders'
  /** Replacing or deleting an object changes the bytes a download already started is reading. */
  | 'readIsolation';

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
 * A `multipart/form-data` body as a browser sends an S3 POST: the fields in order, then the
 * file, last, named `file`; streamed when the file is a stream.
 */
function multipart(
  fields: Record<string, string>,
  file: Buffer | ReadableStream<Uint8Array>,
): { body: Buffer | ReadableStream<Uint8Array>; contentType: string } {
  const boundary = `----stratus${randomBytes(12).toString('hex')}`;
  const contentType = `multipart/form-data; boundary=${boundary}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const fileType = fields['Content-Type'] ?? 'application/octet-stream';
  const head = Buffer.from(
    `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload"\r\nContent-Type: ${fileType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  if (Buffer.isBuffer(file)) return { body: Buffer.concat([head, file, tail]), contentType };
  const reader = file.getReader();
  let stage: 'head' | 'file' | 'tail' = 'head';
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        controller.enqueue(new Uint8Array(head));
        stage = 'file';
        return;
      }
      if (stage === 'file') {
        const next = await reader.read();
        if (!next.done) return controller.enqueue(next.value);
        stage = 'tail';
      }
      controller.enqueue(new Uint8Array(tail));
      controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { body, contentType };
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

    // Node's fetch takes a Buffer body; the DOM's RequestInit type (which graphql-yoga's types bring in) does not say so.
    const http = (
      url: string,
      init?: Omit<RequestInit, 'body'> & { body?: Buffer | ReadableStream<Uint8Array> | string },
    ) => (subject.fetch ?? fetch)(url, init as RequestInit);
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

    /** Why a case (or part of one) is skipped for this store; false when the store can do it. */
    const gap = (...names: ObjectStoreGap[]): string | false => {
      for (const name of names) {
        const reason = subject?.gaps?.[name];
        if (reason) return `${name}: ${reason}`;
      }
      return false;
    };
    /** Skips the case (saying why) when the store has one of these gaps; true when it did. */
    const skipFor = (t: TestContext, ...names: ObjectStoreGap[]): boolean => {
      const reason = gap(...names);
      if (reason) t.skip(reason);
      return reason !== false;
    };

    const upload = (url: string, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
      http(url, {
        method: 'PUT',
        body,
        headers,
        // A refusal that never comes fails the case instead of hanging the suite.
        signal: AbortSignal.timeout(10_000),
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      });

    /**
     * Uploads as a client does with a grant: a PUT with its headers, or a POST with its form
     * fields and then the file (last, named `file`). `change` alters what is sent, to attack.
     */
    const send = (
      grant: PresignedUpload,
      body: Buffer | ReadableStream<Uint8Array>,
      change: { url?: string; headers?: Record<string, string>; fields?: Record<string, string> } = {},
    ) => {
      const url = change.url ?? grant.url;
      const headers = change.headers ?? grant.headers;
      if (grant.method === 'PUT') return upload(url, body, headers);
      const fields = change.fields ?? grant.fields ?? {};
      const form = multipart(fields, body);
      return http(url, {
        method: 'POST',
        body: form.body,
        headers: { ...headers, 'Content-Type': form.contentType },
        signal: AbortSignal.timeout(10_000),
        ...(form.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      });
    };

    /** The error code of a refusal, from a problem document (or S3's XML error, when the store answers so). */
    async function refusalCode(response: Response): Promise<string | undefined> {
      const text = await response.text();
      if (!gap('problemJsonErrors')) {
        assert.equal(response.headers.get('Content-Type'), 'application/problem+json');
        return (JSON.parse(text) as { code?: string }).code;
      }
      return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    }

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
        ...(gap('longKeySegments') ? [] : [`${prefix}${'s'.repeat(300)}`]),
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
      await assert.rejects(store.presignUpload({ key, contentType: 'text/plain', maxSize: -1 }), isAppError(400));
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

    test('listKeys pages the keys under a prefix in key order, and nothing beside it', async () => {
      for (const name of ['l/2', 'l/1', 'l/sub/3', 'lx/4']) {
        await store.put(`${prefix}${name}`, Buffer.from(name), 'text/plain');
      }
      const page = await store.listKeys(`${prefix}l/`);
      assert.deepEqual(page, { keys: ['l/1', 'l/2', 'l/sub/3'].map((name) => `${prefix}${name}`) });
      assert.deepEqual((await store.listKeys(`${prefix}l/`, `${prefix}l/2`)).keys, [`${prefix}l/sub/3`]);
      assert.deepEqual(await store.listKeys(`${prefix}none/`), { keys: [] });
      await assert.rejects(store.listKeys(''), isAppError(400));
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
      assert.ok(grant.method === 'PUT' || grant.method === 'POST');
      if (grant.method === 'POST') assert.ok(grant.fields, 'a POST grant gives the form fields to send');
      assert.ok(Date.parse(grant.expiresAt) > Date.now() - 1000);
      const put = await send(grant, bytes);
      // S3 answers a POST upload with 204 unless told otherwise.
      assert.equal(put.status, grant.method === 'PUT' ? 200 : 204, await put.clone().text());
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

    test('an upload URL is refused once expired, and leaves nothing', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
      const key = `${prefix}late`;
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10, expiresInSeconds: 1 });
      const files = await subject.files?.();
      await expire(1);
      const response = await send(grant, Buffer.from('late'));
      assert.equal(response.status, 403);
      const code = await refusalCode(response);
      if (!gap('problemJsonErrors')) assert.equal(code, 'RequestExpired');
      await assertNothingStored(key, files);
    });

    test('changing any signed part of an upload (type, size, expiry, key, signature...) is refused', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
      const key = `${prefix}bound`;
      const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 10 });
      const files = await subject.files?.();
      // A different value of the same kind: a bigger number, another type, a flipped character.
      const changedValue = (value: string) =>
        /^\d+$/.test(value)
          ? String(Number(value) * 10 + 1)
          : value === 'text/plain'
            ? 'text/html'
            : `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
      if (grant.method === 'PUT') {
        const names = [...new URL(grant.url).searchParams.keys()];
        assert.ok(names.length >= 2);
        for (const name of names) {
          const tampered = new URL(grant.url);
          const value = tampered.searchParams.get(name) ?? '';
          const changed = changedValue(value);
          tampered.searchParams.set(name, changed);
          const headers = value === 'text/plain' ? { 'Content-Type': changed } : grant.headers;
          const response = await send(grant, Buffer.from('x'), { url: tampered.href, headers });
          assert.equal(response.status, 403, `changing ${name} to ${changed} must be refused`);
          await response.body?.cancel();
        }
        const dropped = new URL(grant.url);
        dropped.search = '';
        const unsigned = await send(grant, Buffer.from('x'), { url: dropped.href });
        assert.equal(unsigned.status, 403, 'a URL without its signature is refused');
      } else {
        const fields = grant.fields ?? {};
        assert.ok(Object.keys(fields).length >= 2);
        for (const [name, value] of Object.entries(fields)) {
          const changed = changedValue(value);
          const response = await send(grant, Buffer.from('x'), { fields: { ...fields, [name]: changed } });
          assert.equal(response.status, 403, `changing the ${name} field to ${changed} must be refused`);
          await response.body?.cancel();
        }
        const unsigned = await send(grant, Buffer.from('x'), { fields: { key, 'Content-Type': 'text/plain' } });
        assert.equal(unsigned.status, 403, 'a form without its policy and signature is refused');
      }
      await assertNothingStored(key, files);
    });

    test('an upload URL cannot be replayed to another key or with a traversal in the key', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
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
        let response: Response;
        if (grant.method === 'PUT') {
          const other = new URL(url);
          other.pathname = url.pathname.replace(/[^/]+\/[^/]+\/[^/]+$/, path);
          response = await send(grant, Buffer.from('x'), { url: other.href });
        } else {
          // A POST names its key in a form field.
          response = await send(grant, Buffer.from('x'), {
            fields: { ...grant.fields, key: decodeURIComponent(path) },
          });
        }
        assert.equal(response.status, 403, `uploading to ${path} must be refused`);
        await response.body?.cancel();
      }
      assert.equal(await store.head(key), undefined);
      await assertNothingStored(`${prefix}mine/other.txt`, files);
    });

    test('an upload URL is bound to its method: it does not download, and a download URL does not upload', async (t) => {
      if (skipFor(t, 'uploadGrants', 'downloadSignatures')) return;
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

    test('an upload with another Content-Type than the signed one is refused', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
      const key = `${prefix}typed`;
      const grant = await store.presignUpload({ key, contentType: 'image/png', maxSize: 10 });
      const files = await subject.files?.();
      for (const contentType of ['text/html', 'image/png; x=y']) {
        // PUT sends the type as a header; POST as a form field.
        const response = await send(grant, Buffer.from('<script>'), {
          headers: grant.method === 'PUT' ? { 'Content-Type': contentType } : grant.headers,
          fields: { ...grant.fields, 'Content-Type': contentType },
        });
        assert.equal(response.status, 403, contentType);
        await response.body?.cancel();
      }
      await assertNothingStored(key, files);
    });

    test('a body over the signed size is refused (EntityTooLarge), with or without a Content-Length', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
      const key = `${prefix}big`;
      const grant = await store.presignUpload({ key, contentType: 'application/octet-stream', maxSize: 100 });
      const files = await subject.files?.();
      // S3 refuses a POST outside its policy's content-length-range with a 400.
      const refused = grant.method === 'PUT' ? 413 : 400;

      const declared = await send(grant, Buffer.alloc(101, 1));
      assert.equal(declared.status, refused);
      assert.equal(await refusalCode(declared), 'EntityTooLarge');

      const chunks = [Buffer.alloc(40, 2), Buffer.alloc(40, 3), Buffer.alloc(40, 4)];
      const chunked = await send(grant, chunkedBody(chunks));
      assert.equal(chunked.status, refused);
      await chunked.body?.cancel();
      await assertNothingStored(key, files);

      // Exactly the limit is allowed.
      const exact = await send(grant, chunkedBody([Buffer.alloc(60, 5), Buffer.alloc(40, 6)]));
      assert.equal(exact.status, grant.method === 'PUT' ? 200 : 204);
      assert.equal((await store.head(key))?.size, 100);
    });

    test('a body that keeps coming is cut off as soon as it passes the signed size', async (t) => {
      if (skipFor(t, 'uploadGrants')) return;
      const key = `${prefix}endless`;
      const grant = await store.presignUpload({ key, contentType: 'application/octet-stream', maxSize: 100 });
      const files = await subject.files?.();
      // The stream never ends: only a refusal at the limit can answer this request.
      const body = chunkedBody([Buffer.alloc(64), Buffer.alloc(64)], false);
      const response = await send(grant, body);
      assert.equal(response.status, grant.method === 'PUT' ? 413 : 400);
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
        ...(gap('suffixRanges') ? [] : [['bytes=-3', '789', 'bytes 7-9/10'] as [string, string, string]]),
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
      if (!gap('statusHeaders')) assert.equal(outside.headers.get('Content-Range'), 'bytes */10');
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
      if (!gap('statusHeaders')) assert.equal(fresh.headers.get('ETag'), info.etag);
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

      if (gap('downloadSignatures')) return;
      const renamed = new URL(url);
      const name = [...renamed.searchParams.keys()].find((k) => renamed.searchParams.get(k)?.includes('.pdf'));
      assert.ok(name, 'the filename travels in the URL');
      renamed.searchParams.set(name, 'evil.html');
      const tampered = await http(renamed.href);
      assert.equal(tampered.status, 403, 'the filename is signed');
      await tampered.body?.cancel();
    });

    test('HEAD on a download URL gives the headers without the body', async (t) => {
      if (skipFor(t, 'headWithDownloadUrl')) return;
      const key = `${prefix}head`;
      await store.put(key, Buffer.from('twelve bytes'), 'text/plain');
      const response = await http((await store.presignDownload({ key })).url, { method: 'HEAD' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('Content-Length'), '12');
      assert.equal(await response.text(), '');
    });

    test('a download URL is refused for another key, or with any query parameter changed', async (t) => {
      if (skipFor(t, 'downloadSignatures')) return;
      const key = `${prefix}private`;
      await store.put(key, Buffer.from('secret'), 'text/plain');
      await store.put(`${prefix}other`, Buffer.from('other secret'), 'text/plain');
      const { url } = await store.presignDownload({ key, expiresInSeconds: 60 });

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
    });

    test('a download URL of a missing object is a 404 (NoSuchKey)', async () => {
      const missing = await http((await store.presignDownload({ key: `${prefix}nothing-here` })).url);
      assert.equal(missing.status, 404);
      assert.equal(await refusalCode(missing), 'NoSuchKey');
    });

    test('a download URL is refused once expired', async () => {
      const key = `${prefix}fleeting`;
      await store.put(key, Buffer.from('secret'), 'text/plain');
      const { url } = await store.presignDownload({ key, expiresInSeconds: 1 });
      await expire(1);
      const expired = await http(url);
      assert.equal(expired.status, 403);
      const code = await refusalCode(expired);
      if (!gap('problemJsonErrors')) assert.equal(code, 'RequestExpired');
    });

    test('a download keeps streaming the version it started with when the object is replaced', async (t) => {
      if (skipFor(t, 'readIsolation')) return;
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
