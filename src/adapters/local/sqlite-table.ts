import type BetterSqlite3 from 'better-sqlite3';
import { type Clock, epochSeconds, systemClock } from '../../platform/clock.ts';
import type { ChangeRecord } from '../../platform/stream.ts';
import {
  applyUpdate,
  type Condition,
  ConditionFailedError,
  conditionHolds,
  decodeCursor,
  encodeCursor,
  type IndexName,
  type Item,
  indexKeys,
  isExpired,
  type Key,
  limits,
  opKey,
  type Page,
  type QueryInput,
  type SortCondition,
  type Table,
  TableValidationError,
  TransactionCanceledError,
  TTL_ATTRIBUTE,
  type Update,
  validateItem,
  validateKey,
  validateTransaction,
  type WriteOp,
} from '../../platform/table.ts';
import type { Database } from './database.ts';

type BetterSqlite3Transaction = ReturnType<Database['transaction']>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  pk TEXT NOT NULL, sk TEXT NOT NULL,
  gsi1pk TEXT, gsi1sk TEXT, gsi2pk TEXT, gsi2sk TEXT,
  expires_at INTEGER,
  data TEXT NOT NULL,
  PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL AND gsi1sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL AND gsi2sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS stream_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_name TEXT NOT NULL,
  pk TEXT NOT NULL, sk TEXT NOT NULL,
  old_image TEXT, new_image TEXT,
  by_ttl INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
`;

/** Where each key lives in SQL, for the base table and each index. */
const keyColumns = {
  base: { pk: 'pk', sk: 'sk', cursor: ['PK', 'SK'] },
  GSI1: { pk: 'gsi1pk', sk: 'gsi1sk', cursor: ['PK', 'SK', 'GSI1PK', 'GSI1SK'] },
  GSI2: { pk: 'gsi2pk', sk: 'gsi2sk', cursor: ['PK', 'SK', 'GSI2PK', 'GSI2SK'] },
} as const;

const PAGE_BYTES = 1024 * 1024; // DynamoDB returns at most 1 MB per query page.

interface Row {
  data: string;
}

/**
 * The Table port on SQLite. Every committed write appends its change record to
 * `stream_records` in the same transaction, so the stream can never miss or invent a change.
 */
export class SqliteTable implements Table {
  private readonly listeners = new Set<() => void>();
  private readonly statements;
  private readonly inTransaction: BetterSqlite3Transaction;
  /** Set by `write`, so a commit knows whether the stream grew. */
  private dirty = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
  ) {
    db.exec(SCHEMA);
    this.inTransaction = db.transaction((work: () => unknown) => work());
    this.statements = {
      get: db.prepare<[string, string], Row>('SELECT data FROM items WHERE pk = ? AND sk = ?'),
      upsert: db.prepare(
        `INSERT INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, expires_at, data)
         VALUES (@pk, @sk, @gsi1pk, @gsi1sk, @gsi2pk, @gsi2sk, @expires_at, @data)
         ON CONFLICT (pk, sk) DO UPDATE SET gsi1pk = excluded.gsi1pk, gsi1sk = excluded.gsi1sk,
           gsi2pk = excluded.gsi2pk, gsi2sk = excluded.gsi2sk, expires_at = excluded.expires_at, data = excluded.data`,
      ),
      remove: db.prepare('DELETE FROM items WHERE pk = ? AND sk = ?'),
      record: db.prepare(
        `INSERT INTO stream_records (event_name, pk, sk, old_image, new_image, by_ttl, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      expired: db.prepare<[number, number], Row>(
        'SELECT data FROM items WHERE expires_at IS NOT NULL AND expires_at > 0 AND expires_at <= ? LIMIT ?',
      ),
    };
  }

  /** Called after every commit that appended change records (the stream dispatcher listens). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(key: Key): Promise<Item | undefined> {
    validateKey(key);
    const item = this.read(key);
    return item && !isExpired(item, this.now()) ? item : undefined;
  }

  async put(item: Item, options: { condition?: Condition } = {}): Promise<Item | undefined> {
    validateItem(item);
    return this.commit(() => {
      const before = this.readLive(item);
      if (!conditionHolds(options.condition, before)) throw new ConditionFailedError(keyOf(item));
      this.write(before, item);
      return before;
    });
  }

  async update(key: Key, changes: Update, options: { condition?: Condition } = {}): Promise<Item> {
    validateKey(key);
    return this.commit(() => {
      const before = this.readLive(key);
      if (!conditionHolds(options.condition, before)) throw new ConditionFailedError(keyOf(key));
      const after = applyUpdate(key, before, changes);
      validateItem(after);
      this.write(before, after);
      return after;
    });
  }

  async delete(key: Key, options: { condition?: Condition } = {}): Promise<Item | undefined> {
    validateKey(key);
    return this.commit(() => {
      const before = this.readLive(key);
      if (!conditionHolds(options.condition, before)) throw new ConditionFailedError(keyOf(key));
      if (before) this.write(before, undefined);
      return before;
    });
  }

  async batchGet(keys: Key[]): Promise<Item[]> {
    if (keys.length > limits.batchGetKeys) {
      throw new TableValidationError(`A batch get may ask for at most ${limits.batchGetKeys} keys`);
    }
    keys.forEach(validateKey);
    const now = this.now();
    return keys.map((key) => this.read(key)).filter((item): item is Item => !!item && !isExpired(item, now));
  }

  async batchWrite(writes: { puts?: Item[]; deletes?: Key[] }): Promise<void> {
    const puts = writes.puts ?? [];
    const deletes = writes.deletes ?? [];
    puts.forEach(validateItem);
    deletes.forEach(validateKey);
    this.commit(() => {
      for (const item of puts) this.write(this.readLive(item), item);
      for (const key of deletes) {
        const before = this.readLive(key);
        if (before) this.write(before, undefined);
      }
    });
  }

  async transact(ops: WriteOp[]): Promise<void> {
    validateTransaction(ops);
    for (const op of ops) {
      if ('put' in op) validateItem(op.put);
      else validateKey(opKey(op));
    }
    this.commit(() => {
      const befores = ops.map((op) => this.readLive(opKey(op)));
      const reasons = ops.map((op, i) =>
        conditionHolds(op.condition, befores[i]) ? ('None' as const) : ('ConditionalCheckFailed' as const),
      );
      if (reasons.some((r) => r !== 'None')) throw new TransactionCanceledError(reasons);
      ops.forEach((op, i) => {
        const before = befores[i];
        if ('put' in op) this.write(before, op.put);
        else if ('update' in op) {
          const after = applyUpdate(op.update, before, op.changes);
          validateItem(after);
          this.write(before, after);
        } else if ('delete' in op && before) this.write(before, undefined);
      });
    });
  }

  async query(input: QueryInput): Promise<Page> {
    const limit = input.limit ?? limits.queryPageItems;
    if (!Number.isInteger(limit) || limit < 1 || limit > limits.queryPageItems) {
      throw new TableValidationError(`limit must be a whole number from 1 to ${limits.queryPageItems}`);
    }
    if (typeof input.partition !== 'string' || input.partition === '') {
      throw new TableValidationError('The partition key must be a non-empty string');
    }
    const columns = keyColumns[input.index ?? 'base'];
    const direction = input.reverse ? 'DESC' : 'ASC';
    const where = [`${columns.pk} = ?`, '(expires_at IS NULL OR expires_at = 0 OR expires_at > ?)'];
    const params: unknown[] = [input.partition, this.now()];
    if (input.sort) {
      const [clause, values] = sortClause(columns.sk, input.sort);
      where.push(clause);
      params.push(...values);
    }
    if (input.cursor) {
      const after = decodeCursor(input.cursor, columns.cursor);
      const [pkAttr, skAttr] = input.index ? indexKeys[input.index] : (['PK', 'SK'] as const);
      if (after[pkAttr] !== input.partition) {
        throw new TableValidationError('The cursor belongs to another query: start again without it');
      }
      const op = input.reverse ? '<' : '>';
      if (input.index) {
        where.push(`(${columns.sk}, pk, sk) ${op} (?, ?, ?)`);
        params.push(after[skAttr], after.PK, after.SK);
      } else {
        where.push(`sk ${op} ?`);
        params.push(after.SK);
      }
    }
    const order = input.index ? `${columns.sk} ${direction}, pk ${direction}, sk ${direction}` : `sk ${direction}`;
    const sql = `SELECT data FROM items WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    const rows = this.prepared(sql).all(...params, limit + 1);

    const items: Item[] = [];
    let bytes = 0;
    for (const row of rows.slice(0, limit)) {
      bytes += row.data.length;
      if (items.length > 0 && bytes > PAGE_BYTES) break;
      items.push(JSON.parse(row.data) as Item);
    }
    const last = items.at(-1);
    const more = rows.length > items.length;
    return more && last ? { items, cursor: encodeCursor(cursorKey(last, input.index)) } : { items };
  }

  /** Deletes expired items (DynamoDB's TTL process); each deletion reaches the stream. */
  sweepExpired(batch = 500): number {
    return this.commit(() => {
      const rows = this.statements.expired.all(this.now(), batch);
      for (const row of rows) this.write(JSON.parse(row.data) as Item, undefined, true);
      return rows.length;
    });
  }

  // ------------------------------------------------------------------ internals

  private now(): number {
    return epochSeconds(this.clock);
  }

  /** Query SQL comes in a few shapes only (index × sort condition × cursor × direction): prepare each once. */
  private readonly queries = new Map<string, BetterSqlite3.Statement<unknown[], Row>>();
  private prepared(sql: string): BetterSqlite3.Statement<unknown[], Row> {
    let statement = this.queries.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], Row>(sql);
      this.queries.set(sql, statement);
    }
    return statement;
  }

  private read(key: Key): Item | undefined {
    const row = this.statements.get.get(key.PK, key.SK);
    return row ? (JSON.parse(row.data) as Item) : undefined;
  }

  /** Inside a write: an expired item is removed first (as the TTL sweeper would), so it reads as absent. */
  private readLive(key: Key): Item | undefined {
    const item = this.read(key);
    if (item && isExpired(item, this.now())) {
      this.write(item, undefined, true);
      return undefined;
    }
    return item;
  }

  private write(before: Item | undefined, after: Item | undefined, byTtl = false): void {
    const key = keyOf((after ?? before) as Key);
    if (after) {
      const ttl = after[TTL_ATTRIBUTE];
      this.statements.upsert.run({
        pk: after.PK,
        sk: after.SK,
        gsi1pk: indexValue(after, 'GSI1', 0),
        gsi1sk: indexValue(after, 'GSI1', 1),
        gsi2pk: indexValue(after, 'GSI2', 0),
        gsi2sk: indexValue(after, 'GSI2', 1),
        expires_at: typeof ttl === 'number' ? Math.floor(ttl) : null,
        data: JSON.stringify(after),
      });
    } else {
      this.statements.remove.run(key.PK, key.SK);
    }
    const eventName = !after ? 'REMOVE' : before ? 'MODIFY' : 'INSERT';
    this.statements.record.run(
      eventName,
      key.PK,
      key.SK,
      before ? JSON.stringify(before) : null,
      after ? JSON.stringify(after) : null,
      byTtl ? 1 : 0,
      this.clock.now(),
    );
    this.dirty = true;
  }

  /** Runs `work` in one SQLite transaction and tells listeners once it has committed. */
  private commit<T>(work: () => T): T {
    this.dirty = false;
    try {
      return this.inTransaction.immediate(work) as T;
    } finally {
      if (this.dirty) {
        this.dirty = false;
        for (const listener of this.listeners) listener();
      }
    }
  }
}

function keyOf(key: Key): Key {
  return { PK: key.PK, SK: key.SK };
}

function indexValue(item: Item, index: IndexName, position: 0 | 1): string | null {
  const value = item[indexKeys[index][position]];
  return typeof value === 'string' ? value : null;
}

function cursorKey(item: Item, index?: IndexName): Record<string, string> {
  const key: Record<string, string> = { PK: item.PK, SK: item.SK };
  if (index) for (const attribute of indexKeys[index]) key[attribute] = item[attribute] as string;
  return key;
}

function sortClause(column: string, sort: SortCondition): [string, string[]] {
  if ('equals' in sort) return [`${column} = ?`, [sort.equals]];
  if ('lessThan' in sort) return [`${column} < ?`, [sort.lessThan]];
  if ('lessThanOrEqual' in sort) return [`${column} <= ?`, [sort.lessThanOrEqual]];
  if ('greaterThan' in sort) return [`${column} > ?`, [sort.greaterThan]];
  if ('greaterThanOrEqual' in sort) return [`${column} >= ?`, [sort.greaterThanOrEqual]];
  if ('between' in sort) {
    const [low, high] = sort.between;
    if (low > high) throw new TableValidationError('between needs its lower bound first');
    return [`${column} BETWEEN ? AND ?`, [low, high]];
  }
  const prefix = sort.beginsWith;
  const upper = prefixUpperBound(prefix);
  // A range on the key keeps the index in use; SQLite's BINARY collation orders by UTF-8 bytes, as DynamoDB does.
  return upper ? [`${column} >= ? AND ${column} < ?`, [prefix, upper]] : [`${column} >= ?`, [prefix]];
}

/** The least string above every string that starts with `prefix` (code point order = UTF-8 byte order). */
function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    let next = last + 1;
    if (next === 0xd800) next = 0xe000; // skip the surrogate range, which UTF-8 cannot hold
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** Reads change records after `afterSeq`, shaped like DynamoDB stream records. */
/** Statements prepared once per database: the dispatcher reads the stream after every write. */
const readStatements = new WeakMap<Database, BetterSqlite3.Statement<[number, number], StreamRow>>();

export function readChangeRecords(db: Database, afterSeq: number, limit: number): ChangeRecord[] {
  let statement = readStatements.get(db);
  if (!statement) {
    statement = db.prepare<[number, number], StreamRow>(
      'SELECT * FROM stream_records WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    readStatements.set(db, statement);
  }
  return statement.all(afterSeq, limit).map(toChangeRecord);
}

export interface StreamRow {
  seq: number;
  event_name: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  old_image: string | null;
  new_image: string | null;
  by_ttl: number;
  created_at: number;
}

export function toChangeRecord(row: StreamRow): ChangeRecord {
  const record: ChangeRecord = {
    eventID: String(row.seq),
    eventName: row.event_name,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { PK: row.pk, SK: row.sk },
      SequenceNumber: String(row.seq),
      ApproximateCreationDateTime: Math.floor(row.created_at / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
  if (row.old_image) record.dynamodb.OldImage = JSON.parse(row.old_image) as Item;
  if (row.new_image) record.dynamodb.NewImage = JSON.parse(row.new_image) as Item;
  if (row.by_ttl) record.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
  return record;
}
