import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3EventRecord } from 'aws-lambda';
import { sqsEventOf } from '../../../test/support/s3rver.ts';
import { encodeEventKey, type ObjectEventRecord, objectKeyOf } from '../../platform/objects.ts';
import {
  isDirectS3Event,
  isS3TestEvent,
  objectEventName,
  type S3EventFailure,
  s3DirectEventHandler,
  s3EventHandler,
  toObjectEventRecords,
} from './s3-events.ts';

/*
 * Recorded shapes: S3 → SQS message bodies as S3 writes them (a versioned bucket, keys under a
 * Cognito identity id, so with `%3A`), with only names, ids and times changed.
 */
const BUCKET = 'stratus-prod-user-data-4f1c2a';

function s3Record(eventName: string, object: Partial<S3EventRecord['s3']['object']>, eventVersion = '2.1') {
  return {
    eventVersion,
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2024-05-14T09:21:37.412Z',
    eventName,
    userIdentity: { principalId: 'AWS:AROA3EXAMPLEROLEID:stratus-files' },
    requestParameters: { sourceIPAddress: '203.0.113.7' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'StratusObjectEvents',
      bucket: { name: BUCKET, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${BUCKET}` },
      object: { sequencer: '0066432D41632A8F5B', ...object },
    },
  } as S3EventRecord;
}

const KEY = 'private/eu-west-1:6a1c0f5e-2b6d-4c1e-9f0a-3e7d2c1b0a99/photos/my cat+dog ü.jpg';
const KEY_AS_S3_SENDS_IT = 'private/eu-west-1%3A6a1c0f5e-2b6d-4c1e-9f0a-3e7d2c1b0a99/photos/my+cat%2Bdog+%C3%BC.jpg';

const put = s3Record('ObjectCreated:Put', {
  key: KEY_AS_S3_SENDS_IT,
  size: 48213,
  eTag: '9b2cf535f27731c974343645a3985328',
  versionId: 'hz2UJ6b9fJ0Rw8Q6.ZJ9Ls3x3k4nFQ1e',
});

/** The body S3 puts in the queue once, when the notification is configured. */
const TEST_EVENT = {
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2024-05-14T09:02:11.093Z',
  Bucket: BUCKET,
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YYPe7yNfiVX6/6CuxC4t',
};

/** Handlers that record what they were given, under their names; `failing` names ones that throw. */
function recorders(names: string[], failing: (name: string, record: ObjectEventRecord) => boolean = () => false) {
  const seen: Array<[string, ObjectEventRecord]> = [];
  const handlers = names.map((name) => ({
    name,
    handle: async (record: ObjectEventRecord) => {
      seen.push([name, record]);
      if (failing(name, record)) throw new Error(`${name} failed on ${objectKeyOf(record)}`);
    },
  }));
  return { handlers, seen };
}

describe('S3 event records → the port object events', () => {
  test('an ObjectCreated:Put record becomes the port record, with the key encoded as the local adapter does', () => {
    const [record, ...rest] = toObjectEventRecords({ Records: [put] });
    assert.equal(rest.length, 0);
    assert.deepEqual(record, {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2024-05-14T09:21:37.412Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: {
          key: encodeEventKey(KEY),
          size: 48213,
          eTag: '9b2cf535f27731c974343645a3985328',
          sequencer: '0066432D41632A8F5B',
        },
      },
    });
    assert.equal(objectKeyOf(record as ObjectEventRecord), KEY, 'spaces from +, a plus from %2B, `:` and ü decoded');
  });

  test('every kind of creation is new bytes (Put), except a copy', () => {
    const records = toObjectEventRecords({
      Records: [
        s3Record('ObjectCreated:Post', { key: 'a.txt', size: 5, eTag: 'aaa' }),
        s3Record('ObjectCreated:CompleteMultipartUpload', { key: 'b.bin', size: 9e7, eTag: 'bbb-12' }),
        s3Record('ObjectCreated:Copy', { key: 'c.txt', size: 5, eTag: 'aaa' }),
        s3Record('ObjectCreated:Put', { key: 'd.txt', size: 0, eTag: 'd41d8cd98f00b204e9800998ecf8427e' }),
      ],
    });
    assert.deepEqual(
      records.map((r) => [r.eventName, objectKeyOf(r), r.s3.object.size, r.s3.object.eTag]),
      [
        ['ObjectCreated:Put', 'a.txt', 5, 'aaa'],
        ['ObjectCreated:Put', 'b.bin', 9e7, 'bbb-12'],
        ['ObjectCreated:Copy', 'c.txt', 5, 'aaa'],
        ['ObjectCreated:Put', 'd.txt', 0, 'd41d8cd98f00b204e9800998ecf8427e'],
      ],
    );
  });

  test('every removal (delete, delete marker, lifecycle expiry) is ObjectRemoved:Delete, without size or ETag', () => {
    const records = toObjectEventRecords({
      Records: [
        s3Record('ObjectRemoved:Delete', { key: 'a+b.txt' }),
        s3Record('ObjectRemoved:DeleteMarkerCreated', { key: 'c.txt', versionId: 'v2', eTag: 'ignored', size: 3 }),
        s3Record('LifecycleExpiration:Delete', { key: 'd.txt' }, '2.3'),
        s3Record('LifecycleExpiration:DeleteMarkerCreated', { key: 'e.txt' }, '2.3'),
      ],
    });
    assert.deepEqual(
      records.map((r) => [r.eventName, objectKeyOf(r), r.eventVersion]),
      [
        ['ObjectRemoved:Delete', 'a b.txt', '2.1'],
        ['ObjectRemoved:Delete', 'c.txt', '2.1'],
        ['ObjectRemoved:Delete', 'd.txt', '2.1'],
        ['ObjectRemoved:Delete', 'e.txt', '2.1'],
      ],
    );
    for (const record of records) assert.deepEqual(Object.keys(record.s3.object).sort(), ['key', 'sequencer']);
  });

  test('events the port has no name for (tagging, ACL, restore, replication) are skipped', () => {
    for (const name of [
      'ObjectTagging:Put',
      'ObjectAcl:Put',
      'ObjectRestore:Completed',
      'Replication:OperationFailedReplication',
    ]) {
      assert.equal(objectEventName(name), undefined, name);
    }
    assert.deepEqual(toObjectEventRecords({ Records: [s3Record('ObjectTagging:Put', { key: 'a' }, '2.3')] }), []);
  });

  test('a record that is not from S3 is refused', () => {
    const sqs = { ...put, eventSource: 'aws:sqs' };
    assert.throws(() => toObjectEventRecords({ Records: [sqs] }), /Not an S3 event record/);
  });

  test('the test event is recognised by its Event field', () => {
    assert.equal(isS3TestEvent(TEST_EVENT), true);
    assert.equal(isS3TestEvent({ Records: [put] }), false);
    assert.equal(isS3TestEvent(null), false);
  });
});

describe('the object-events queue handler (S3 → SQS → Lambda)', () => {
  test('each record of each message reaches every handler, in order; a good batch reports no failures', async () => {
    const { handlers, seen } = recorders(['files.record-uploads', 'photos.thumbnails']);
    const second = s3Record('ObjectRemoved:Delete', { key: 'private/x/old.txt' });
    const response = await s3EventHandler(handlers)(sqsEventOf([{ Records: [put, second] }]));
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual(
      seen.map(([name, record]) => [name, objectKeyOf(record)]),
      [
        ['files.record-uploads', KEY],
        ['photos.thumbnails', KEY],
        ['files.record-uploads', 'private/x/old.txt'],
        ['photos.thumbnails', 'private/x/old.txt'],
      ],
    );
  });

  test('the s3:TestEvent message S3 sends when the notification is set up is done without calling a handler', async () => {
    const { handlers, seen } = recorders(['files.record-uploads']);
    const response = await s3EventHandler(handlers)(sqsEventOf([TEST_EVENT]));
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual(seen, []);
  });

  test('a handler failure sends back only its message; other messages and the other handlers still run', async () => {
    const broken = s3Record('ObjectCreated:Put', { key: 'private/x/broken.jpg', size: 1, eTag: 'e' });
    const { handlers, seen } = recorders(
      ['files.record-uploads', 'photos.thumbnails'],
      (name, record) => name === 'photos.thumbnails' && objectKeyOf(record) === 'private/x/broken.jpg',
    );
    const failures: Array<[string, S3EventFailure]> = [];
    const event = sqsEventOf([{ Records: [put] }, { Records: [broken] }, TEST_EVENT], 3);
    const response = await s3EventHandler(handlers, {
      onError: (error, failure) => failures.push([(error as Error).message, failure]),
    })(event);
    assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: event.Records[1]?.messageId }] });
    assert.deepEqual(
      seen.map(([name, record]) => [name, objectKeyOf(record)]),
      [
        ['files.record-uploads', KEY],
        ['photos.thumbnails', KEY],
        ['files.record-uploads', 'private/x/broken.jpg'],
        ['photos.thumbnails', 'private/x/broken.jpg'],
      ],
    );
    assert.deepEqual(failures, [
      [
        'photos.thumbnails failed on private/x/broken.jpg',
        {
          messageId: event.Records[1]?.messageId,
          receiveCount: 3,
          handler: 'photos.thumbnails',
          key: 'private/x/broken.jpg',
          eventName: 'ObjectCreated:Put',
        },
      ],
    ]);
  });

  test('a message that is not an S3 notification is reported failed, so it ends in the dead-letter queue', async () => {
    const { handlers, seen } = recorders(['files.record-uploads']);
    const failures: S3EventFailure[] = [];
    const snsWrapped = { Type: 'Notification', Message: JSON.stringify({ Records: [put] }) };
    const notS3 = { Records: [{ ...put, eventSource: 'aws:sqs' }] };
    const event = sqsEventOf(['{"Records": [', snsWrapped, notS3, { Records: [put] }]);
    const response = await s3EventHandler(handlers, { onError: (_error, failure) => failures.push(failure) })(event);
    assert.deepEqual(
      response.batchItemFailures.map((f) => f.itemIdentifier),
      event.Records.slice(0, 3).map((m) => m.messageId),
    );
    assert.deepEqual(
      failures.map((f) => [f.messageId, f.handler]),
      event.Records.slice(0, 3).map((m) => [m.messageId, undefined]),
    );
    assert.equal(seen.length, 1, 'the good message in the same batch is handled');
  });

  test('without onError, a failure is written to stderr as one JSON line', async () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stderr.write;
    try {
      const event = sqsEventOf(['not json']);
      await s3EventHandler([])(event);
      const logged = JSON.parse(lines.join('')) as Record<string, unknown>;
      assert.equal(logged.level, 'error');
      assert.equal(logged.messageId, event.Records[0]?.messageId);
      assert.match(String(logged.error), /JSON/);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('the direct handler (S3 → Lambda, -c objectEvents=direct)', () => {
  test('is told apart from a queue batch by its records', () => {
    assert.equal(isDirectS3Event({ Records: [put] }), true);
    assert.equal(isDirectS3Event(sqsEventOf([{ Records: [put] }])), false);
  });

  test('every record reaches every handler; a good event resolves', async () => {
    const { handlers, seen } = recorders(['files.record-uploads', 'photos.thumbnails']);
    await s3DirectEventHandler(handlers)({ Records: [put] });
    assert.deepEqual(
      seen.map(([name]) => name),
      ['files.record-uploads', 'photos.thumbnails'],
    );
  });

  test('a handler failure fails the invocation, so Lambda retries the event, after the other handlers ran', async () => {
    const { handlers, seen } = recorders(
      ['files.record-uploads', 'photos.thumbnails'],
      (name) => name === 'files.record-uploads',
    );
    const failures: S3EventFailure[] = [];
    await assert.rejects(
      s3DirectEventHandler(handlers, { onError: (_error, failure) => failures.push(failure) })({ Records: [put] }),
      /Lambda retries this event/,
    );
    assert.deepEqual(
      seen.map(([name]) => name),
      ['files.record-uploads', 'photos.thumbnails'],
    );
    assert.deepEqual(failures, [{ handler: 'files.record-uploads', key: KEY, eventName: 'ObjectCreated:Put' }]);
  });
});
