/**
 * Change capture for point-in-time restore (DynamoDB PITR's role on one machine): SQLite
 * triggers append every row change of every table to `backup_changelog`, in the same
 * transaction as the change, so the log can never miss a committed change or hold one that
 * rolled back. Restore rolls a snapshot forward by replaying this log (see replay.ts).
 *
 * Why triggers and not the WAL: the WAL is checkpointed away and holds pages, not rows; a
 * row log can be shipped off the machine every minute and replayed into any older copy.
 *
 * Transactions are kept whole through grouping: each row carries a group key. Inside a
 * `db.transaction` (stamped by the wrapper in database.ts, which bumps `backup_clock` first
 * and clears its open flag last) the key is the transaction's number; a statement run on its
 * own (autocommit) is keyed by minus its statement time. A restore replays whole groups only,
 * so a cut falls between transactions (merging neighbours is harmless; splitting one is not).
 */
import { randomUUID } from 'node:crypto';
import { type Database, setTransactionHooks } from '../../adapters/local/database.ts';

/** SQLite's wall clock in epoch milliseconds (the same clock as `Date.now()`), rounded: julianday is a double. */
export const SQL_NOW_MS = `CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;

/*
 * `seq` is AUTOINCREMENT so a number is never reused after pruning (log files and snapshots
 * name positions by it). `backup_state` names the timeline: a restore starts a new one, so
 * the log of the abandoned future never mixes with the new present.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS backup_changelog (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  grp INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  op TEXT NOT NULL,
  pk TEXT NOT NULL,
  row TEXT
);
CREATE TABLE IF NOT EXISTS backup_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  txn INTEGER NOT NULL,
  open INTEGER NOT NULL
);
INSERT OR IGNORE INTO backup_clock (id, txn, open) VALUES (1, 0, 0);
CREATE TABLE IF NOT EXISTS backup_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  timeline TEXT NOT NULL,
  shipped_seq INTEGER NOT NULL DEFAULT 0,
  pruned_seq INTEGER NOT NULL DEFAULT 0
);
`;

export type ChangeOp = 'insert' | 'update' | 'delete';

/** One captured row change. `pk` and `row` are JSON text, decoded by SQLite (64-bit integers stay exact). */
export interface Change {
  seq: number;
  grp: number;
  atMs: number;
  table: string;
  op: ChangeOp;
  /** The key values before the change (after, for an insert), in key column order. */
  pk: string;
  /** The whole row after the change (column name to value; a BLOB as `{"$hex": "..."}`); null for a delete. */
  row: string | null;
}

export interface CaptureState {
  timeline: string;
  /** Every change up to here is in a shipped log file. */
  shippedSeq: number;
  /** Changes up to here may have been pruned from the database. */
  prunedSeq: number;
}

/** A table as capture and replay see it: its columns and the columns that find a row. */
export interface TableShape {
  name: string;
  columns: string[];
  /** The primary key columns in key order, or `rowid` for a table without one (then also in `columns`). */
  key: string[];
}

/** The backup machinery's own tables and SQLite's: never captured, never replayed. */
export const isInternalTable = (name: string): boolean => name.startsWith('backup_') || name.startsWith('sqlite_');

const TRIGGER_PREFIX = 'backup_capture_';
const OPS: ChangeOp[] = ['insert', 'update', 'delete'];
/** json_object takes at most 127 arguments; wider rows are built in parts and merged. */
const COLUMNS_PER_JSON_OBJECT = 50;

/**
 * Turns capture on: makes the backup tables, (re)creates the triggers of every table present
 * now (so call it after every store has made its tables) and stamps transactions. Idempotent.
 */
export function captureChanges(db: Database): CaptureState {
  db.exec(SCHEMA);
  const shapes = tableShapes(db);
  db.transaction(() => {
    dropCaptureTriggers(db);
    for (const shape of shapes) for (const op of OPS) db.exec(triggerSql(shape, op));
    db.prepare('INSERT OR IGNORE INTO backup_state (id, timeline) VALUES (1, ?)').run(randomUUID());
  })();
  const begin = db.prepare('UPDATE backup_clock SET txn = txn + 1, open = 1 WHERE id = 1');
  const end = db.prepare('UPDATE backup_clock SET open = 0 WHERE id = 1');
  setTransactionHooks(db, { begin: () => begin.run(), end: () => end.run() });
  return readCaptureState(db) as CaptureState;
}

/**
 * Turns capture off (backups disabled): drops the triggers, so the log stops growing. The
 * runtime should call this when backups are off, or triggers left by an earlier run would
 * keep logging without transaction stamps.
 */
export function stopCapturingChanges(db: Database): void {
  setTransactionHooks(db, undefined);
  db.transaction(() => dropCaptureTriggers(db))();
}

/** The capture bookkeeping, or undefined when capture was never turned on for this database. */
export function readCaptureState(db: Database): CaptureState | undefined {
  if (!hasTable(db, 'backup_state')) return undefined;
  return db
    .prepare<[], CaptureState>(
      'SELECT timeline, shipped_seq AS shippedSeq, pruned_seq AS prunedSeq FROM backup_state WHERE id = 1',
    )
    .get();
}

/** The highest change number ever given out (0 if none): what a copy of this database contains. */
export function lastAllocatedSeq(db: Database): number {
  if (!hasTable(db, 'sqlite_sequence')) return 0;
  const row = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'backup_changelog'").get();
  return row?.seq ?? 0;
}

/** Captured changes after `afterSeq`, in order (at most `limit`). */
export function readChanges(db: Database, afterSeq: number, limit = 10_000): Change[] {
  return db
    .prepare<[number, number], Change>(
      `SELECT seq, grp, at_ms AS atMs, tbl AS "table", op, pk, row FROM backup_changelog
       WHERE seq > ? ORDER BY seq LIMIT ?`,
    )
    .all(afterSeq, limit);
}

export function hasTable(db: Database, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

/** Every ordinary table of the main schema except the internal ones (no views, virtual or shadow tables). */
export function tableShapes(db: Database): TableShape[] {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
    .all()
    .map((t) => t.name)
    .filter((name) => !isInternalTable(name))
    .sort();
  return tables.map((name) => {
    const info = db
      .prepare<[string], { name: string; pk: number }>('SELECT name, pk FROM pragma_table_info(?) ORDER BY cid')
      .all(name);
    const columns = info.map((c) => c.name);
    const key = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    return key.length > 0 ? { name, columns, key } : { name, columns: ['rowid', ...columns], key: ['rowid'] };
  });
}

/** A double-quoted SQL identifier. */
export const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A SQL string literal. */
const quoteText = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A column value as JSON: BLOBs cannot be JSON, so they travel as `{"$hex": "..."}`. */
function jsonValue(ref: string, column: string): string {
  const value = `${ref}.${quoteName(column)}`;
  return `CASE WHEN typeof(${value}) = 'blob' THEN json_object('$hex', hex(${value})) ELSE ${value} END`;
}

function rowJson(ref: string, columns: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < columns.length; i += COLUMNS_PER_JSON_OBJECT) {
    const slice = columns.slice(i, i + COLUMNS_PER_JSON_OBJECT);
    parts.push(`json_object(${slice.map((c) => `${quoteText(c)}, ${jsonValue(ref, c)}`).join(', ')})`);
  }
  return parts.reduce((merged, part) => `json_patch(${merged}, ${part})`);
}

function triggerSql(shape: TableShape, op: ChangeOp): string {
  const keyRef = op === 'insert' ? 'NEW' : 'OLD';
  const pk = `json_array(${shape.key.map((c) => jsonValue(keyRef, c)).join(', ')})`;
  const row = op === 'delete' ? 'NULL' : rowJson('NEW', shape.columns);
  // One statement: 'now' is fixed within it, so the group key and the time agree.
  return `CREATE TRIGGER ${quoteName(`${TRIGGER_PREFIX}${op}_${shape.name}`)} AFTER ${op.toUpperCase()} ON ${quoteName(shape.name)}
BEGIN
  INSERT INTO backup_changelog (grp, at_ms, tbl, op, pk, row)
  SELECT CASE open WHEN 1 THEN txn ELSE -${SQL_NOW_MS} END, ${SQL_NOW_MS}, ${quoteText(shape.name)}, '${op}', ${pk}, ${row}
  FROM backup_clock WHERE id = 1;
END;`;
}

/** Drops the capture triggers (restore replays with them off; capture re-creates them). */
export function dropCaptureTriggers(db: Database): void {
  const triggers = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    .all()
    .filter((trigger) => trigger.name.startsWith(TRIGGER_PREFIX));
  for (const { name } of triggers) db.exec(`DROP TRIGGER IF EXISTS ${quoteName(name)}`);
}
