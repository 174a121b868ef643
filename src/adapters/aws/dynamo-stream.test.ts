import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { recorder, streamContract } from '../../../test/contracts/stream.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { type ChangeRecord, RecordFailure, type StreamHandler } from '../../platform/stream.ts';
import { openDatabase } from '../local/database.ts';
import { readChangeRecords, SqliteTable } from '../local/sqlite-table.ts';
import { dynamoStreamHandler } from './dynamo-stream.ts';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Stratus-prod-Table/stream/2025-06-01T00:00:00.000';

/** The attribute-value shape of Lambda's event types (they type each value as one loose record). */
type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/**
 * A recorded `DynamoDBStreamEvent` (NEW_AND_OLD_IMAGES) as Lambda delivers it: a to-do
 * created, then completed, then deleted by its owner, and a revoked API key removed by the
 * TTL process (the service's `userIdentity`).
 */
const recordedEvent: DynamoDBStreamEvent = {
  Records: [
    {
      eventID: '5f5a4cc1b4e1c4c4e4d5e1b7a3a6a0c2',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1749772800,
        Keys: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' } },
        NewImage: {
          PK: { S: 'USER#7f3c' },
          SK: { S: 'TODO#01JXA0' },
          title: { S: 'Buy oat milk' },
          done: { BOOL: false },
          version: { N: '1' },
          due: { NULL: true },
          tags: { L: [{ S: 'shop' }, { N: '2.5' }] },
          meta: { M: { source: { S: 'web' } } },
        },
        SequenceNumber: '4421584500000000017450439091',
        SizeBytes: 142,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: STREAM_ARN,
    },
    {
      eventID: '9a0c2b1e6d3f4a5b8c7d6e5f4a3b2c1d',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1749772861,
        Keys: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' } },
        OldImage: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' }, done: { BOOL: false }, version: { N: '1' } },
        NewImage: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' }, done: { BOOL: true }, version: { N: '2' } },
        SequenceNumber: '4421584600000000017450439350',
        SizeBytes: 118,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: STREAM_ARN,
    },
    {
      eventID: '1b2c3d4e5f60718293a4b5c6d7e8f901',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1749772922,
        Keys: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' } },
        OldImage: { PK: { S: 'USER#7f3c' }, SK: { S: 'TODO#01JXA0' }, done: { BOOL: true }, version: { N: '2' } },
        SequenceNumber: '4421584700000000017450439612',
        SizeBytes: 74,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: STREAM_ARN,
    },
    {
      eventID: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1749776400,
        Keys: { PK: { S: 'USER#7f3c' }, SK: { S: 'APIKEY#01JXB4' } },
        OldImage: {
          PK: { S: 'USER#7f3c' },
          SK: { S: 'APIKEY#01JXB4' },
          keyHash: { S: 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78' },
          ttl: { N: '1749772800' },
        },
        SequenceNumber: '4421584800000000017450440001',
        SizeBytes: 131,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      eventSourceARN: STREAM_ARN,
    },
  ],
};

const sequenceNumbers = recordedEvent.Records.map((r) => r.dynamodb?.SequenceNumber);

/** A handler that fails with a RecordFailure at the record with this sort key, once it gets there. */
function failingAt(sk: string, seen: string[] = []): StreamHandler {
  return {
    name: `fails-at-${sk}`,
    async handle(records) {
      for (const record of records) {
        if (record.dynamodb.Keys.SK === sk && record.eventName === 'REMOVE') {
          throw new RecordFailure(record.dynamodb.SequenceNumber, { cause: new Error(`cannot take ${sk}`) });
        }
        seen.push(record.eventName);
      }
    },
  };
}

describe('dynamoStreamHandler: a recorded DynamoDB Streams event', () => {
  test('INSERT, MODIFY, REMOVE and a TTL removal become the change records the local stream gives', async () => {
    const seen = recorder('audit');
    const result = await dynamoStreamHandler([seen.handler])(recordedEvent);
    assert.deepEqual(result, { batchItemFailures: [] });
    const expected: ChangeRecord[] = [
      {
        eventID: '5f5a4cc1b4e1c4c4e4d5e1b7a3a6a0c2',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: { PK: 'USER#7f3c', SK: 'TODO#01JXA0' },
          NewImage: {
            PK: 'USER#7f3c',
            SK: 'TODO#01JXA0',
            title: 'Buy oat milk',
            done: false,
            version: 1,
            due: null,
            tags: ['shop', 2.5],
            meta: { source: 'web' },
          },
          SequenceNumber: '4421584500000000017450439091',
          ApproximateCreationDateTime: 1749772800,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      {
        eventID: '9a0c2b1e6d3f4a5b8c7d6e5f4a3b2c1d',
        eventName: 'MODIFY',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: { PK: 'USER#7f3c', SK: 'TODO#01JXA0' },
          OldImage: { PK: 'USER#7f3c', SK: 'TODO#01JXA0', done: false, version: 1 },
          NewImage: { PK: 'USER#7f3c', SK: 'TODO#01JXA0', done: true, version: 2 },
          SequenceNumber: '4421584600000000017450439350',
          ApproximateCreationDateTime: 1749772861,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      {
        eventID: '1b2c3d4e5f60718293a4b5c6d7e8f901',
        eventName: 'REMOVE',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: { PK: 'USER#7f3c', SK: 'TODO#01JXA0' },
          OldImage: { PK: 'USER#7f3c', SK: 'TODO#01JXA0', done: true, version: 2 },
          SequenceNumber: '4421584700000000017450439612',
          ApproximateCreationDateTime: 1749772922,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      {
        eventID: 'c0ffee00c0ffee00c0ffee00c0ffee00',
        eventName: 'REMOVE',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: { PK: 'USER#7f3c', SK: 'APIKEY#01JXB4' },
          OldImage: {
            PK: 'USER#7f3c',
            SK: 'APIKEY#01JXB4',
            keyHash: 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78',
            ttl: 1749772800,
          },
          SequenceNumber: '4421584800000000017450440001',
          ApproximateCreationDateTime: 1749776400,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      },
    ];
    assert.deepEqual(seen.batches, [expected]);
  });

  test('a RecordFailure reports that record and every later one, and the cause goes to onError', async () => {
    const errors: Array<[string, unknown]> = [];
    const seen: string[] = [];
    const lambda = dynamoStreamHandler([failingAt('TODO#01JXA0', seen)], {
      onError: (handler, error) => errors.push([handler, error]),
    });
    const result = await lambda(recordedEvent);
    assert.deepEqual(result, {
      batchItemFailures: sequenceNumbers.slice(2).map((itemIdentifier) => ({ itemIdentifier })),
    });
    assert.deepEqual(seen, ['INSERT', 'MODIFY']);
    assert.equal(errors[0]?.[0], 'fails-at-TODO#01JXA0');
    assert.match(String(errors[0]?.[1]), /cannot take TODO#01JXA0/);
  });

  test('any other error fails the whole batch', async () => {
    const broken: StreamHandler = {
      name: 'broken',
      async handle() {
        throw new Error('down');
      },
    };
    const result = await dynamoStreamHandler([broken])(recordedEvent);
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      sequenceNumbers,
    );
  });

  test('with several handlers, the batch is reported from the earliest failure of any of them', async () => {
    const steady = recorder('steady');
    const result = await dynamoStreamHandler([failingAt('APIKEY#01JXB4'), steady.handler, failingAt('TODO#01JXA0')])(
      recordedEvent,
    );
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      sequenceNumbers.slice(2),
    );
    assert.equal(steady.records().length, 4, 'a handler that succeeded got the whole batch');
  });

  test('a record that is not a NEW_AND_OLD_IMAGES change is reported, and only the records before it are handled', async () => {
    const errors: string[] = [];
    const seen = recorder('audit');
    const keysOnly = structuredClone(recordedEvent);
    const second = keysOnly.Records[1]?.dynamodb;
    assert.ok(second);
    second.StreamViewType = 'KEYS_ONLY';
    const result = await dynamoStreamHandler([seen.handler], { onError: (name) => errors.push(name) })(keysOnly);
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      sequenceNumbers.slice(1),
    );
    assert.deepEqual(
      seen.records().map((r) => r.eventName),
      ['INSERT'],
    );
    assert.deepEqual(errors, ['stream']);
  });
});

// ---------------------------------------------------------------- the stream contract, fed as Lambda is

/** A local change record as DynamoDB Streams would put it in a Lambda event (marshalled images). */
function asStreamRecord(change: ChangeRecord): DynamoDBRecord {
  const wire = (item: object) => marshall(item) as unknown as StreamImage;
  const { Keys, OldImage, NewImage, SequenceNumber, ApproximateCreationDateTime } = change.dynamodb;
  return {
    eventID: change.eventID,
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime,
      Keys: wire(Keys),
      ...(OldImage ? { OldImage: wire(OldImage) } : {}),
      ...(NewImage ? { NewImage: wire(NewImage) } : {}),
      SequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(change.userIdentity ? { userIdentity: change.userIdentity } : {}),
  };
}

/**
 * The contract needs a table whose writes reach a stream, and dynalite has no Streams. So the
 * SQLite table makes the changes, and this loop plays the event source mapping: it marshals
 * each batch into a `DynamoDBStreamEvent`, invokes the Lambda handler, and on a partial batch
 * failure hands the batch over again from the lowest reported sequence number.
 */
async function openThroughLambda(handlers: StreamHandler[]) {
  const db = openDatabase(':memory:');
  const clock = new TestClock();
  const table = new SqliteTable(db, clock);
  const lambda = dynamoStreamHandler(handlers);
  let position = 0;
  return {
    table,
    clock,
    sweepExpired: async () => void table.sweepExpired(),
    async drain() {
      for (let invocations = 0; invocations < 50; invocations += 1) {
        const batch = readChangeRecords(db, position, 10);
        if (batch.length === 0) return;
        const { batchItemFailures } = await lambda({ Records: batch.map(asStreamRecord) });
        const failed = batchItemFailures.map((f) => Number(f.itemIdentifier));
        position = failed.length > 0 ? Math.min(...failed) - 1 : Number(batch.at(-1)?.dynamodb.SequenceNumber);
      }
      throw new Error('the stream did not drain in 50 invocations');
    },
    close: async () => void db.close(),
  };
}

streamContract('DynamoDB Streams entry point (SQLite changes, delivered as Lambda events)', openThroughLambda, {
  skipPerHandlerRetries:
    'one event source mapping keeps one position for all handlers: on AWS a failing handler makes the others see its batch again',
});

test('through the Lambda entry point, a handler that succeeded sees a retried batch again (at least once)', async () => {
  const flaky = recorder('flaky', (_records, call) => {
    if (call <= 2) throw new Error('temporarily down');
  });
  const steady = recorder('steady');
  const subject = await openThroughLambda([flaky.handler, steady.handler]);
  await subject.table.put({ PK: 'P', SK: 'A' });
  await subject.drain();
  assert.equal(flaky.records().length, 1, 'delivered to the flaky handler once it stopped failing');
  assert.equal(steady.records().length, 3, 'the steady handler got the batch on each of the three invocations');
  await subject.close();
});

test('marshalled and unmarshalled, every attribute type the table stores comes through unchanged', async () => {
  const image = {
    PK: 'P',
    SK: 'A',
    s: '',
    n: -1.25,
    b: true,
    z: null,
    l: [1, 'x', [], {}],
    m: { deep: { er: [null] } },
  };
  const seen = recorder('types');
  await dynamoStreamHandler([seen.handler])({
    Records: [
      {
        eventName: 'INSERT',
        eventID: '1',
        dynamodb: {
          Keys: marshall({ PK: 'P', SK: 'A' }) as unknown as StreamImage,
          NewImage: marshall(image) as Record<string, AttributeValue> as unknown as StreamImage,
          SequenceNumber: '1',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  });
  assert.deepEqual(seen.records()[0]?.dynamodb.NewImage, image);
});
