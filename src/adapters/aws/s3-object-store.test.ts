import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { objectStoreContract } from '../../../test/contracts/objects.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { type S3rverPeer, sqsEventOf, startS3rver } from '../../../test/support/s3rver.ts';
import { AppError } from '../../platform/errors.ts';
import type { ObjectEventRecord } from '../../platform/objects.ts';
import { s3EventHandler } from './s3-events.ts';
import { S3ObjectStore } from './s3-object-store.ts';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('base64');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

// The store's events are S3's own notifications: here s3rver's, carried to the handlers by the
// same SQS entry point that runs on AWS (one notification per message, as S3 sends them).
objectStoreContract('S3 on s3rver', async () => {
  const peer = await startS3rver();
  const delivered: ObjectEventRecord[] = [];
  const deliver = s3EventHandler([{ name: 'recorder', handle: async (record) => void delivered.push(record) }]);
  let forwarded = 0;
  return {
    store: new S3ObjectStore({ client: peer.client, bucket: peer.bucket }),
    events: async () => {
      const records = await peer.events();
      const fresh = records.slice(forwarded);
      forwarded = records.length;
      const { batchItemFailures } = await deliver(sqsEventOf(fresh.map((record) => ({ Records: [record] }))));
      assert.deepEqual(batchItemFailures, []);
      return [...delivered];
    },
    // No clock: s3rver checks a download URL's expiry against its own (real) time.
    gaps: {
      uploadGrants: 's3rver checks no POST policy or signature; the policy this adapter signs is asserted below',
      downloadSignatures: 's3rver verifies no SigV4 signature (only X-Amz-Expires); the signed query is asserted below',
      problemJsonErrors: 'S3 answers requests at pre-signed URLs with its XML error documents',
      headWithDownloadUrl: 'S3 signs the method, so a pre-signed GET refuses HEAD (s3rver would answer it)',
      longKeySegments: 's3rver keeps each key as a file path: a segment over 255 bytes crashes it',
      suffixRanges: 's3rver reads Range: bytes=-3 as bytes 0-3',
      statusHeaders: 's3rver sends no Content-Range with a 416 and no ETag with a 304',
      readIsolation:
        's3rver rewrites an object file in place: a started download survives only while in socket buffers',
    },
    close: () => peer.stop(),
  };
});

interface Sent {
  command: string;
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the command it expects
  input: any;
  headers: Record<string, string>;
}

/** Records every command the client sends (its input and the headers on the wire) until `stop`. */
function recordCommands(client: S3Client): { sent: Sent[]; stop(): void } {
  const sent: Sent[] = [];
  const name = `record-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      sent.push({ command: context.commandName ?? '', input: args.input, headers: { ...request.headers } });
      return next(args);
    },
    { step: 'finalizeRequest', name },
  );
  return { sent, stop: () => client.middlewareStack.remove(name) };
}

/** Changes what S3 answers to one kind of command, for what s3rver never answers (checksums, delete errors). */
function alterOutput(
  client: S3Client,
  command: string,
  alter: (output: Record<string, unknown>, input: Record<string, unknown>) => void,
): { stop(): void } {
  const name = `alter-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === command) {
        alter(result.output as unknown as Record<string, unknown>, args.input as Record<string, unknown>);
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return { stop: () => client.middlewareStack.remove(name) };
}

/** The SigV4 signing key of a credential scope (date, region, service). */
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const step = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  return step(step(step(step(`AWS4${secret}`, date), region), service), 'aws4_request');
}

describe('S3 object store: what s3rver cannot check, checked on what the adapter sends', () => {
  let peer: S3rverPeer;
  let store: S3ObjectStore;
  const clock = new TestClock(Date.parse('2030-01-02T03:04:05.678Z'));

  before(async () => {
    peer = await startS3rver();
    store = new S3ObjectStore({ client: peer.client, bucket: peer.bucket, clock });
  });
  after(() => peer.stop());

  test('the upload is a POST whose signed policy binds the bucket, exact key, exact type, size range and expiry', async () => {
    const key = 'private/u1/docs/report 2024 é.pdf';
    const grant = await store.presignUpload({
      key,
      contentType: 'application/pdf',
      maxSize: 5_000_000,
      expiresInSeconds: 600,
    });
    assert.equal(grant.method, 'POST');
    assert.deepEqual(grant.headers, {}, 'the browser sets the multipart Content-Type itself');
    assert.equal(grant.url, `${peer.endpoint}/${peer.bucket}`);
    const fields = grant.fields ?? {};
    assert.equal(fields.key, key);
    assert.equal(fields['Content-Type'], 'application/pdf');
    assert.equal(fields['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');

    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    const sortedJson = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();
    assert.deepEqual(
      sortedJson(policy.conditions),
      sortedJson([
        { bucket: peer.bucket },
        { key },
        { 'Content-Type': 'application/pdf' },
        ['content-length-range', 0, 5_000_000],
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
        { 'X-Amz-Credential': fields['X-Amz-Credential'] },
        { 'X-Amz-Date': fields['X-Amz-Date'] },
      ]),
      'exact matches only: no starts-with a client could stretch to another key or type',
    );
    // Every field the client sends is bound by a condition (S3 refuses a form with others).
    const bound = new Set(policy.conditions.flatMap((c) => (Array.isArray(c) ? [] : Object.keys(c as object))));
    for (const name of Object.keys(fields)) {
      if (name !== 'Policy' && name !== 'X-Amz-Signature') assert.ok(bound.has(name), `${name} is bound`);
    }

    const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(fields['X-Amz-Date'] ?? '');
    assert.ok(signedAt);
    const [, y, mo, d, h, mi, s] = signedAt;
    const lifetime = Date.parse(policy.expiration) - Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    assert.equal(lifetime, 600_000, 'the policy expires expiresInSeconds after it was signed');
    assert.equal(grant.expiresAt, new Date(policy.expiration).toISOString(), 'expiresAt is what S3 will enforce');

    // The signature is SigV4 over the policy with the client's key: a changed policy no longer matches.
    const [accessKey, date, region, service] = (fields['X-Amz-Credential'] ?? '').split('/');
    assert.equal(accessKey, 'S3RVER');
    assert.equal(region, 'us-east-1');
    const expected = createHmac('sha256', signingKey('S3RVER', date ?? '', region ?? '', service ?? ''))
      .update(fields.Policy ?? '')
      .digest('hex');
    assert.equal(fields['X-Amz-Signature'], expected);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own variable, written literally
  const filenameVariable = '${filename}';

  test(`an upload key containing ${filenameVariable} is refused: S3 would let the client name the key`, async () => {
    await assert.rejects(
      store.presignUpload({ key: `private/u1/${filenameVariable}`, contentType: 'text/plain', maxSize: 10 }),
      (error: unknown) => error instanceof AppError && error.status === 400 && error.code === 'InvalidKey',
    );
  });

  test('the download URL signs only the host, for expiresIn seconds from the clock, with the filename and caching in its signed query', async () => {
    const key = 'private/u1/photos/my cat+dog.jpg';
    const { url, expiresAt } = await store.presignDownload({
      key,
      filename: 'résumé "final".pdf',
      expiresInSeconds: 120,
    });
    const parsed = new URL(url);
    assert.equal(parsed.pathname, `/${peer.bucket}/private/u1/photos/my%20cat%2Bdog.jpg`);
    const query = parsed.searchParams;
    assert.equal(query.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(query.get('X-Amz-SignedHeaders'), 'host', 'nothing the browser would have to send');
    assert.equal(query.get('X-Amz-Date'), '20300102T030405Z');
    assert.equal(query.get('X-Amz-Expires'), '120');
    assert.equal(expiresAt, '2030-01-02T03:06:05.000Z');
    // SigV4 signs every query parameter but the signature: changing either of these breaks it.
    assert.equal(
      query.get('response-content-disposition'),
      `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    assert.equal(query.get('response-cache-control'), 'private, max-age=120');
    assert.match(query.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);

    const plain = new URL((await store.presignDownload({ key })).url);
    assert.equal(plain.searchParams.get('response-content-disposition'), null);
    assert.equal(plain.searchParams.get('X-Amz-Expires'), '900', 'the default lifetime is 15 minutes');
  });

  test('put sends the SHA-256 it computed, for S3 to check the bytes and keep as the checksum', async () => {
    const recorder = recordCommands(peer.client);
    try {
      const bytes = Buffer.from('checked by S3');
      const info = await store.put('sums/put.txt', bytes, 'text/plain');
      const put = recorder.sent.find((s) => s.command === 'PutObjectCommand');
      assert.equal(put?.input.ChecksumSHA256, sha256(bytes));
      assert.equal(put?.headers['x-amz-checksum-sha256'], sha256(bytes));
      assert.equal(info.checksumSha256, sha256(bytes));
    } finally {
      recorder.stop();
    }
  });

  test('head and get take S3 full-object ChecksumSHA256 (asked for with ChecksumMode) without reading the bytes again', async () => {
    await store.put('sums/stored.txt', Buffer.from('stored'), 'text/plain');
    // What S3 answers for an object it holds a SHA-256 of; s3rver keeps no checksums.
    const altered = [
      alterOutput(peer.client, 'HeadObjectCommand', (output) => {
        Object.assign(output, { ChecksumSHA256: 'from-s3=', ChecksumType: 'FULL_OBJECT' });
      }),
      alterOutput(peer.client, 'GetObjectCommand', (output) => {
        Object.assign(output, { ChecksumSHA256: 'from-s3=', ChecksumType: 'FULL_OBJECT' });
      }),
    ];
    const recorder = recordCommands(peer.client);
    try {
      assert.equal((await store.head('sums/stored.txt'))?.checksumSha256, 'from-s3=');
      const got = await store.get('sums/stored.txt');
      assert.equal(got?.info.checksumSha256, 'from-s3=');
      assert.deepEqual(await readAll(got?.body as NodeJS.ReadableStream), Buffer.from('stored'));
      assert.deepEqual(
        recorder.sent.map((s) => [s.command, s.input.ChecksumMode]),
        [
          ['HeadObjectCommand', 'ENABLED'],
          ['GetObjectCommand', 'ENABLED'],
        ],
      );
    } finally {
      recorder.stop();
      for (const alter of altered) alter.stop();
    }
  });

  test('a multipart checksum of checksums is not taken for the SHA-256 of the bytes', async () => {
    const bytes = Buffer.from('several parts');
    await store.put('sums/multipart.bin', bytes, 'application/octet-stream');
    const altered = alterOutput(peer.client, 'HeadObjectCommand', (output) => {
      Object.assign(output, { ChecksumSHA256: 'Y29tcG9zaXRl-3', ChecksumType: 'COMPOSITE' });
    });
    try {
      assert.equal((await store.head('sums/multipart.bin'))?.checksumSha256, sha256(bytes));
    } finally {
      altered.stop();
    }
  });

  test('an object uploaded by POST has no checksum at S3: head and get hash its bytes, pinned to the ETag they saw', async () => {
    const key = 'sums/posted.txt';
    const bytes = Buffer.from('posted from a browser');
    const grant = await store.presignUpload({ key, contentType: 'text/plain', maxSize: 100 });
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields ?? {})) form.append(name, value);
    form.append('file', new Blob([bytes], { type: 'text/plain' }));
    const response = await fetch(grant.url, { method: 'POST', body: form });
    assert.equal(response.status, 204);

    const recorder = recordCommands(peer.client);
    try {
      const info = await store.head(key);
      assert.equal(info?.checksumSha256, sha256(bytes));
      const hashing = recorder.sent.find((s) => s.command === 'GetObjectCommand');
      assert.equal(
        hashing?.input.IfMatch,
        info?.etag,
        'the bytes hashed are those of the version whose metadata is given',
      );
      const got = await store.get(key);
      assert.equal(got?.info.checksumSha256, sha256(bytes));
      assert.deepEqual(await readAll(got?.body as NodeJS.ReadableStream), bytes);
    } finally {
      recorder.stop();
    }
  });

  test('head starts over when the object is replaced while its bytes are hashed, and reports the new version', async () => {
    const key = 'sums/racing.txt';
    await store.put(key, Buffer.from('first'), 'text/plain');
    let raced = false;
    const name = 'race';
    // S3 answers a GET whose If-Match lost to a newer write with 412; s3rver ignores If-Match.
    peer.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IfMatch?: string };
        if (context.commandName === 'GetObjectCommand' && input.IfMatch && !raced) {
          raced = true;
          await peer.client.send(new PutObjectCommand({ Bucket: peer.bucket, Key: key, Body: 'second' }));
          throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
            name: 'PreconditionFailed',
            $metadata: { httpStatusCode: 412 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const info = await store.head(key);
      assert.ok(raced);
      assert.equal(info?.size, 6);
      assert.equal(info?.checksumSha256, sha256('second'));
    } finally {
      peer.client.middlewareStack.remove(name);
    }
  });

  test('copy asks S3 to compute the copy SHA-256 and sends the source key URL-encoded', async () => {
    // s3rver decodes the copy source with decodeURI, so its keys here avoid + & ? #.
    const from = 'moves/from dir/ünï.txt';
    await store.put(from, Buffer.from('moving'), 'text/plain');
    const recorder = recordCommands(peer.client);
    try {
      const copied = await store.copy(from, 'moves/to.txt');
      assert.equal(copied.checksumSha256, sha256('moving'));
      const copy = recorder.sent.find((s) => s.command === 'CopyObjectCommand');
      assert.equal(copy?.input.CopySource, `${peer.bucket}/moves/from%20dir/%C3%BCn%C3%AF.txt`);
      assert.equal(copy?.input.ChecksumAlgorithm, 'SHA256');
      assert.equal(copy?.input.MetadataDirective, 'COPY');
    } finally {
      recorder.stop();
    }
  });

  test('deletePrefix lists and deletes page by page (ListObjectsV2, then DeleteObjects of that page)', async () => {
    const paged = new S3ObjectStore({ client: peer.client, bucket: peer.bucket, deleteBatchSize: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await paged.put(`gone/${name}`, Buffer.from(name), 'text/plain');
    await paged.put('kept/a', Buffer.from('a'), 'text/plain');
    const recorder = recordCommands(peer.client);
    try {
      assert.equal(await paged.deletePrefix('gone/'), 5);
      const lists = recorder.sent.filter((s) => s.command === 'ListObjectsV2Command');
      assert.deepEqual(
        lists.map((s) => [s.input.Prefix, s.input.MaxKeys, typeof s.input.ContinuationToken]),
        [
          ['gone/', 2, 'undefined'],
          ['gone/', 2, 'string'],
          ['gone/', 2, 'string'],
        ],
      );
      const deletes = recorder.sent.filter((s) => s.command === 'DeleteObjectsCommand');
      assert.deepEqual(
        deletes.map((s) => [s.input.Delete.Quiet, s.input.Delete.Objects.map((o: { Key: string }) => o.Key)]),
        [
          [true, ['gone/a', 'gone/b']],
          [true, ['gone/c', 'gone/d']],
          [true, ['gone/e']],
        ],
      );
      assert.ok(await paged.head('kept/a'));
    } finally {
      recorder.stop();
    }
    const full = recordCommands(peer.client);
    try {
      await store.deletePrefix('kept/');
      assert.equal(full.sent.find((s) => s.command === 'ListObjectsV2Command')?.input.MaxKeys, 1000);
    } finally {
      full.stop();
    }
  });

  test('deletePrefix fails, naming the keys, when S3 refuses to delete some of a page', async () => {
    await store.put('locked/a', Buffer.from('a'), 'text/plain');
    await store.put('locked/b', Buffer.from('b'), 'text/plain');
    const altered = alterOutput(peer.client, 'DeleteObjectsCommand', (output) => {
      output.Errors = [{ Key: 'locked/b', Code: 'AccessDenied', Message: 'Access Denied' }];
    });
    try {
      await assert.rejects(
        store.deletePrefix('locked/'),
        /did not delete 1 of 2 objects under locked\/: locked\/b \(AccessDenied\)/,
      );
    } finally {
      altered.stop();
    }
  });

  test('a missing bucket is an error, not a missing object', async () => {
    const wrong = new S3ObjectStore({ client: peer.client, bucket: 'no-such-bucket' });
    await assert.rejects(wrong.get('anything'), (error: unknown) => !(error instanceof AppError));
  });

  test('the delete batch size is checked against the most DeleteObjects takes', () => {
    for (const deleteBatchSize of [0, 1001, 1.5]) {
      assert.throws(
        () => new S3ObjectStore({ client: peer.client, bucket: peer.bucket, deleteBatchSize }),
        /1 to 1000/,
      );
    }
  });
});
