import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { openDatabase } from '../../adapters/local/database.ts';
import { SqliteTable } from '../../adapters/local/sqlite-table.ts';
import { TableQuotaStore } from './rate-limit-quota.ts';

test('quota counts kept in the table add up across instances, per key and day, and expire after two days', async () => {
  const clock = new TestClock(Date.parse('2026-11-22T10:00:00Z'));
  const table = new SqliteTable(openDatabase(':memory:'), clock);
  // Two Lambda instances flushing their batches to the same table.
  const first = new TableQuotaStore(table, clock);
  const second = new TableQuotaStore(table, clock);
  await first.add([{ id: 'key-a', day: '2026-11-22', count: 5 }]);
  await second.add([
    { id: 'key-a', day: '2026-11-22', count: 7 },
    { id: 'key-b', day: '2026-11-22', count: 1 },
  ]);
  assert.equal(await first.get('key-a', '2026-11-22'), 12);
  assert.equal(await second.get('key-b', '2026-11-22'), 1);
  assert.equal(await first.get('key-a', '2026-11-23'), 0, 'another day starts from zero');
  clock.advance(2 * 24 * 3600 * 1000 + 1000);
  assert.equal(await first.get('key-a', '2026-11-22'), 0, 'gone once its TTL passed');
});
