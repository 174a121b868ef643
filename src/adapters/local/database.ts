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
  hookOutermostTransactions(db);
  return db;
}

/** Run first and last inside every outermost `db.transaction` (on success), once set for a database. */
export interface TransactionHooks {
  begin(): void;
  end(): void;
}

const transactionHooks = new WeakMap<Database, TransactionHooks>();

/** Sets (or, with `undefined`, removes) the hooks; the backups' change capture uses them. */
export function setTransactionHooks(db: Database, hooks: TransactionHooks | undefined): void {
  if (hooks) transactionHooks.set(db, hooks);
  else transactionHooks.delete(db);
}

/*
 * Why: point-in-time restore (src/local/backup) must never split a transaction, and SQLite
 * triggers cannot tell which transaction a row change belongs to. So every outermost
 * transaction stamps itself first (a counter the triggers read) and unstamps itself last.
 * Installed here, before any store exists, because stores make their transaction functions
 * in their constructors. Only the function passed in is wrapped, so `.deferred`,
 * `.immediate` and `.exclusive` keep working; nested calls (savepoints) are not stamped again.
 */
function hookOutermostTransactions(db: Database): void {
  const transaction = db.transaction.bind(db);
  let depth = 0;
  db.transaction = ((fn: (...args: unknown[]) => unknown) =>
    transaction(function (this: unknown, ...args: unknown[]) {
      const hooks = depth === 0 ? transactionHooks.get(db) : undefined;
      depth++;
      try {
        hooks?.begin();
        const result = fn.apply(this, args);
        hooks?.end(); // not on a throw: the transaction rolls back, stamp and all
        return result;
      } finally {
        depth--;
      }
    })) as Database['transaction'];
}
