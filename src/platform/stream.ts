import type { Item, Key } from './table.ts';

/**
 * A change to the table, shaped like a DynamoDB Streams record (NEW_AND_OLD_IMAGES) with
 * plain-JSON images, so the DynamoDB Streams entry point only has to unmarshall.
 */
export interface ChangeRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSource: 'aws:dynamodb';
  dynamodb: {
    Keys: Key;
    OldImage?: Item;
    NewImage?: Item;
    /** Increases with every change; compare as numbers (decimal strings, as DynamoDB gives). */
    SequenceNumber: string;
    /** Epoch seconds. */
    ApproximateCreationDateTime: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
  /** Present on deletions made by TTL expiry, as DynamoDB marks them. */
  userIdentity?: { type: 'Service'; principalId: 'dynamodb.amazonaws.com' };
}

/**
 * A stream handler gets batches in order per partition, at least once. Throwing retries
 * the batch (with back-off); throwing a {@link RecordFailure} retries from that record on,
 * keeping the records before it done (DynamoDB's ReportBatchItemFailures).
 */
export interface StreamHandler {
  /** Stable: the checkpoint is kept under this name. */
  name: string;
  handle(records: ChangeRecord[]): Promise<void>;
}

export class RecordFailure extends Error {
  override readonly name = 'RecordFailure';
  constructor(
    readonly sequenceNumber: string,
    options?: { cause?: unknown },
  ) {
    super(`Stream record ${sequenceNumber} failed`, options);
  }
}

/** Runs `handleOne` for each record in order; a failure names the record to retry from. */
export async function forEachRecord(
  records: ChangeRecord[],
  handleOne: (record: ChangeRecord) => Promise<void>,
): Promise<void> {
  for (const record of records) {
    try {
      await handleOne(record);
    } catch (cause) {
      throw new RecordFailure(record.dynamodb.SequenceNumber, { cause });
    }
  }
}
