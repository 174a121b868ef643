import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableContract } from '../../../test/contracts/table.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { type RunningDynalite, startDynalite } from '../../../test/support/dynalite.ts';
import {
  ConditionFailedError,
  type Item,
  TableValidationError,
  TransactionCanceledError,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import { DynamoTable } from './dynamo-table.ts';

let dynalite: RunningDynalite;
let tables = 0;
before(async () => {
  dynalite = await startDynalite();
});
after(() => dynalite.close());

/** A fresh table on the emulator, named apart from the others in this file. */
async function openOnDynalite() {
  tables += 1;
  const tableName = `stratus-test-${tables}`;
  await dynalite.createTable(tableName);
  const clock = new TestClock();
  return { table: new DynamoTable({ client: dynalite.client, tableName, clock }), clock };
}

tableContract('DynamoDB (dynalite)', async () => ({ ...(await openOnDynalite()), close: async () => {} }), {
  skipTransactions: 'dynalite has no TransactWriteItems: the mapping is tested below',
});

describe('DynamoTable on dynalite: what DynamoDB alone would do otherwise', () => {
  test('an update of an expired, unswept item starts from nothing, as if the TTL process had run', async () => {
    const { table, clock } = await openOnDynalite();
    const now = Math.floor(clock.now() / 1000);
    await table.put({ PK: 'P', SK: 'SESSION', stale: 'yes', count: 5, ttl: now + 10 });
    clock.advance(11_000);
    const updated = await table.update({ PK: 'P', SK: 'SESSION' }, { set: { fresh: true }, add: { count: 1 } });
    assert.deepEqual(updated, { PK: 'P', SK: 'SESSION', fresh: true, count: 1 });
    assert.deepEqual(await table.get({ PK: 'P', SK: 'SESSION' }), updated);
  });

  test('writes over an expired item return nothing as the previous item', async () => {
    const { table, clock } = await openOnDynalite();
    const now = Math.floor(clock.now() / 1000);
    await table.put({ PK: 'P', SK: 'A', ttl: now + 10 });
    await table.put({ PK: 'P', SK: 'B', ttl: now + 10 });
    clock.advance(11_000);
    assert.equal(await table.put({ PK: 'P', SK: 'A', v: 1 }), undefined);
    assert.equal(await table.delete({ PK: 'P', SK: 'B' }), undefined);
    await assert.rejects(
      table.update({ PK: 'P', SK: 'B' }, { set: { v: 1 } }, { condition: when.exists() }),
      ConditionFailedError,
    );
  });

  test('a query reads past expired items to fill the page, and its cursor still pages exactly', async () => {
    const { table, clock } = await openOnDynalite();
    const now = Math.floor(clock.now() / 1000);
    await table.batchWrite({
      puts: Array.from({ length: 12 }, (_, i) => ({
        PK: 'P',
        SK: `N#${String(i).padStart(2, '0')}`,
        i,
        ...(i % 3 === 0 ? { ttl: now + 5 } : {}),
      })),
    });
    clock.advance(6_000);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.query({ partition: 'P', limit: 3, ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length === 3 || !page.cursor, 'every page but the last is full');
      seen.push(...page.items.map((item) => item.i as number));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(seen, [1, 2, 4, 5, 7, 8, 10, 11]);
  });

  test('a cursor of another sort-key range is refused as a validation error, not a server error', async () => {
    const { table } = await openOnDynalite();
    await table.batchWrite({ puts: ['A#1', 'A#2', 'A#3', 'B#1'].map((SK) => ({ PK: 'P', SK })) });
    const { cursor } = await table.query({ partition: 'P', sort: { beginsWith: 'A#' }, limit: 1 });
    assert.ok(cursor);
    await assert.rejects(table.query({ partition: 'P', sort: { beginsWith: 'B#' }, cursor }), TableValidationError);
  });

  test('one key twice in a batch: batchGet answers it twice, batchWrite keeps the last write', async () => {
    const { table } = await openOnDynalite();
    await table.batchWrite({
      puts: [
        { PK: 'P', SK: 'A', v: 1 },
        { PK: 'P', SK: 'A', v: 2 },
        { PK: 'P', SK: 'B', v: 1 },
      ],
      deletes: [{ PK: 'P', SK: 'B' }],
    });
    const items = await table.batchGet([
      { PK: 'P', SK: 'A' },
      { PK: 'P', SK: 'A' },
      { PK: 'P', SK: 'B' },
    ]);
    assert.deepEqual(items, [
      { PK: 'P', SK: 'A', v: 2 },
      { PK: 'P', SK: 'A', v: 2 },
    ]);
  });

  test('a batch of more than 25 writes goes through in chunks', async () => {
    const { table } = await openOnDynalite();
    await table.batchWrite({
      puts: Array.from({ length: 60 }, (_, i) => ({ PK: 'P', SK: `K#${String(i).padStart(2, '0')}` })),
    });
    assert.equal((await table.query({ partition: 'P' })).items.length, 60);
  });

  test('an update that folds set, remove and add on one attribute does what applying them in turn does', async () => {
    const { table } = await openOnDynalite();
    await table.put({ PK: 'P', SK: 'A', n: 10, m: 4, s: 'x' });
    const updated = await table.update(
      { PK: 'P', SK: 'A' },
      { set: { n: 1, s: 'y' }, remove: ['m', 's'], add: { n: 2, m: 3 } },
    );
    assert.deepEqual(updated, { PK: 'P', SK: 'A', n: 3, m: 3 });
  });
});

// ---------------------------------------------------------------- mapping (no emulator has these)

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/** A document client that records each command and answers with `reply`: for the mapping tests only. */
function recordingClient(reply: (sent: Sent) => unknown = () => ({})) {
  const sent: Sent[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const entry = { command: command.constructor.name, input: structuredClone(command.input) };
      sent.push(entry);
      return reply(entry);
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, sent };
}

/** An error as the SDK throws it: the fields that matter are its name and the service's members. */
function awsError(name: string, members: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (recorded)`), { name, ...members });
}

const NOW_MS = 1_750_000_000_000;
const NOW = 1_750_000_000;
const tableName = 'Stratus';
const mappedTable = (client: DynamoDBDocumentClient) =>
  new DynamoTable({ client, tableName, clock: new TestClock(NOW_MS), retryDelayMs: 0 });

/** `(#ttl > 0 AND #ttl <= now)` with the given placeholders: the expired-item test in every expression. */
const expired = (ttl: string, zero: string, now: string) => `(${ttl} > ${zero} AND ${ttl} <= ${now})`;

describe('DynamoTable mapping: the requests it builds', () => {
  test('an update becomes one UpdateItem with SET, REMOVE and ADD, the condition, and the expiry guard', async () => {
    const { client, sent } = recordingClient(() => ({ Attributes: { PK: 'USER#1', SK: 'TODO#1', version: 2 } }));
    const result = await mappedTable(client).update(
      { PK: 'USER#1', SK: 'TODO#1' },
      { set: { title: 'Buy oat milk', GSI1SK: '2025-06-15' }, remove: ['note'], add: { version: 1 } },
      { condition: when.equals('version', 1) },
    );
    assert.deepEqual(result, { PK: 'USER#1', SK: 'TODO#1', version: 2 });
    assert.deepEqual(sent, [
      {
        command: 'UpdateCommand',
        input: {
          TableName: 'Stratus',
          Key: { PK: 'USER#1', SK: 'TODO#1' },
          UpdateExpression: 'SET #n0 = :v0, #n1 = :v1 REMOVE #n2 ADD #n3 :v2',
          ConditionExpression: `(#n3 = :v2 AND NOT ${expired('#n4', ':v3', ':v4')}) AND NOT ${expired('#n4', ':v3', ':v4')}`,
          ExpressionAttributeNames: { '#n0': 'title', '#n1': 'GSI1SK', '#n2': 'note', '#n3': 'version', '#n4': 'ttl' },
          ExpressionAttributeValues: { ':v0': 'Buy oat milk', ':v1': '2025-06-15', ':v2': 1, ':v3': 0, ':v4': NOW },
          ReturnValues: 'ALL_NEW',
        },
      },
    ]);
  });

  test('a transaction becomes one TransactWriteItems with Put, Update, Delete and ConditionCheck in order', async () => {
    const { client, sent } = recordingClient();
    const ops: WriteOp[] = [
      { put: { PK: 'USER#1', SK: 'TODO#2', title: 'New' }, condition: when.notExists() },
      { update: { PK: 'USER#1', SK: 'COUNTS' }, changes: { add: { todos: 1 } } },
      { delete: { PK: 'USER#1', SK: 'DRAFT#2' } },
      { check: { PK: 'USER#1', SK: 'PROFILE' }, condition: when.exists() },
    ];
    await mappedTable(client).transact(ops);
    assert.deepEqual(sent, [
      {
        command: 'TransactWriteCommand',
        input: {
          TransactItems: [
            {
              Put: {
                TableName: 'Stratus',
                Item: { PK: 'USER#1', SK: 'TODO#2', title: 'New' },
                ConditionExpression: `(attribute_not_exists(#n0) OR ${expired('#n1', ':v0', ':v1')})`,
                ExpressionAttributeNames: { '#n0': 'PK', '#n1': 'ttl' },
                ExpressionAttributeValues: { ':v0': 0, ':v1': NOW },
              },
            },
            {
              Update: {
                TableName: 'Stratus',
                Key: { PK: 'USER#1', SK: 'COUNTS' },
                UpdateExpression: 'ADD #n0 :v0',
                ConditionExpression: `NOT ${expired('#n1', ':v1', ':v2')}`,
                ExpressionAttributeNames: { '#n0': 'todos', '#n1': 'ttl' },
                ExpressionAttributeValues: { ':v0': 1, ':v1': 0, ':v2': NOW },
              },
            },
            { Delete: { TableName: 'Stratus', Key: { PK: 'USER#1', SK: 'DRAFT#2' } } },
            {
              ConditionCheck: {
                TableName: 'Stratus',
                Key: { PK: 'USER#1', SK: 'PROFILE' },
                ConditionExpression: `(attribute_exists(#n0) AND NOT ${expired('#n1', ':v0', ':v1')})`,
                ExpressionAttributeNames: { '#n0': 'PK', '#n1': 'ttl' },
                ExpressionAttributeValues: { ':v0': 0, ':v1': NOW },
              },
            },
          ],
        },
      },
    ]);
  });

  test('each transaction item declares exactly the placeholders its expressions use (DynamoDB refuses others)', async () => {
    const { client, sent } = recordingClient();
    await mappedTable(client).transact([
      { put: { PK: 'P', SK: 'A' } },
      { put: { PK: 'P', SK: 'B', n: 1 }, condition: when.attributeNotExists('n') },
      { update: { PK: 'P', SK: 'C' }, changes: { set: { a: 'x' }, remove: ['b'] }, condition: when.and() },
      { delete: { PK: 'P', SK: 'D' }, condition: when.equals('v', { nested: [1] }) },
      { check: { PK: 'P', SK: 'E' }, condition: when.and() },
      { check: { PK: 'P', SK: 'F' }, condition: when.equals('status', 'open') },
    ]);
    const items = (sent[0]?.input.TransactItems ?? []) as Array<Record<string, Record<string, unknown>>>;
    for (const item of items) {
      const op = Object.values(item)[0] as Record<string, unknown>;
      const expressions = [op.UpdateExpression, op.ConditionExpression].filter(Boolean).join(' ');
      const declared = [
        ...Object.keys((op.ExpressionAttributeNames ?? {}) as object),
        ...Object.keys((op.ExpressionAttributeValues ?? {}) as object),
      ];
      const used = new Set(expressions.match(/[#:][nv]\d+/g) ?? []);
      assert.deepEqual(declared.sort(), [...used].sort(), `placeholders of ${JSON.stringify(op)}`);
    }
    assert.equal(items[4]?.ConditionCheck?.ConditionExpression, 'attribute_exists(#n0) OR attribute_not_exists(#n0)');
  });

  test('conditions map to expressions: equals, attributeNotExists and and', async () => {
    const { client, sent } = recordingClient();
    await mappedTable(client).put(
      { PK: 'P', SK: 'A', status: 'open' },
      { condition: when.and(when.equals('status', 'open'), when.attributeNotExists('claimedBy')) },
    );
    const { input } = sent[0] as Sent;
    assert.equal(
      input.ConditionExpression,
      `((#n0 = :v0 AND NOT ${expired('#n1', ':v1', ':v2')}) AND (attribute_not_exists(#n2) OR ${expired('#n1', ':v1', ':v2')}))`,
    );
    assert.deepEqual(input.ExpressionAttributeNames, { '#n0': 'status', '#n1': 'ttl', '#n2': 'claimedBy' });
    assert.deepEqual(input.ExpressionAttributeValues, { ':v0': 'open', ':v1': 0, ':v2': NOW });
    assert.equal(input.ReturnValues, 'ALL_OLD');
  });

  test('a query maps sort conditions, index, direction and cursor to Query, asking one item more than the page', async () => {
    const { client, sent } = recordingClient(() => ({ Items: [] }));
    const table = mappedTable(client);
    const cursor = Buffer.from(
      JSON.stringify({ PK: 'USER#1', SK: 'TODO#9', GSI1PK: 'USER#1#OPEN', GSI1SK: '2025-06', extra: 'dropped' }),
    ).toString('base64url');
    await table.query({
      index: 'GSI1',
      partition: 'USER#1#OPEN',
      sort: { between: ['2025-01', '2025-12'] },
      reverse: true,
      limit: 20,
      cursor,
    });
    assert.deepEqual(sent[0]?.input, {
      TableName: 'Stratus',
      IndexName: 'GSI1',
      KeyConditionExpression: '#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2',
      ExpressionAttributeNames: { '#n0': 'GSI1PK', '#n1': 'GSI1SK' },
      ExpressionAttributeValues: { ':v0': 'USER#1#OPEN', ':v1': '2025-01', ':v2': '2025-12' },
      ScanIndexForward: false,
      Limit: 21,
      ExclusiveStartKey: { PK: 'USER#1', SK: 'TODO#9', GSI1PK: 'USER#1#OPEN', GSI1SK: '2025-06' },
    });
  });

  test('update refuses, before any request, what the SQLite adapter refuses whatever the item holds', async () => {
    const { client, sent } = recordingClient();
    const table = mappedTable(client);
    const key = { PK: 'P', SK: 'A' };
    await assert.rejects(table.update(key, { set: { PK: 'other' } }), TableValidationError);
    await assert.rejects(table.update(key, { remove: ['SK'] }), TableValidationError);
    await assert.rejects(table.update(key, { set: { GSI1PK: '' } }), TableValidationError);
    await assert.rejects(table.update(key, { add: { GSI2SK: 1 } }), TableValidationError);
    await assert.rejects(table.update(key, { set: { ttl: 'tomorrow' } }), TableValidationError);
    await assert.rejects(table.update(key, { set: { s: 'x' }, add: { s: 1 } }), TableValidationError);
    await assert.rejects(table.update(key, { set: { body: 'x'.repeat(400 * 1024) } }), TableValidationError);
    assert.deepEqual(sent, []);
  });

  test('transaction limits are checked before any request: 101 operations, one item twice, an empty update', async () => {
    const { client, sent } = recordingClient();
    const table = mappedTable(client);
    const ops = Array.from({ length: 101 }, (_, i) => ({ put: { PK: 'P', SK: `X${i}` } }));
    await assert.rejects(table.transact(ops), TableValidationError);
    await assert.rejects(
      table.transact([{ put: { PK: 'P', SK: 'SAME' } }, { delete: { PK: 'P', SK: 'SAME' } }]),
      TableValidationError,
    );
    await assert.rejects(table.transact([{ update: { PK: 'P', SK: 'A' }, changes: {} }]), TableValidationError);
    assert.deepEqual(sent, []);
  });

  test('batch reads and writes retry what DynamoDB leaves unprocessed', async () => {
    let round = 0;
    const { client, sent } = recordingClient(({ command, input }) => {
      round += 1;
      const requested = (input.RequestItems as Record<string, { Keys?: Item[] }>).Stratus;
      if (command === 'BatchGetCommand') {
        const keys = requested?.Keys ?? [];
        // The first round answers one key and leaves the rest unprocessed.
        return round === 1
          ? { Responses: { Stratus: keys.slice(0, 1) }, UnprocessedKeys: { Stratus: { Keys: keys.slice(1) } } }
          : { Responses: { Stratus: keys } };
      }
      const writes = input.RequestItems as Record<string, unknown[]>;
      return round === 3 ? { UnprocessedItems: { Stratus: writes.Stratus?.slice(1) } } : {};
    });
    const table = mappedTable(client);
    const items = await table.batchGet([
      { PK: 'P', SK: 'A' },
      { PK: 'P', SK: 'B' },
    ]);
    assert.deepEqual(items, [
      { PK: 'P', SK: 'A' },
      { PK: 'P', SK: 'B' },
    ]);
    await table.batchWrite({ puts: [{ PK: 'P', SK: 'C' }], deletes: [{ PK: 'P', SK: 'D' }] });
    assert.deepEqual(
      sent.map((s) => s.command),
      ['BatchGetCommand', 'BatchGetCommand', 'BatchWriteCommand', 'BatchWriteCommand'],
    );
    assert.deepEqual(sent[1]?.input.RequestItems, { Stratus: { Keys: [{ PK: 'P', SK: 'B' }] } });
    assert.deepEqual(sent[3]?.input.RequestItems, { Stratus: [{ DeleteRequest: { Key: { PK: 'P', SK: 'D' } } }] });
  });
});

describe('DynamoTable mapping: the errors it turns into the port errors', () => {
  test('a recorded TransactionCanceledException becomes TransactionCanceledError with the reasons per operation', async () => {
    // The response DynamoDB sends (HTTP 400, JSON 1.0), read by the real SDK client.
    const requests: Array<{ target: string; body: unknown }> = [];
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        async handle(request: { headers: Record<string, string>; body: string | Uint8Array }) {
          const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
          requests.push({ target: request.headers['x-amz-target'] ?? '', body: JSON.parse(text) });
          const body = JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            CancellationReasons: [
              { Code: 'None' },
              { Code: 'None' },
              { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
            ],
            Message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]',
          });
          return {
            response: {
              statusCode: 400,
              headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'RECORDED' },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        },
      } as unknown as DynamoDBClient['config']['requestHandler'],
    });
    const table = new DynamoTable({ client, tableName, clock: new TestClock(NOW_MS) });
    const error = await table
      .transact([
        { put: { PK: 'P', SK: 'NEW', v: 1 } },
        { put: { PK: 'P', SK: 'OTHER', v: 1 } },
        { put: { PK: 'P', SK: 'TAKEN', owner: 'me' }, condition: when.notExists() },
      ])
      .then(
        () => assert.fail('the transaction should have been canceled'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof TransactionCanceledError);
    assert.deepEqual(error.reasons, ['None', 'None', 'ConditionalCheckFailed']);
    assert.equal(requests[0]?.target, 'DynamoDB_20120810.TransactWriteItems');
    const wire = requests[0]?.body as { TransactItems: Array<{ Put: { Item: unknown } }> };
    assert.deepEqual(wire.TransactItems[2]?.Put.Item, { PK: { S: 'P' }, SK: { S: 'TAKEN' }, owner: { S: 'me' } });
  });

  test('a cancellation for a data-dependent ValidationError becomes TableValidationError', async () => {
    const { client } = recordingClient(() => {
      throw awsError('TransactionCanceledException', {
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' },
        ],
      });
    });
    await assert.rejects(
      mappedTable(client).transact([
        { put: { PK: 'P', SK: 'A' } },
        { update: { PK: 'P', SK: 'B' }, changes: { add: { title: 1 } } },
      ]),
      TableValidationError,
    );
  });

  test('a transaction that met a conflicting one is sent again, and succeeds', async () => {
    let calls = 0;
    const { client, sent } = recordingClient(() => {
      calls += 1;
      if (calls === 1) {
        throw awsError('TransactionCanceledException', {
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      }
      return {};
    });
    await mappedTable(client).transact([{ put: { PK: 'P', SK: 'A' } }, { put: { PK: 'P', SK: 'B' } }]);
    assert.equal(sent.length, 2);
  });

  test('a transaction whose update met an expired item deletes that item and is sent again', async () => {
    let transactions = 0;
    const { client, sent } = recordingClient(({ command }) => {
      if (command === 'GetCommand') return { Item: { PK: 'P', SK: 'SESSION', ttl: NOW - 5, stale: true } };
      if (command === 'DeleteCommand') return {};
      transactions += 1;
      if (transactions === 1) {
        throw awsError('TransactionCanceledException', {
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
        });
      }
      return {};
    });
    await mappedTable(client).transact([
      { put: { PK: 'P', SK: 'LOG' } },
      { update: { PK: 'P', SK: 'SESSION' }, changes: { set: { fresh: true } } },
    ]);
    assert.deepEqual(
      sent.map((s) => s.command),
      ['TransactWriteCommand', 'GetCommand', 'DeleteCommand', 'TransactWriteCommand'],
    );
    assert.deepEqual(sent[2]?.input, {
      TableName: 'Stratus',
      Key: { PK: 'P', SK: 'SESSION' },
      ConditionExpression: '#n0 = :v0',
      ExpressionAttributeNames: { '#n0': 'ttl' },
      ExpressionAttributeValues: { ':v0': NOW - 5 },
    });
  });

  test('a canceled transaction whose failed update met a live item is a TransactionCanceledError at once', async () => {
    const { client, sent } = recordingClient(({ command }) => {
      if (command === 'GetCommand') return { Item: { PK: 'P', SK: 'DOC', version: 2 } };
      throw awsError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      });
    });
    const error = await mappedTable(client)
      .transact([{ update: { PK: 'P', SK: 'DOC' }, changes: { set: { a: 1 } }, condition: when.equals('version', 1) }])
      .catch((e: unknown) => e);
    assert.ok(error instanceof TransactionCanceledError);
    assert.deepEqual(error.reasons, ['ConditionalCheckFailed']);
    assert.deepEqual(
      sent.map((s) => s.command),
      ['TransactWriteCommand', 'GetCommand'],
    );
  });

  test('ConditionalCheckFailedException becomes ConditionFailedError naming the key', async () => {
    const { client } = recordingClient(({ command }) => {
      if (command === 'GetCommand') return {};
      throw awsError('ConditionalCheckFailedException');
    });
    const error = await mappedTable(client)
      .put({ PK: 'P', SK: 'A' }, { condition: when.notExists() })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ConditionFailedError);
    assert.deepEqual(error.key, { PK: 'P', SK: 'A' });
  });

  test('unknown ValidationExceptions stay server errors; known caller mistakes become TableValidationError', async () => {
    const { client } = recordingClient(({ input }) => {
      const message =
        (input.Item as Item).SK === 'A'
          ? 'Invalid UpdateExpression: Syntax error'
          : 'Item size has exceeded the maximum allowed size';
      throw awsError('ValidationException', { message });
    });
    const table = mappedTable(client);
    await assert.rejects(table.put({ PK: 'P', SK: 'A' }), (error: Error) => error.name === 'ValidationException');
    await assert.rejects(table.put({ PK: 'P', SK: 'B' }), TableValidationError);
  });
});
