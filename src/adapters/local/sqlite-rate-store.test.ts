import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { openDatabase } from './database.ts';
import { SqliteQuotaStore } from './sqlite-rate-store.ts';

test('SqliteQuotaStore adds counts up, keeps them across a reopen, and drops old days', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-rate-store-'));
  try {
    const clock = new TestClock(Date.UTC(2031, 4, 20, 12));
    const path = join(dir, 'stratus.db');
    const db = openDatabase(path);
    const store = new SqliteQuotaStore(db, clock);
    await store.add([
      { id: 'apikey:a', day: '2031-05-20', count: 3 },
      { id: 'apikey:a', day: '2031-05-15', count: 9 },
    ]);
    await store.add([{ id: 'apikey:a', day: '2031-05-20', count: 2 }]);
    assert.equal(await store.get('apikey:a', '2031-05-20'), 5);
    assert.equal(await store.get('apikey:b', '2031-05-20'), 0);
    assert.equal(await store.get('apikey:a', '2031-05-15'), 0, 'days long over are pruned');
    db.close();

    const reopened = openDatabase(path);
    assert.equal(await new SqliteQuotaStore(reopened, clock).get('apikey:a', '2031-05-20'), 5);
    reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
