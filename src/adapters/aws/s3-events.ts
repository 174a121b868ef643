/**
 * S3 event notifications → the port's object events, so the handlers the local queue runs on
 * one machine are the ones S3 drives on AWS.
 *
 * Delivery is S3 → SQS → Lambda (event source mapping with `ReportBatchItemFailures`) by
 * default; S3 → Lambda directly is the CDK app's `-c objectEvents=direct`. Why the queue:
 * - It is the local queue's shape: a durable queue, a retry per message after a back-off (the
 *   visibility timeout), and a dead-letter queue after `maxReceiveCount` tries, which holds the
 *   message itself for inspection and redrive.
 * - A failure retries only its message (`batchItemFailures`); an asynchronous invoke retries
 *   the whole event at most twice, then only hands it to an on-failure destination.
 * - Bursts wait in the queue (batch size, maximum concurrency) instead of being throttled, and
 *   throttled async events age out after six hours at most.
 * - Queue depth and dead-letter depth are plain CloudWatch metrics to alarm on.
 * The cost is one more resource, a few milliseconds of latency, and the `s3:TestEvent` message
 * S3 sends when the notification is configured, which is skipped here.
 */
import type { S3Event, S3EventRecord, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  encodeEventKey,
  type ObjectEventHandler,
  type ObjectEventName,
  type ObjectEventRecord,
  objectKeyOf,
} from '../../platform/objects.ts';

/**
 * The port's name for an S3 event name; undefined for events the port has no name for
 * (restore, replication, tagging, ACL, transitions), which are skipped.
 *
 * - `ObjectCreated:Copy` stays a copy; every other creation (`Put`, `Post` — browser uploads
 *   with a pre-signed POST —, `CompleteMultipartUpload`) is new bytes, `ObjectCreated:Put`.
 * - Every removal is `ObjectRemoved:Delete`: a plain delete, a delete marker in a versioned
 *   bucket (`DeleteMarkerCreated`) and lifecycle expiry all make the key read as missing.
 */
export function objectEventName(s3EventName: string): ObjectEventName | undefined {
  if (s3EventName === 'ObjectCreated:Copy') return 'ObjectCreated:Copy';
  if (s3EventName.startsWith('ObjectCreated:')) return 'ObjectCreated:Put';
  if (s3EventName.startsWith('ObjectRemoved:')) return 'ObjectRemoved:Delete';
  if (s3EventName === 'LifecycleExpiration:Delete' || s3EventName === 'LifecycleExpiration:DeleteMarkerCreated') {
    return 'ObjectRemoved:Delete';
  }
  return undefined;
}

/**
 * One S3 record as the port's record, or undefined when the port has no name for its event.
 * The key is re-encoded the port's way (S3 leaves `/` unencoded, the port encodes it): both
 * decode to the same key with `objectKeyOf`, and the same key gives the same record wherever
 * it came from. Size and ETag travel only on creations, as on S3.
 */
export function toObjectEventRecord(record: S3EventRecord): ObjectEventRecord | undefined {
  if (record?.eventSource !== 'aws:s3' || typeof record.s3?.object?.key !== 'string') {
    throw new Error(`Not an S3 event record: ${JSON.stringify(record)?.slice(0, 200)}`);
  }
  const eventName = objectEventName(record.eventName);
  if (!eventName) return undefined;
  const { bucket, object } = record.s3;
  const created = eventName !== 'ObjectRemoved:Delete';
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: record.awsRegion,
    eventTime: record.eventTime,
    eventName,
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket.name, arn: bucket.arn || `arn:aws:s3:::${bucket.name}` },
      object: {
        key: encodeEventKey(decodeS3Key(object.key)),
        ...(created && typeof object.size === 'number' ? { size: object.size } : {}),
        ...(created && typeof object.eTag === 'string' ? { eTag: object.eTag } : {}),
        sequencer: object.sequencer,
      },
    },
  };
}

/** The port's records of one S3 event notification, in order, skipping events the port does not name. */
export function toObjectEventRecords(event: { Records: S3EventRecord[] }): ObjectEventRecord[] {
  return event.Records.flatMap((record) => toObjectEventRecord(record) ?? []);
}

/** What S3 sends once when a notification is configured, to prove it can write to the queue: no records. */
export function isS3TestEvent(body: unknown): boolean {
  return (body as { Event?: unknown } | null)?.Event === 's3:TestEvent';
}

/** Where a failure happened, for the log line and for finding the message in the dead-letter queue. */
export interface S3EventFailure {
  /** The SQS message; absent when S3 invoked the function directly. */
  messageId?: string;
  /** How many times SQS has handed this message out, this one included. */
  receiveCount?: number;
  /** The handler that threw; absent when the message itself could not be read. */
  handler?: string;
  key?: string;
  eventName?: ObjectEventName;
}

export interface S3EventHandlerOptions {
  /** Told about every failure before its message goes back to the queue. Default: a JSON line on stderr. */
  onError?: (error: unknown, failure: S3EventFailure) => void;
}

/**
 * The Lambda handler of the object-events queue: each SQS message carries one S3 event
 * notification (its body); every record of it goes to every handler, in order. A message is
 * done only when every handler took every record; otherwise it is reported in
 * `batchItemFailures`, and SQS hands it out again later (and to the dead-letter queue after
 * `maxReceiveCount`). The other handlers still run on a message one handler failed: each gets
 * its work done, and, as everywhere, may see a record again. A body that is not an S3
 * notification can never succeed: it is reported failed so it ends up in the dead-letter
 * queue, where someone can look at it. The `s3:TestEvent` message is done at once.
 *
 * Needs `ReportBatchItemFailures` on the event source mapping: without it the return value is
 * ignored and a failed message is deleted with its batch.
 */
export function s3EventHandler(
  handlers: ObjectEventHandler[],
  options: S3EventHandlerOptions = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const onError = options.onError ?? logToStderr;
  return async (event) => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const message of event.Records) {
      const where = { messageId: message.messageId, ...receiveCountOf(message) };
      let records: ObjectEventRecord[];
      try {
        records = recordsOfMessage(message);
      } catch (error) {
        onError(error, where);
        batchItemFailures.push({ itemIdentifier: message.messageId });
        continue;
      }
      if (!(await handleAll(handlers, records, onError, where))) {
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/**
 * The handler for S3 → Lambda directly (`-c objectEvents=direct`): S3 invokes the function
 * asynchronously with the notification itself. Every record goes to every handler; if any
 * failed, the invocation fails, so Lambda retries the whole event (twice) and then hands it to
 * the on-failure destination. Handlers may see a record again, as with the queue.
 */
export function s3DirectEventHandler(
  handlers: ObjectEventHandler[],
  options: S3EventHandlerOptions = {},
): (event: S3Event) => Promise<void> {
  const onError = options.onError ?? logToStderr;
  return async (event) => {
    if (!(await handleAll(handlers, toObjectEventRecords(event), onError, {}))) {
      throw new Error('An object event handler failed: Lambda retries this event');
    }
  };
}

/** Whether S3 invoked the function itself, rather than through the queue. */
export function isDirectS3Event(event: SQSEvent | S3Event): event is S3Event {
  return event.Records[0]?.eventSource === 'aws:s3';
}

/** Runs every handler on every record, in order; false when any failed (each failure told to `onError`). */
async function handleAll(
  handlers: ObjectEventHandler[],
  records: ObjectEventRecord[],
  onError: (error: unknown, failure: S3EventFailure) => void,
  where: S3EventFailure,
): Promise<boolean> {
  let ok = true;
  for (const record of records) {
    for (const handler of handlers) {
      try {
        await handler.handle(record);
      } catch (error) {
        ok = false;
        onError(error, { ...where, handler: handler.name, key: objectKeyOf(record), eventName: record.eventName });
      }
    }
  }
  return ok;
}

function recordsOfMessage(message: SQSRecord): ObjectEventRecord[] {
  const body: unknown = JSON.parse(message.body);
  if (isS3TestEvent(body)) return [];
  const records = (body as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new Error(`Not an S3 event notification: ${message.body.slice(0, 200)}`);
  return toObjectEventRecords({ Records: records as S3EventRecord[] });
}

/** S3 writes keys form-URL-encoded: `+` for a space, `%2B` for a plus. */
function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

function receiveCountOf(message: SQSRecord): { receiveCount?: number } {
  const count = Number(message.attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(count) && count > 0 ? { receiveCount: count } : {};
}

function logToStderr(error: unknown, failure: S3EventFailure): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: 'object event failed', ...failure, error: message })}\n`,
  );
}
