/**
 * s3rver, the S3 API peer the S3 adapter's tests run against: started in a child process on
 * 127.0.0.1 on a free port, with a temporary directory and one bucket, and stopped after.
 *
 * Why a child process: s3rver makes its listing continuation tokens with DES, which Node 20's
 * OpenSSL 3 only has with `--openssl-legacy-provider`. Passing that flag to a child keeps it out
 * of the test process and makes `npm test` work without any NODE_OPTIONS.
 *
 * s3rver emits S3 event notifications (as an `event` on the server); the child forwards them
 * over IPC. Where they deviate from what S3 sends, {@link startS3rver} corrects them before a
 * test sees them, each deviation named in {@link toS3Shape}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord, SQSEvent } from 'aws-lambda';

export interface S3rverPeer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** A client set up the way s3rver needs: path-style URLs, its fixed credentials, checksums only when required. */
  client: S3Client;
  /**
   * The S3 event records s3rver emitted so far, oldest first, shaped as S3 sends them. Every
   * request already answered has its records in here (they are flushed over IPC first).
   */
  events(): Promise<S3EventRecord[]>;
  stop(): Promise<void>;
}

/** s3rver's built-in account: the only credentials it accepts. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'event'; event: { Records: S3EventRecord[] } }
  | { type: 'flushed'; id: number };

/*
 * Runs in the child (CommonJS, plain Node: no tsx needed there). Two fixes to s3rver's store:
 * - s3rver emits no events for DeleteObjects (the multi-object delete). Its store's
 *   `deleteObject` runs for both DELETE and DeleteObjects, and only when the object exists, so
 *   removal events are emitted from there (with s3rver's own event model) and its DELETE
 *   events are dropped to avoid doubles.
 * - DeleteObjects deletes its keys concurrently, and each deletion then removes the folders it
 *   left empty: two of them in one folder race (ENOENT), the request fails half done and the
 *   SDK's retry finds the rest gone. Deletions run one at a time here.
 */
const CHILD_SOURCE = `
const path = require('node:path');
const S3rver = require(process.env.S3RVER_MODULE);
const S3Event = require(path.join(path.dirname(process.env.S3RVER_MODULE), 'models', 'event.js'));
const send = (message) => process.connected && process.send(message);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.S3RVER_DIRECTORY,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET }],
});
server.on('error', () => {});
server.on('event', (event) => {
  if (event.Records[0].eventName !== 'ObjectRemoved:Delete') send({ type: 'event', event });
});
const store = server.store;
const deleteObject = store.deleteObject.bind(store);
let deletions = Promise.resolve();
store.deleteObject = (bucket, key) => {
  const deletion = deletions.then(async () => {
    await deleteObject(bucket, key);
    const event = new S3Event(
      { bucket, eventType: 'Delete', S3Item: { key } },
      { reqHeaders: { host: '127.0.0.1' }, sourceIp: '127.0.0.1' },
    );
    send({ type: 'event', event });
  });
  deletions = deletion.catch(() => {});
  return deletion;
};
process.on('message', (message) => {
  if (message.type === 'flush') send({ type: 'flushed', id: message.id });
});
process.on('disconnect', () => process.exit(0));
server.run().then(
  (address) => send({ type: 'ready', port: address.port }),
  (error) => { console.error(error); process.exit(1); },
);
`;

/** Starts s3rver with a fresh temporary directory and `bucket` created. */
export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverPeer> {
  const bucket = options.bucket ?? 'stratus-test';
  const directory = await mkdtemp(join(tmpdir(), 'stratus-s3rver-'));
  const s3rverModule = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SOURCE], {
    cwd: dirname(s3rverModule),
    env: { ...process.env, S3RVER_MODULE: s3rverModule, S3RVER_DIRECTORY: directory, S3RVER_BUCKET: bucket },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const received: S3EventRecord[] = [];
  const flushes = new Map<number, () => void>();
  let nextFlush = 0;
  const nextSequencer = sequencerFactory();
  let stopping = false;
  let crashed: Error | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      // Most likely a request s3rver could not survive (it dies on some file system errors).
      if (!stopping) crashed = new Error(`s3rver exited (${code}) during the tests: ${stderr}`);
      resolve();
    }),
  );
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'event') {
      for (const record of message.event.Records) received.push(toS3Shape(record, nextSequencer()));
    } else if (message.type === 'flushed') {
      flushes.get(message.id)?.();
      flushes.delete(message.id);
    }
  });

  let port: number;
  try {
    port = await whenReady(child, () => stderr);
  } catch (error) {
    stopping = true;
    child.kill();
    await exited;
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    endpoint,
    bucket,
    client,
    events: async () => {
      if (crashed) throw crashed;
      // IPC keeps order, and s3rver emits before it answers: once the flush returns, every
      // event of every answered request has arrived.
      const id = nextFlush++;
      await new Promise<void>((resolve, reject) => {
        flushes.set(id, resolve);
        child.send({ type: 'flush', id }, (error) => error && reject(error));
      });
      return [...received];
    },
    stop: async () => {
      stopping = true;
      client.destroy();
      child.kill();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function whenReady(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${stderr()}`)), 15_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}) before it was ready: ${stderr()}`));
    });
  });
}

/** Increasing, equal-length hex sequencers, as S3 gives for the writes to one key. */
function sequencerFactory(): () => string {
  let last = 0n;
  return () => {
    let next = BigInt(Date.now()) * 4096n;
    if (next <= last) next = last + 1n;
    last = next;
    return next.toString(16).toUpperCase().padStart(16, '0');
  };
}

/**
 * One s3rver record made into what S3 sends. s3rver deviates in:
 * - the key: S3 URL-encodes it (spaces as `+`, `/` kept); s3rver sends it raw;
 * - the bucket ARN: s3rver writes `arn:aws:s3: : :bucket`;
 * - `eventVersion`: `2.0` from s3rver, `2.1` from S3;
 * - the sequencer: s3rver's is the millisecond in hex, equal for two writes in one millisecond;
 *   S3's orders every write to a key.
 * Left as s3rver sends it: Copy records without `eTag` (S3 sends it), a random principal.
 */
function toS3Shape(record: S3EventRecord, sequencer: string): S3EventRecord {
  return {
    ...record,
    eventVersion: '2.1',
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${record.s3.bucket.name}` },
      object: { ...record.s3.object, key: encodeLikeS3(record.s3.object.key), sequencer },
    },
  };
}

/** S3's encoding of keys in event records: form-URL-encoded segments, spaces as `+`, `/` kept. */
export function encodeLikeS3(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

/**
 * An SQS batch as the event source mapping hands it to Lambda: one message per body, since S3
 * puts one notification in each message. Bodies that are not strings are sent as JSON.
 */
export function sqsEventOf(bodies: unknown[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body, index) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return {
        messageId: randomUUID(),
        receiptHandle: `receipt-${index}`,
        body: text,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAJHIPRHEMV73VRJEBU',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(text).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:stratus-object-events',
        awsRegion: 'us-east-1',
      };
    }),
  };
}
