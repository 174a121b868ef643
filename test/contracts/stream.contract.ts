import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type ChangeRecord, RecordFailure, type StreamHandler } from '../../src/platform/stream.ts';
import { type Table, TransactionCanceledError, when } from '../../src/platform/table.ts';
import type { TestClock } from '../support/clock.ts';

export interface StreamUnderTest {
  table: Table;
  clock?: TestClock;
  /** Delivers every committed change to the handlers, waiting out retries. */
  drain(): Promise<void>;
  /** Deletes expired items (the TTL process), when the adapter controls it. */
  sweepExpired?(): Promise<void>;
  close(): Promise<void>;
}

/** A handler that records what it was given, optionally failing on chosen calls. */
export function recorder(name: string, fail: (records: ChangeRecord[], call: number) => void = () => {}) {
  const batches: ChangeRecord[][] = [];
  let calls = 0;
  const handler: StreamHandler = {
    name,
    async handle(records) {
      calls += 1;
      fail(records, calls);
      batches.push(records);
    },
  };
  return { handler, batches, records: () => batches.flat() };
}

/**
 * What the change stream must do on every adapter: a record for every committed write
 * (and none for a refused one), with old and new images, in order, at least once.
 */
export function streamContract(
  adapter: string,
  open: (handlers: StreamHandler[]) => Promise<StreamUnderTest>,
  options: {
    /**
     * Why the adapter cannot retry one handler without handing the batch to the others again
     * (on AWS one event source mapping keeps one position for every handler): the case that
     * needs per-handler positions is skipped with this reason. Absent: it runs.
     */
    skipPerHandlerRetries?: string;
  } = {},
): void {
  describe(`Change stream contract: ${adapter}`, () => {
    let subject: StreamUnderTest | undefined;
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    test('every write appears once, in order, as INSERT / MODIFY / REMOVE with old and new images', async () => {
      const seen = recorder('audit');
      subject = await open([seen.handler]);
      const { table } = subject;
      await table.put({ PK: 'P', SK: 'A', v: 1 });
      await table.update({ PK: 'P', SK: 'A' }, { set: { v: 2 } });
      await table.delete({ PK: 'P', SK: 'A' });
      await subject.drain();
      const records = seen.records();
      assert.deepEqual(
        records.map((r) => r.eventName),
        ['INSERT', 'MODIFY', 'REMOVE'],
      );
      const [insert, modify, remove] = records as [ChangeRecord, ChangeRecord, ChangeRecord];
      assert.deepEqual(insert.dynamodb.Keys, { PK: 'P', SK: 'A' });
      assert.equal(insert.dynamodb.OldImage, undefined);
      assert.deepEqual(insert.dynamodb.NewImage, { PK: 'P', SK: 'A', v: 1 });
      assert.deepEqual(modify.dynamodb.OldImage, { PK: 'P', SK: 'A', v: 1 });
      assert.deepEqual(modify.dynamodb.NewImage, { PK: 'P', SK: 'A', v: 2 });
      assert.deepEqual(remove.dynamodb.OldImage, { PK: 'P', SK: 'A', v: 2 });
      assert.equal(remove.dynamodb.NewImage, undefined);
      const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
      assert.deepEqual(
        sequence,
        [...sequence].sort((a, b) => (a < b ? -1 : 1)),
      );
      assert.equal(insert.dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
    });

    test('a refused write or transaction leaves no record', async () => {
      const seen = recorder('audit');
      subject = await open([seen.handler]);
      const { table } = subject;
      await table.put({ PK: 'P', SK: 'TAKEN' });
      await assert.rejects(
        table.transact([
          { put: { PK: 'P', SK: 'NEW' } },
          { put: { PK: 'P', SK: 'TAKEN' }, condition: when.notExists() },
        ]),
        TransactionCanceledError,
      );
      await assert.rejects(table.put({ PK: 'P', SK: 'TAKEN' }, { condition: when.notExists() }));
      await table.delete({ PK: 'P', SK: 'NEVER-EXISTED' });
      await subject.drain();
      assert.deepEqual(
        seen.records().map((r) => `${r.eventName} ${r.dynamodb.Keys.SK}`),
        ['INSERT TAKEN'],
      );
    });

    test('a failing handler is retried until it succeeds, without holding up the other handlers', {
      skip: options.skipPerHandlerRetries,
    }, async () => {
      const flaky = recorder('flaky', (_records, call) => {
        if (call <= 2) throw new Error('temporarily down');
      });
      const steady = recorder('steady');
      subject = await open([flaky.handler, steady.handler]);
      await subject.table.put({ PK: 'P', SK: 'A' });
      await subject.drain();
      assert.equal(steady.records().length, 1);
      assert.equal(flaky.records().length, 1, 'delivered once it stopped failing');
    });

    test('a record failure keeps the records before it done and retries from the failed one', async () => {
      let failOnce = true;
      const handled: string[] = [];
      const partial: StreamHandler = {
        name: 'partial',
        async handle(records) {
          for (const record of records) {
            if (record.dynamodb.Keys.SK === 'B' && failOnce) {
              failOnce = false;
              throw new RecordFailure(record.dynamodb.SequenceNumber);
            }
            handled.push(record.dynamodb.Keys.SK);
          }
        },
      };
      subject = await open([partial]);
      await subject.table.batchWrite({ puts: [{ PK: 'P', SK: 'A' }] });
      await subject.table.put({ PK: 'P', SK: 'B' });
      await subject.table.put({ PK: 'P', SK: 'C' });
      await subject.drain();
      assert.deepEqual(handled, ['A', 'B', 'C']);
    });

    test('expired items are deleted by the TTL process with a service REMOVE record', async (t) => {
      const seen = recorder('ttl');
      subject = await open([seen.handler]);
      if (!subject.clock || !subject.sweepExpired) return t.skip('this adapter does not control the TTL process');
      await subject.table.put({ PK: 'P', SK: 'TEMP', ttl: Math.floor(subject.clock.now() / 1000) + 10 });
      subject.clock.advance(11_000);
      await subject.sweepExpired();
      await subject.drain();
      const remove = seen.records().find((r) => r.eventName === 'REMOVE');
      assert.ok(remove, 'the sweep produced a REMOVE');
      assert.deepEqual(remove.userIdentity, { type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    });
  });
}
