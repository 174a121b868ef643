import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { openDatabase } from '../../adapters/local/database.ts';
import { SqliteTable } from '../../adapters/local/sqlite-table.ts';
import { AppError } from '../../platform/errors.ts';
import type { ChangeRecord } from '../../platform/stream.ts';
import type { Item, Key, Table, Update } from '../../platform/table.ts';
import { deleteApiKeyLookupOnRemoval } from './events.ts';
import { apiKeyKey, apiKeyLookupKey, hashApiKey } from './keys.ts';
import { checkPlans, defaultUsagePlans } from './plans.ts';
import { ApiKeysService } from './service.ts';

const ada = { sub: 'ada', accessToken: 'unused' };

/** A table whose reads of chosen keys wait until released, to order a race by hand. */
class GatedTable {
  gate: { key: string; opened: Promise<void>; open: () => void } | undefined;
  updates = 0;
  constructor(readonly inner: Table) {}
  hold(key: Key): () => void {
    let open = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { key: `${key.PK}|${key.SK}`, opened, open };
    return open;
  }
  table(): Table {
    const inner = this.inner;
    return {
      get: async (key, options) => {
        const gate = this.gate;
        if (gate && gate.key === `${key.PK}|${key.SK}`) {
          this.gate = undefined;
          const item = await inner.get(key, options);
          await gate.opened;
          return item;
        }
        return inner.get(key, options);
      },
      put: (item: Item, options) => inner.put(item, options),
      update: (key: Key, changes: Update, options) => {
        this.updates++;
        return inner.update(key, changes, options);
      },
      delete: (key, options) => inner.delete(key, options),
      batchGet: (keys) => inner.batchGet(keys),
      batchWrite: (writes) => inner.batchWrite(writes),
      transact: (ops) => inner.transact(ops),
      query: (input) => inner.query(input),
    };
  }
}

describe('ApiKeysService', () => {
  let clock: TestClock;
  let sqlite: SqliteTable;
  let gated: GatedTable;
  let keys: ApiKeysService;

  beforeEach(() => {
    clock = new TestClock(Date.UTC(2031, 0, 1, 12));
    sqlite = new SqliteTable(openDatabase(':memory:'), clock);
    gated = new GatedTable(sqlite);
    keys = new ApiKeysService(gated.table(), clock, { maxActiveKeys: 3 });
  });

  test('concurrent creates never pass the live-key limit', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => keys.create(ada, { name: 'k' })));
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(created.length, 3);
    for (const r of refused) {
      assert.ok(r.reason instanceof AppError && r.reason.status === 409, String(r.reason));
    }
    assert.equal((await keys.list(ada, {})).items.length, 3);
  });

  test('the table holds the hash, never the key; revoke deletes the lookup in the same step', async () => {
    const created = await keys.create(ada, { name: 'k' });
    const hash = hashApiKey(created.key);
    const record = await sqlite.get(apiKeyKey('ada', created.id));
    assert.equal(record?.keyHash, hash);
    assert.ok(!JSON.stringify(record).includes(created.key));
    assert.deepEqual(await sqlite.get(apiKeyLookupKey(hash)), {
      ...apiKeyLookupKey(hash),
      type: 'apiKeyLookup',
      id: created.id,
      sub: 'ada',
      plan: 'basic',
    });
    await keys.revoke(ada, created.id);
    assert.equal(await sqlite.get(apiKeyLookupKey(hash)), undefined);
    assert.ok((await sqlite.get(apiKeyKey('ada', created.id)))?.revokedAt);
  });

  test('a lookup that read the table before a revoke does not bring the key back', async () => {
    const created = await keys.create(ada, { name: 'k' });
    const release = gated.hold(apiKeyLookupKey(hashApiKey(created.key)));
    const inFlight = keys.resolve(created.key);
    await keys.revoke(ada, created.id);
    release();
    assert.equal(await inFlight, undefined, 'the lookup that raced the revoke');
    assert.equal(await keys.resolve(created.key), undefined, 'and nothing stale was cached');
  });

  test('lastUsedAt is written at most once a minute per key', async () => {
    const created = await keys.create(ada, { name: 'k' });
    const resolved = await keys.resolve(created.key);
    assert.ok(resolved);
    const before = gated.updates;
    for (let i = 0; i < 100; i++) keys.markUsed(resolved);
    assert.equal(gated.updates - before, 1);
    clock.advance(59_999);
    keys.markUsed(resolved);
    assert.equal(gated.updates - before, 1);
    clock.advance(1);
    keys.markUsed(resolved);
    assert.equal(gated.updates - before, 2);
    const [listed] = (await keys.list(ada, {})).items;
    assert.equal(listed?.lastUsedAt, new Date(clock.now()).toISOString());
  });

  test('using a revoked key never writes its record back', async () => {
    const created = await keys.create(ada, { name: 'k' });
    const resolved = await keys.resolve(created.key);
    assert.ok(resolved);
    await keys.revoke(ada, created.id);
    await sqlite.delete(apiKeyKey('ada', created.id));
    keys.markUsed(resolved);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await sqlite.get(apiKeyKey('ada', created.id)), undefined);
  });

  test('a key on a plan no longer configured gets the default plan', async () => {
    const created = await keys.create(ada, { name: 'k', plan: 'pro' });
    const fewerPlans = new ApiKeysService(sqlite, clock, { plans: defaultUsagePlans.slice(0, 1) });
    assert.equal((await fewerPlans.resolve(created.key))?.plan.name, 'basic');
    assert.equal((await keys.resolve(created.key))?.plan.name, 'pro');
  });

  test('when the key record is removed (account deleted), the stream handler deletes its lookup', async () => {
    const created = await keys.create(ada, { name: 'k' });
    const hash = hashApiKey(created.key);
    const old = await sqlite.delete(apiKeyKey('ada', created.id));
    const record = {
      eventName: 'REMOVE',
      dynamodb: { Keys: apiKeyKey('ada', created.id), OldImage: old, SequenceNumber: '1' },
    } as unknown as ChangeRecord;
    const handler = deleteApiKeyLookupOnRemoval(sqlite);
    await handler.handle([record]);
    await handler.handle([record]);
    assert.equal(await sqlite.get(apiKeyLookupKey(hash)), undefined);
  });

  test('plans are checked at start', () => {
    assert.throws(() => checkPlans([], 'basic'), /at least one plan/);
    assert.throws(() => checkPlans(defaultUsagePlans, 'gold'), /default plan "gold"/);
    assert.throws(
      () => checkPlans([{ name: 'basic', ratePerSecond: 0, burst: 1, dailyQuota: 1 }], 'basic'),
      /basic.ratePerSecond must be a positive number/,
    );
    assert.throws(() => checkPlans([...defaultUsagePlans, ...defaultUsagePlans], 'basic'), /configured twice/);
    assert.throws(() => checkPlans([{ name: 'Big Plan', ratePerSecond: 1, burst: 1, dailyQuota: 1 }], 'Big Plan'));
  });
});
