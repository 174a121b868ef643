import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { recorder, streamContract } from '../../../test/contracts/stream.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import type { StreamHandler } from '../../platform/stream.ts';
import { openDatabase } from './database.ts';
import { SqliteTable } from './sqlite-table.ts';
import { LocalStreamDispatcher } from './stream-dispatcher.ts';

const fast = { baseDelayMs: 1, maxDelayMs: 5, pollMs: 20 };

function openLocal(path: string, handlers: StreamHandler[], options = {}) {
  const db = openDatabase(path);
  const clock = new TestClock();
  const table = new SqliteTable(db, clock);
  const dispatcher = new LocalStreamDispatcher(db, handlers, { ...fast, ...options });
  table.onChange(() => dispatcher.wake());
  dispatcher.start();
  return {
    db,
    table,
    clock,
    dispatcher,
    drain: () => dispatcher.drain(),
    sweepExpired: async () => void table.sweepExpired(),
    close: async () => {
      await dispatcher.stop();
      db.close();
    },
  };
}

streamContract('SQLite stream + local dispatcher', async (handlers) => openLocal(':memory:', handlers));

test('the checkpoint survives a restart: nothing is delivered twice or skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-stream-'));
  const path = join(dir, 'db.sqlite');
  const first = recorder('counter');
  const one = openLocal(path, [first.handler]);
  await one.table.put({ PK: 'P', SK: 'A' });
  await one.drain();
  await one.close();

  const second = recorder('counter');
  const two = openLocal(path, [second.handler]);
  await two.table.put({ PK: 'P', SK: 'B' });
  await two.drain();
  assert.deepEqual(
    second.records().map((r) => r.dynamodb.Keys.SK),
    ['B'],
  );
  await two.close();
  await rm(dir, { recursive: true, force: true });
});

test('a record that keeps failing goes to the dead-letter list and the stream moves on', async () => {
  const poisoned = recorder('picky', (records) => {
    if (records.some((r) => r.dynamodb.Keys.SK === 'POISON')) throw new Error('cannot handle this one');
  });
  const local = openLocal(':memory:', [poisoned.handler], { maxAttempts: 3 });
  await local.table.put({ PK: 'P', SK: 'POISON' });
  await local.drain();
  await local.table.put({ PK: 'P', SK: 'AFTER' });
  await local.drain();
  assert.deepEqual(
    poisoned.records().map((r) => r.dynamodb.Keys.SK),
    ['AFTER'],
  );
  const [dead] = local.dispatcher.deadLetters();
  assert.equal(dead?.record.dynamodb.Keys.SK, 'POISON');
  assert.equal(dead?.attempts, 3);
  assert.match(dead?.error ?? '', /cannot handle this one/);
  assert.deepEqual(local.dispatcher.lag(), { picky: 0 });
  await local.close();
});

test('a handler added later starts at the end of the stream, not at its beginning', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-stream-'));
  const path = join(dir, 'db.sqlite');
  const one = openLocal(path, []);
  await one.table.put({ PK: 'P', SK: 'OLD' });
  await one.close();
  const late = recorder('late');
  const two = openLocal(path, [late.handler]);
  await two.table.put({ PK: 'P', SK: 'NEW' });
  await two.drain();
  assert.deepEqual(
    late.records().map((r) => r.dynamodb.Keys.SK),
    ['NEW'],
  );
  await two.close();
  await rm(dir, { recursive: true, force: true });
});

test('handlers at different checkpoints each get every record once, in order, across batches', async () => {
  let failuresLeft = 2;
  const healthy = recorder('healthy');
  const flaky = recorder('flaky', () => {
    if (failuresLeft-- > 0) throw new Error('not yet');
  });
  const local = openLocal(':memory:', [healthy.handler, flaky.handler], { batchSize: 2 });
  for (const sk of ['A', 'B', 'C', 'D', 'E']) await local.table.put({ PK: 'P', SK: sk });
  await local.drain();
  const keys = (r: ReturnType<typeof recorder>) => r.records().map((record) => record.dynamodb.Keys.SK);
  assert.deepEqual(keys(healthy), ['A', 'B', 'C', 'D', 'E']);
  assert.deepEqual(keys(flaky), ['A', 'B', 'C', 'D', 'E']);
  assert.deepEqual(local.dispatcher.lag(), { healthy: 0, flaky: 0 });
  await local.close();
});
