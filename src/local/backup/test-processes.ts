/**
 * Child processes for backup.test.ts (a real second process is the point of those tests):
 * `writer <dataDir> <ms>` commits a pair of items per transaction, without pause, until sent
 * SIGTERM (or the time is up); `slow-backup <dataDir> <backupDir>` takes a backup one page per step, slowly,
 * so the test can kill it mid-way. Each prints a line once its work is under way.
 */
import { join } from 'node:path';
import { openDatabase } from '../../adapters/local/database.ts';
import { SqliteTable } from '../../adapters/local/sqlite-table.ts';
import { takeBackup } from './backups.ts';
import { captureChanges } from './changelog.ts';

const [mode, dataDir = '', second = ''] = process.argv.slice(2);

if (mode === 'writer') {
  const db = openDatabase(join(dataDir, 'stratus.db'));
  const table = new SqliteTable(db);
  captureChanges(db);
  const end = Date.now() + Number(second);
  let stop = false;
  process.on('SIGTERM', () => {
    stop = true;
  });
  let pairs = 0;
  while (!stop && Date.now() < end) {
    await table.transact([
      { put: { PK: `pair#${pairs}`, SK: 'a', n: pairs } },
      { put: { PK: `pair#${pairs}`, SK: 'b', n: pairs } },
    ]);
    if (pairs === 0) console.log('writing');
    pairs++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  db.close();
  console.log(`done ${pairs}`);
} else if (mode === 'slow-backup') {
  let announced = false;
  await takeBackup({
    dataDir,
    backupDir: second,
    pagesPerStep: 1,
    onStep: () => {
      if (!announced) console.log('copying');
      announced = true;
      const until = Date.now() + 5;
      while (Date.now() < until) {} // slow on purpose: the test kills this process mid-copy
    },
  });
  console.log('finished');
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(64);
}
