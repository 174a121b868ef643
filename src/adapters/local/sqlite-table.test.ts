import { tableContract } from '../../../test/contracts/table.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { openDatabase } from './database.ts';
import { SqliteTable } from './sqlite-table.ts';

tableContract('SQLite', async () => {
  const db = openDatabase(':memory:');
  const clock = new TestClock();
  return { table: new SqliteTable(db, clock), clock, close: async () => void db.close() };
});
