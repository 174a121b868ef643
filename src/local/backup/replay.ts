/**
 * Rolls a restored copy forward: picks the changes to apply for a point in time (whole
 * groups only, in order, stopping at the first group that completed after it) and applies
 * them row by row. Values are decoded by SQLite from the captured JSON, so 64-bit integers,
 * reals and BLOBs come back exactly as they were.
 *
 * The copy must have its triggers dropped and foreign keys off: every effect of a trigger or
 * a cascade was itself captured as a row change, so letting them fire again would apply it twice.
 * Each update and delete must hit exactly one row; anything else means the log does not follow
 * from the snapshot, and the restore stops rather than produce a state that never existed.
 */
import type { Database } from '../../adapters/local/database.ts';
import { type Change, type ChangeOp, quoteName, type TableShape, tableShapes } from './changelog.ts';

export class ReplayError extends Error {}

/**
 * The changes to replay to reach time `toMs`: a prefix of `changes` (in seq order) made of
 * whole groups, each completed (its last row written) at or before `toMs`. It stops at the
 * first group that completed later, even if a later one completed earlier: commits are
 * ordered, and skipping one would make a state that never existed.
 */
export function changesUntil(changes: Change[], toMs: number): { changes: Change[]; reachedMs: number | undefined } {
  let end = 0;
  let reachedMs: number | undefined;
  while (end < changes.length) {
    const first = changes[end] as Change;
    let next = end;
    let completedMs = first.atMs;
    while (next < changes.length && (changes[next] as Change).grp === first.grp) {
      completedMs = Math.max(completedMs, (changes[next] as Change).atMs);
      next++;
    }
    if (completedMs > toMs) break;
    reachedMs = Math.max(reachedMs ?? completedMs, completedMs);
    end = next;
  }
  return { changes: changes.slice(0, end), reachedMs };
}

/** Applies `changes` to `db` in one transaction; throws {@link ReplayError} on the first that does not fit. */
export function applyChanges(db: Database, changes: Change[]): void {
  const shapes = new Map(tableShapes(db).map((shape) => [shape.name, shape]));
  const statements = new Map<string, ReturnType<Database['prepare']>>();
  const statementFor = (shape: TableShape, op: ChangeOp) => {
    const id = `${op} ${shape.name}`;
    let statement = statements.get(id);
    if (!statement) {
      statement = db.prepare(replaySql(shape, op));
      statements.set(id, statement);
    }
    return statement;
  };
  db.transaction(() => {
    for (const change of changes) {
      const shape = shapes.get(change.table);
      if (!shape) throw new ReplayError(`${describe(change)}: the table ${change.table} is not in the snapshot`);
      if (change.row !== null) checkColumns(shape, change);
      const result =
        change.op === 'insert'
          ? statementFor(shape, 'insert').run({ row: change.row })
          : change.op === 'update'
            ? statementFor(shape, 'update').run({ row: change.row, pk: change.pk })
            : statementFor(shape, 'delete').run({ pk: change.pk });
      const fits = change.op === 'insert' ? result.changes >= 1 : result.changes === 1;
      if (!fits) {
        throw new ReplayError(
          `${describe(change)} does not apply (the row ${change.pk} is not there): the log does not follow from the snapshot`,
        );
      }
    }
  })();
}

function describe(change: Change): string {
  return `Change ${change.seq} (${change.op} on ${change.table})`;
}

/** A schema change after the snapshot (a column added or dropped) would silently lose data: refuse. */
function checkColumns(shape: TableShape, change: Change): void {
  const captured = Object.keys(JSON.parse(change.row as string) as object).sort();
  const present = [...shape.columns].sort();
  if (captured.join('\0') !== present.join('\0')) {
    throw new ReplayError(
      `${describe(change)}: its columns (${captured.join(', ')}) differ from the snapshot's (${present.join(', ')}); ` +
        'the schema changed after the snapshot: restore to a time after the first snapshot taken since the change',
    );
  }
}

/** A JSON path to a member; names with a double quote cannot be written in one (none exist here). */
function member(name: string): string {
  if (name.includes('"')) throw new ReplayError(`The column name ${name} cannot be replayed (it holds a double quote)`);
  return `$."${name}"`;
}

/** SQL decoding one JSON value of parameter `param` at `path`, turning `{"$hex": ...}` back into a BLOB. */
function decoded(param: string, path: string): string {
  return `CASE json_type(${param}, '${path}') WHEN 'object' THEN unhex(json_extract(${param}, '${path}."$hex"')) ELSE json_extract(${param}, '${path}') END`;
}

function replaySql(shape: TableShape, op: ChangeOp): string {
  const table = quoteName(shape.name);
  const where = shape.key.map((column, i) => `${quoteName(column)} IS ${decoded(':pk', `$[${i}]`)}`).join(' AND ');
  if (op === 'delete') return `DELETE FROM ${table} WHERE ${where}`;
  const columns = shape.columns;
  if (op === 'update') {
    const sets = columns.map((c) => `${quoteName(c)} = ${decoded(':row', member(c))}`).join(', ');
    return `UPDATE OR REPLACE ${table} SET ${sets} WHERE ${where}`;
  }
  // OR REPLACE: if the live write replaced a conflicting row, so must the replay.
  return `INSERT OR REPLACE INTO ${table} (${columns.map(quoteName).join(', ')}) VALUES (${columns
    .map((c) => decoded(':row', member(c)))
    .join(', ')})`;
}
