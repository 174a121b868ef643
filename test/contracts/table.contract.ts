import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  ConditionFailedError,
  type Item,
  type Table,
  TableValidationError,
  TransactionCanceledError,
  when,
} from '../../src/platform/table.ts';
import type { TestClock } from '../support/clock.ts';

export interface TableUnderTest {
  table: Table;
  /** Moves the adapter's notion of now (for TTL); absent when the adapter cannot (e.g. a real service). */
  clock?: TestClock;
  close(): Promise<void>;
}

/**
 * What every Table adapter must do, with DynamoDB's semantics as the floor. Run by each
 * adapter's test with a factory that gives a fresh, empty table.
 */
export function tableContract(
  adapter: string,
  open: () => Promise<TableUnderTest>,
  options: {
    /** Put every partition under this prefix (the read cache only caches `USER#` partitions). */
    partitionPrefix?: string;
    /**
     * Why the adapter's peer cannot run transactions (dynalite has no TransactWriteItems):
     * the cases that need one are skipped with this reason. Absent: they run.
     */
    skipTransactions?: string;
  } = {},
): void {
  describe(`Table contract: ${adapter}`, () => {
    let subject: TableUnderTest;
    let table: Table;
    let partition: string;
    let run = 0;

    before(async () => {
      subject = await open();
      table = subject.table;
    });
    after(() => subject.close());
    // Each case gets partitions of its own, so cases cannot see each other's items.
    beforeEach(() => {
      run += 1;
      partition = `${options.partitionPrefix ?? ''}T${run}`;
    });
    const key = (sk: string, pk = partition) => ({ PK: pk, SK: sk });

    test('put then get returns the item; a missing key reads as undefined', async () => {
      const item: Item = { ...key('A'), title: 'first', count: 1, tags: ['x'], nested: { ok: true }, none: null };
      assert.equal(await table.put(item), undefined);
      assert.deepEqual(await table.get(key('A')), item);
      assert.equal(await table.get(key('missing')), undefined);
    });

    test('put replaces the whole item and returns the previous one', async () => {
      await table.put({ ...key('A'), a: 1, b: 2 });
      const previous = await table.put({ ...key('A'), a: 3 });
      assert.deepEqual(previous, { ...key('A'), a: 1, b: 2 });
      assert.deepEqual(await table.get(key('A')), { ...key('A'), a: 3 });
    });

    test('put with notExists refuses to overwrite and leaves the item as it was (uniqueness)', async () => {
      await table.put({ ...key('UNIQUE'), owner: 'first' }, { condition: when.notExists() });
      await assert.rejects(
        table.put({ ...key('UNIQUE'), owner: 'second' }, { condition: when.notExists() }),
        ConditionFailedError,
      );
      assert.equal((await table.get(key('UNIQUE')))?.owner, 'first');
    });

    test('update with an equals condition gives optimistic concurrency', async () => {
      await table.put({ ...key('DOC'), version: 1, body: 'v1' });
      const updated = await table.update(
        key('DOC'),
        { set: { body: 'v2' }, add: { version: 1 } },
        { condition: when.equals('version', 1) },
      );
      assert.deepEqual(updated, { ...key('DOC'), version: 2, body: 'v2' });
      await assert.rejects(
        table.update(key('DOC'), { set: { body: 'stale' } }, { condition: when.equals('version', 1) }),
        ConditionFailedError,
      );
      assert.equal((await table.get(key('DOC')))?.body, 'v2');
    });

    test('update sets, removes and adds, and creates the item when absent', async () => {
      const created = await table.update(key('NEW'), { set: { a: 'x', b: 'y' }, add: { n: 5 } });
      assert.deepEqual(created, { ...key('NEW'), a: 'x', b: 'y', n: 5 });
      const changed = await table.update(key('NEW'), { remove: ['b'], add: { n: -2 } });
      assert.deepEqual(changed, { ...key('NEW'), a: 'x', n: 3 });
    });

    test('update with exists fails on a missing item and creates nothing', async () => {
      await assert.rejects(
        table.update(key('GHOST'), { set: { a: 1 } }, { condition: when.exists() }),
        ConditionFailedError,
      );
      assert.equal(await table.get(key('GHOST')), undefined);
    });

    test('update refuses to add to a non-number or to change the key', async () => {
      await table.put({ ...key('A'), name: 'text' });
      await assert.rejects(table.update(key('A'), { add: { name: 1 } }), TableValidationError);
      await assert.rejects(table.update(key('A'), { set: { PK: 'other' } }), TableValidationError);
      assert.deepEqual(await table.get(key('A')), { ...key('A'), name: 'text' });
    });

    test('attributeNotExists and and-conditions combine', async () => {
      await table.put({ ...key('A'), status: 'open' });
      await table.update(
        key('A'),
        { set: { claimedBy: 'me' } },
        { condition: when.and(when.equals('status', 'open'), when.attributeNotExists('claimedBy')) },
      );
      await assert.rejects(
        table.update(
          key('A'),
          { set: { claimedBy: 'you' } },
          { condition: when.and(when.equals('status', 'open'), when.attributeNotExists('claimedBy')) },
        ),
        ConditionFailedError,
      );
      assert.equal((await table.get(key('A')))?.claimedBy, 'me');
    });

    test('delete returns the old item; a conditional delete of a missing item fails', async () => {
      await table.put({ ...key('A'), a: 1 });
      assert.deepEqual(await table.delete(key('A')), { ...key('A'), a: 1 });
      assert.equal(await table.get(key('A')), undefined);
      assert.equal(await table.delete(key('A')), undefined);
      await assert.rejects(table.delete(key('A'), { condition: when.exists() }), ConditionFailedError);
    });

    test('batch get returns the items that exist; batch write puts and deletes', async () => {
      await table.batchWrite({ puts: [1, 2, 3].map((n) => ({ ...key(`B${n}`), n })) });
      await table.batchWrite({ deletes: [key('B2')] });
      const items = await table.batchGet([key('B1'), key('B2'), key('B3'), key('B4')]);
      assert.deepEqual(items.map((i) => i.n).sort(), [1, 3]);
    });

    test('a batch get of more than 100 keys is refused', async () => {
      const keys = Array.from({ length: 101 }, (_, i) => key(`K${i}`));
      await assert.rejects(table.batchGet(keys), TableValidationError);
    });

    test('a transaction applies every write together', { skip: options.skipTransactions }, async () => {
      await table.put({ ...key('ACCOUNT#1'), balance: 10 });
      await table.transact([
        { update: key('ACCOUNT#1'), changes: { add: { balance: -5 } }, condition: when.equals('balance', 10) },
        { put: { ...key('ACCOUNT#2'), balance: 5 }, condition: when.notExists() },
        { put: { ...key('LOG#1'), amount: 5 } },
      ]);
      assert.equal((await table.get(key('ACCOUNT#1')))?.balance, 5);
      assert.equal((await table.get(key('ACCOUNT#2')))?.balance, 5);
      assert.ok(await table.get(key('LOG#1')));
    });

    test('a transaction with one failing condition writes nothing and says which failed', {
      skip: options.skipTransactions,
    }, async () => {
      await table.put({ ...key('TAKEN'), owner: 'someone' });
      await table.put({ ...key('KEEP'), v: 1 });
      const error = await table
        .transact([
          { put: { ...key('NEW'), v: 1 } },
          { update: key('KEEP'), changes: { set: { v: 2 } } },
          { put: { ...key('TAKEN'), owner: 'me' }, condition: when.notExists() },
        ])
        .then(
          () => assert.fail('the transaction should have been canceled'),
          (e: unknown) => e,
        );
      assert.ok(error instanceof TransactionCanceledError);
      assert.deepEqual(error.reasons, ['None', 'None', 'ConditionalCheckFailed']);
      assert.equal(await table.get(key('NEW')), undefined);
      assert.equal((await table.get(key('KEEP')))?.v, 1);
      assert.equal((await table.get(key('TAKEN')))?.owner, 'someone');
    });

    test('a condition check in a transaction guards writes elsewhere', { skip: options.skipTransactions }, async () => {
      await assert.rejects(
        table.transact([{ check: key('PARENT'), condition: when.exists() }, { put: { ...key('CHILD'), v: 1 } }]),
        TransactionCanceledError,
      );
      assert.equal(await table.get(key('CHILD')), undefined);
    });

    test('transactions keep DynamoDB limits: at most 100 items, each item once', {
      skip: options.skipTransactions,
    }, async () => {
      const ops = Array.from({ length: 101 }, (_, i) => ({ put: { ...key(`X${i}`) } }));
      await assert.rejects(table.transact(ops), TableValidationError);
      await assert.rejects(
        table.transact([{ put: { ...key('SAME'), a: 1 } }, { delete: key('SAME') }]),
        TableValidationError,
      );
      await table.transact(ops.slice(0, 100));
      assert.equal((await table.query({ partition, limit: 1000 })).items.length, 100);
    });

    test('items over 400 KB are refused, and nothing is written', async () => {
      await assert.rejects(table.put({ ...key('BIG'), body: 'x'.repeat(400 * 1024) }), TableValidationError);
      assert.equal(await table.get(key('BIG')), undefined);
      await table.put({ ...key('FITS'), body: 'x'.repeat(399 * 1024) });
      await assert.rejects(table.update(key('FITS'), { set: { more: 'y'.repeat(2048) } }), TableValidationError);
      assert.equal(String((await table.get(key('FITS')))?.body).length, 399 * 1024);
    });

    test('keys must be non-empty strings', async () => {
      await assert.rejects(table.put({ PK: '', SK: 'A' }), TableValidationError);
      await assert.rejects(table.get({ PK: partition, SK: '' }), TableValidationError);
      await assert.rejects(
        table.put({ ...key('A'), GSI1PK: 42 as unknown as string, GSI1SK: 'x' }),
        TableValidationError,
      );
    });

    describe('query', () => {
      const seed = async () => {
        await table.batchWrite({
          puts: ['2024-01', '2024-02', '2024-03', '2025-01', '2025-02'].map((month) => ({
            ...key(`EVENT#${month}`),
            month,
          })),
        });
        await table.put({ ...key('PROFILE'), name: 'not an event' });
        await table.put({ ...key('EVENT#2024-09', `${partition}-other`), month: 'elsewhere' });
      };
      const months = (items: Item[]) => items.map((i) => i.month);

      test('by partition, in sort-key order, forward and reverse', async () => {
        await seed();
        const forward = await table.query({ partition, sort: { beginsWith: 'EVENT#' } });
        assert.deepEqual(months(forward.items), ['2024-01', '2024-02', '2024-03', '2025-01', '2025-02']);
        assert.equal(forward.cursor, undefined);
        const reverse = await table.query({ partition, sort: { beginsWith: 'EVENT#' }, reverse: true });
        assert.deepEqual(months(reverse.items), ['2025-02', '2025-01', '2024-03', '2024-02', '2024-01']);
      });

      test('sort-key conditions: equals, begins with, between, <, <=, >, >=', async () => {
        await seed();
        const q = async (sort: Parameters<Table['query']>[0]['sort']) =>
          months((await table.query({ partition, sort })).items);
        assert.deepEqual(await q({ equals: 'EVENT#2024-02' }), ['2024-02']);
        assert.deepEqual(await q({ beginsWith: 'EVENT#2025' }), ['2025-01', '2025-02']);
        assert.deepEqual(await q({ between: ['EVENT#2024-02', 'EVENT#2025-01'] }), ['2024-02', '2024-03', '2025-01']);
        assert.deepEqual(await q({ lessThan: 'EVENT#2024-02' }), ['2024-01']);
        assert.deepEqual(await q({ lessThanOrEqual: 'EVENT#2024-02' }), ['2024-01', '2024-02']);
        assert.deepEqual(await q({ greaterThan: 'EVENT#2025-01' }), ['2025-02', undefined]);
        assert.deepEqual(await q({ greaterThanOrEqual: 'EVENT#2025-02' }), ['2025-02', undefined]);
      });

      test('limit and cursor page through every item exactly once, both ways', async () => {
        await table.batchWrite({
          puts: Array.from({ length: 23 }, (_, i) => ({ ...key(`N#${String(i).padStart(3, '0')}`), i })),
        });
        for (const reverse of [false, true]) {
          const seen: number[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await table.query({ partition, limit: 5, reverse, ...(cursor ? { cursor } : {}) });
            seen.push(...page.items.map((item) => item.i as number));
            cursor = page.cursor;
            pages += 1;
          } while (cursor);
          const expected = Array.from({ length: 23 }, (_, i) => i);
          assert.deepEqual(seen, reverse ? expected.reverse() : expected);
          assert.ok(pages >= 5);
        }
      });

      test('a tampered cursor, or one from another partition, is refused as a validation error', async () => {
        await seed();
        const page = await table.query({ partition, limit: 2 });
        assert.ok(page.cursor);
        await assert.rejects(table.query({ partition, cursor: 'not-a-cursor' }), TableValidationError);
        await assert.rejects(
          table.query({ partition: `${partition}-other`, cursor: page.cursor }),
          TableValidationError,
        );
        await assert.rejects(table.query({ partition, limit: 0 }), TableValidationError);
      });

      test('sort keys order by UTF-8 bytes, as DynamoDB orders them', async () => {
        // U+FF61 sorts before U+1F600 in UTF-8, but after it in JavaScript's UTF-16 order.
        await table.batchWrite({ puts: ['\u{1F600}', '\uFF61', 'z', 'a'].map((s) => ({ ...key(`S#${s}`), s })) });
        const { items } = await table.query({ partition, sort: { beginsWith: 'S#' } });
        assert.deepEqual(
          items.map((i) => i.s),
          ['a', 'z', '\uFF61', '\u{1F600}'],
        );
      });

      test('global secondary indexes are sparse and queryable with their own cursor', async () => {
        const puts = Array.from({ length: 7 }, (_, i) => ({
          ...key(`ITEM#${i}`),
          i,
          GSI1PK: `${partition}#TAG#blue`,
          GSI1SK: `2025-0${(i % 3) + 1}`, // repeated sort values: the cursor must still be exact
        }));
        await table.batchWrite({ puts: [...puts, { ...key('ITEM#untagged'), i: 99 }] });
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await table.query({
            index: 'GSI1',
            partition: `${partition}#TAG#blue`,
            limit: 3,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.items.map((item) => item.i as number));
          cursor = page.cursor;
        } while (cursor);
        assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
        assert.equal(new Set(seen).size, 7);
        const march = await table.query({
          index: 'GSI1',
          partition: `${partition}#TAG#blue`,
          sort: { equals: '2025-03' },
        });
        assert.deepEqual(march.items.map((item) => item.i).sort(), [2, 5]);
        await table.put({ ...key('OTHER'), GSI2PK: `${partition}#G2`, GSI2SK: 'a' });
        assert.equal((await table.query({ index: 'GSI2', partition: `${partition}#G2` })).items.length, 1);
      });
    });

    test('an item past its TTL is hidden from every read at once and treated as absent by conditions', async (t) => {
      if (!subject.clock) return t.skip('this adapter cannot move time');
      const now = Math.floor(subject.clock.now() / 1000);
      await table.put({ ...key('SESSION#1'), ttl: now + 60 });
      await table.put({ ...key('SESSION#2'), ttl: now + 3600 });
      subject.clock.advance(61_000);
      assert.equal(await table.get(key('SESSION#1')), undefined);
      assert.deepEqual((await table.batchGet([key('SESSION#1')])).length, 0);
      const { items } = await table.query({ partition, sort: { beginsWith: 'SESSION#' } });
      assert.deepEqual(
        items.map((i) => i.SK),
        ['SESSION#2'],
      );
      await table.put({ ...key('SESSION#1'), fresh: true }, { condition: when.notExists() });
      assert.equal((await table.get(key('SESSION#1')))?.fresh, true);
    });
  });
}
