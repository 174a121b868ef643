import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

const PAGE_CACHE_KIB = 64 * 1024;

export type Database = BetterSqlite3.Database;

/**
 * Opens the one SQLite file that holds the table, its change stream, the identity store and
 * the queue. WAL lets readers run while a write commits; `synchronous = NORMAL` is durable
 * across process crashes in WAL mode (a power cut may lose the last commits, not corrupt).
 * The page cache is 64 MB, not SQLite's 2 MB: with a table of a few hundred MB, most reads
 * otherwise missed it and cost a system call each.
 */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
  return db;
}
