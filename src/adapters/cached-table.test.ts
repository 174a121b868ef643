import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tableContract } from '../../test/contracts/table.contract.ts';
import { TestClock } from '../../test/support/clock.ts';
import type { Item, Key, Page, QueryInput, Table } from '../platform/table.ts';
import { CachedTable } from './cached-table.ts';
import { openDatabase } from './local/database.ts';
import { SqliteTable } from './local/sqlite-table.ts';

// The cache must not change what any operation means: the whole table contract, on user
// partitions (one scope per user) and on others (one scope per partition).
for (const partitionPrefix of ['USER#', 'POST#']) {
  tableContract(
    `SQLite behind the read cache, ${partitionPrefix} partitions`,
    async () => {
      const db = openDatabase(':memory:');
      const clock = new TestClock();
      return {
        table: new CachedTable(new SqliteTable(db, clock), { clock }),
        clock,
        close: async () => void db.close(),
      };
    },
    { partitionPrefix },
  );
}

function cachedSqlite() {
  const db = openDatabase(':memory:');
  const clock = new TestClock();
  const sqlite = new SqliteTable(db, clock);
  return { sqlite, cached: new CachedTable(sqlite, { clock }), clock, close: () => db.close() };
}

describe('read cache', () => {
  test('a repeated read is served from memory; a write through the cache is seen at once', async () => {
    const { sqlite, cached, close } = cachedSqlite();
    const key = { PK: 'USER#a', SK: 'TODO#1' };
    await cached.put({ ...key, title: 'first', GSI1PK: 'USER#a#TODO#open', GSI1SK: 'TODO#1' });
    assert.equal((await cached.get(key))?.title, 'first');
    assert.equal((await cached.query({ index: 'GSI1', partition: 'USER#a#TODO#open' })).items.length, 1);
    // Written behind the cache's back: the cached copies are still served, proving they are cached.
    await sqlite.put({ ...key, title: 'behind' });
    assert.equal((await cached.get(key))?.title, 'first');
    assert.ok(cached.stats().hits >= 1);
    // Moving the item to another index partition through the cache invalidates both lists.
    await cached.update(key, { set: { title: 'second', GSI1PK: 'USER#a#TODO#done' } });
    assert.equal((await cached.get(key))?.title, 'second');
    assert.equal((await cached.query({ index: 'GSI1', partition: 'USER#a#TODO#open' })).items.length, 0);
    assert.equal((await cached.query({ index: 'GSI1', partition: 'USER#a#TODO#done' })).items.length, 1);
    close();
  });

  test("one user's write leaves another user's cached reads alone, and never serves them", async () => {
    const { cached, close } = cachedSqlite();
    await cached.put({ PK: 'USER#a', SK: 'TODO#1', owner: 'a' });
    await cached.put({ PK: 'USER#b', SK: 'TODO#1', owner: 'b' });
    assert.equal((await cached.get({ PK: 'USER#a', SK: 'TODO#1' }))?.owner, 'a');
    assert.equal((await cached.get({ PK: 'USER#b', SK: 'TODO#1' }))?.owner, 'b');
    const hits = cached.stats().hits;
    await cached.put({ PK: 'USER#b', SK: 'TODO#2', owner: 'b' });
    assert.equal((await cached.get({ PK: 'USER#a', SK: 'TODO#1' }))?.owner, 'a');
    assert.equal(cached.stats().hits, hits + 1, "a's entry survived b's write");
    close();
  });

  test('a read that overlaps a write never stores the older result', async () => {
    // A table whose reads take a while, so a write can land in the middle of one.
    const { sqlite, close } = cachedSqlite();
    let release: (() => void) | undefined;
    const slow: Table = Object.assign(Object.create(sqlite) as Table, {
      async get(key: Key) {
        const item = await sqlite.get(key);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return item;
      },
      async query(input: QueryInput): Promise<Page> {
        return sqlite.query(input);
      },
    });
    const cached = new CachedTable(slow);
    const key = { PK: 'USER#a', SK: 'TODO#1' };
    await cached.put({ ...key, title: 'old' });
    const pending = cached.get(key);
    await new Promise((r) => setImmediate(r));
    await cached.put({ ...key, title: 'new' });
    release?.();
    assert.equal((await pending)?.title, 'old', 'the overlapping read saw the old item');
    const fresh = cached.get(key);
    await new Promise((r) => setImmediate(r));
    release?.();
    assert.equal((await fresh)?.title, 'new', 'but did not cache it');
    close();
  });

  test('cached items are frozen, so no reader can change what the next reader sees', async () => {
    const { cached, close } = cachedSqlite();
    await cached.put({ PK: 'USER#a', SK: 'P', tags: ['x'] });
    const item = (await cached.get({ PK: 'USER#a', SK: 'P' })) as Item;
    assert.throws(() => {
      (item.tags as string[]).push('y');
    });
    close();
  });

  test('an item whose TTL passes disappears from cached reads at once', async () => {
    const { cached, clock, close } = cachedSqlite();
    const ttl = Math.floor(clock.now() / 1000) + 60;
    await cached.put({ PK: 'USER#a', SK: 'S', ttl });
    assert.ok(await cached.get({ PK: 'USER#a', SK: 'S' }));
    assert.equal((await cached.query({ partition: 'USER#a' })).items.length, 1);
    clock.advance(61_000);
    assert.equal(await cached.get({ PK: 'USER#a', SK: 'S' }), undefined);
    assert.equal((await cached.query({ partition: 'USER#a' })).items.length, 0);
    close();
  });

  test('other partitions are cached one by one, and their index partitions never', async () => {
    const { sqlite, cached, close } = cachedSqlite();
    const post = { PK: 'POST#1', SK: 'METADATA' };
    await cached.put({ ...post, text: 'first', GSI1PK: 'TAG#cats', GSI1SK: '1' });
    await cached.put({ PK: 'POST#2', SK: 'METADATA', text: 'other' });
    assert.equal((await cached.get(post))?.text, 'first');
    assert.equal((await cached.get({ PK: 'POST#2', SK: 'METADATA' }))?.text, 'other');
    assert.equal((await cached.query({ partition: 'POST#1' })).items.length, 1);
    // Behind the cache's back: the cached copies are served, proving they are cached.
    await sqlite.put({ ...post, text: 'behind', GSI1PK: 'TAG#cats', GSI1SK: '1' });
    assert.equal((await cached.get(post))?.text, 'first');
    // A write to POST#1 through the cache drops POST#1's reads and leaves POST#2's.
    const hits = cached.stats().hits;
    await cached.put({ PK: 'POST#1', SK: 'LIKE#a' });
    assert.equal((await cached.get(post))?.text, 'behind');
    assert.equal((await cached.query({ partition: 'POST#1' })).items.length, 2);
    assert.equal((await cached.get({ PK: 'POST#2', SK: 'METADATA' }))?.text, 'other');
    assert.equal(cached.stats().hits, hits + 1, "POST#2's entry survived POST#1's write");
    // An index partition outside USER# is read from the table every time.
    assert.equal((await cached.query({ index: 'GSI1', partition: 'TAG#cats' })).items.length, 1);
    await sqlite.update(post, { set: { GSI1PK: 'TAG#dogs' } });
    assert.equal((await cached.query({ index: 'GSI1', partition: 'TAG#cats' })).items.length, 0);
    close();
  });

  test('a batch get takes what it can from memory, absent items included, and reads the rest in one call', async () => {
    const { sqlite, cached, close } = cachedSqlite();
    await cached.put({ PK: 'POST#1', SK: 'METADATA', text: 'one' });
    await cached.put({ PK: 'USER#a', SK: 'PROFILE', name: 'Ada' });
    const keys = [
      { PK: 'POST#1', SK: 'METADATA' },
      { PK: 'POST#1', SK: 'LIKE#USER#a' },
      { PK: 'USER#a', SK: 'PROFILE' },
    ];
    assert.deepEqual((await cached.batchGet(keys)).map((item) => item.SK).sort(), ['METADATA', 'PROFILE']);
    // Behind the cache's back: a like appears and the post changes; the batch still reads the cached copies.
    await sqlite.put({ PK: 'POST#1', SK: 'LIKE#USER#a' });
    await sqlite.put({ PK: 'POST#1', SK: 'METADATA', text: 'changed' });
    let calls = 0;
    const batchGet = sqlite.batchGet.bind(sqlite);
    sqlite.batchGet = async (asked) => {
      calls += 1;
      return batchGet(asked);
    };
    const again = await cached.batchGet([...keys, { PK: 'POST#2', SK: 'METADATA' }]);
    assert.deepEqual(again.map((item) => item.SK).sort(), ['METADATA', 'PROFILE']);
    assert.equal(again.find((item) => item.SK === 'METADATA')?.text, 'one');
    assert.equal(calls, 1, 'only the key never read went to the table');
    // A write through the cache to POST#1 is seen by the next batch, like and all.
    await cached.update({ PK: 'POST#1', SK: 'METADATA' }, { set: { text: 'two' } });
    const fresh = await cached.batchGet(keys);
    assert.deepEqual(fresh.map((item) => item.SK).sort(), ['LIKE#USER#a', 'METADATA', 'PROFILE']);
    assert.equal(fresh.find((item) => item.SK === 'METADATA')?.text, 'two');
    close();
  });
  test('a consistent get or query goes past the cache, as DAX passes it to DynamoDB', async () => {
    const { sqlite, cached, close } = cachedSqlite();
    await cached.put({ PK: 'AUDIT', SK: 'HEAD', seq: 1 });
    assert.equal((await cached.get({ PK: 'AUDIT', SK: 'HEAD' }))?.seq, 1);
    assert.equal((await cached.query({ partition: 'AUDIT' })).items.length, 1);
    // Written by another process: only consistent reads see it.
    await sqlite.put({ PK: 'AUDIT', SK: 'HEAD', seq: 2 });
    await sqlite.put({ PK: 'AUDIT', SK: 'ENTRY#2' });
    assert.equal((await cached.get({ PK: 'AUDIT', SK: 'HEAD' }))?.seq, 1);
    assert.equal((await cached.get({ PK: 'AUDIT', SK: 'HEAD' }, { consistent: true }))?.seq, 2);
    assert.equal((await cached.query({ partition: 'AUDIT', consistent: true })).items.length, 2);
    close();
  });
});
