import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeRecord, RecordFailure, type StreamHandler } from '../../platform/stream.ts';
import type { Item, Key } from '../../platform/table.ts';

/** The Lambda function a DynamoDB Streams event source mapping invokes (with `ReportBatchItemFailures`). */
export type DynamoStreamLambda = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export interface DynamoStreamOptions {
  /**
   * Told of every failure before it is reported to Lambda: the handler's name (`stream` for a
   * record that could not be read) and the cause.
   */
  onError?: (handler: string, error: unknown) => void;
}

/** Where in a batch handling stopped: the index of the first record to hand over again. */
type FailedAt = number;

/**
 * The entry point of the table-stream function: turns each `DynamoDBStreamEvent` into the
 * port's change records and hands them to the same stream handlers the local dispatcher calls.
 *
 * The handlers run side by side, each on the whole batch (up to a record that cannot be read).
 * A failure is reported as a partial batch failure from the first record not done: that
 * record and every later one (records are ordered per item, so none may be passed over).
 * Lambda then hands the batch over again from there, to every handler: one event source
 * mapping keeps one position for all of them, so handlers see records at least once, and
 * one handler's failure makes the others see the records from that point again.
 */
export function dynamoStreamHandler(handlers: StreamHandler[], options: DynamoStreamOptions = {}): DynamoStreamLambda {
  return async (event) => {
    const { changes, unreadable } = readRecords(event.Records, options);
    const handledUpTo =
      changes.length === 0 ? [] : await Promise.all(handlers.map((handler) => runHandler(handler, changes, options)));
    const failedAt = Math.min(unreadable, ...handledUpTo);
    return {
      batchItemFailures: event.Records.slice(failedAt).map((record) => ({
        // An empty identifier makes Lambda retry the whole batch: right for a record without one.
        itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
      })),
    };
  };
}

/** Reads records until the first one that is not a change record of this table's stream. */
function readRecords(
  records: DynamoDBRecord[],
  options: DynamoStreamOptions,
): { changes: ChangeRecord[]; unreadable: FailedAt } {
  const changes: ChangeRecord[] = [];
  for (const record of records) {
    try {
      changes.push(toChangeRecord(record));
    } catch (error) {
      options.onError?.('stream', error);
      return { changes, unreadable: changes.length };
    }
  }
  return { changes, unreadable: records.length };
}

async function runHandler(
  handler: StreamHandler,
  changes: ChangeRecord[],
  options: DynamoStreamOptions,
): Promise<FailedAt> {
  try {
    await handler.handle(changes);
    return changes.length;
  } catch (error) {
    // A RecordFailure keeps the records before it done; any other error fails the whole batch.
    const partial = error instanceof RecordFailure;
    options.onError?.(handler.name, partial ? (error.cause ?? error) : error);
    if (!partial) return 0;
    const index = changes.findIndex((change) => change.dynamodb.SequenceNumber === error.sequenceNumber);
    // A sequence number that is not in this batch: hand the whole batch over again.
    return Math.max(index, 0);
  }
}

/**
 * One DynamoDB Streams record as the port's change record: images unmarshalled to plain JSON,
 * and a deletion by the TTL process marked as DynamoDB marks it.
 */
export function toChangeRecord(record: DynamoDBRecord): ChangeRecord {
  const { eventName, dynamodb: stream } = record;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new Error(`Not a change record: eventName is ${String(eventName)}`);
  }
  if (!stream?.SequenceNumber || !stream.Keys) throw new Error('A stream record lacks its SequenceNumber or Keys');
  if (stream.StreamViewType !== undefined && stream.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    // The handlers need both images (e.g. the removed profile): a stream set up otherwise is a deployment bug.
    throw new Error(`The table stream must send NEW_AND_OLD_IMAGES, not ${stream.StreamViewType}`);
  }
  const keys = image(stream.Keys);
  if (typeof keys.PK !== 'string' || typeof keys.SK !== 'string') {
    throw new Error('A stream record is not of the Stratus table: its keys are not PK and SK');
  }
  const change: ChangeRecord = {
    eventID: record.eventID ?? stream.SequenceNumber,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { PK: keys.PK, SK: keys.SK } satisfies Key,
      SequenceNumber: stream.SequenceNumber,
      ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime ?? 0),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
  if (stream.OldImage) change.dynamodb.OldImage = image(stream.OldImage) as Item;
  if (stream.NewImage) change.dynamodb.NewImage = image(stream.NewImage) as Item;
  const identity = record.userIdentity as { type?: unknown; principalId?: unknown } | undefined;
  if (identity?.type === 'Service' && identity.principalId === 'dynamodb.amazonaws.com') {
    change.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  }
  return change;
}

/** The Lambda event's attribute values have the wire shape `unmarshall` reads. */
function image(attributes: NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['Keys']>): Record<string, unknown> {
  return unmarshall(attributes as unknown as Record<string, AttributeValue>);
}
