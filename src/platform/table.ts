/**
 * The Table port: one single-table-design store with DynamoDB's semantics as the floor.
 *
 * Every adapter (SQLite on one machine, DynamoDB on AWS) must behave the same for every
 * operation here; `test/contracts/table.contract.ts` proves it. What DynamoDB refuses
 * (items over 400 KB, transactions over 100 items, two operations on one item in a
 * transaction) is refused here too, so nothing works on one machine that fails on AWS.
 */

/** A JSON-compatible attribute value. */
export type Value = string | number | boolean | null | Value[] | { [name: string]: Value };

/** Every item has a string partition key and sort key; the GSI keys are optional (sparse). */
export interface Key {
  PK: string;
  SK: string;
}

export interface Item extends Key {
  [attribute: string]: Value | undefined;
}

/** The secondary indexes; an item is in an index only when it has both of its keys. */
export type IndexName = 'GSI1' | 'GSI2';
export const indexKeys = {
  GSI1: ['GSI1PK', 'GSI1SK'],
  GSI2: ['GSI2PK', 'GSI2SK'],
} as const satisfies Record<IndexName, readonly [string, string]>;

/** Items whose `ttl` (epoch seconds) has passed are hidden from reads at once and swept later. */
export const TTL_ATTRIBUTE = 'ttl';

export const limits = {
  itemBytes: 400 * 1024,
  transactionItems: 100,
  batchGetKeys: 100,
  queryPageItems: 1000,
} as const;

/** A condition on the item as it is before the write. */
export type Condition =
  | { type: 'exists' }
  | { type: 'notExists' }
  | { type: 'equals'; attribute: string; value: Value }
  | { type: 'attributeNotExists'; attribute: string }
  | { type: 'and'; conditions: Condition[] };

export const when = {
  exists: (): Condition => ({ type: 'exists' }),
  notExists: (): Condition => ({ type: 'notExists' }),
  equals: (attribute: string, value: Value): Condition => ({ type: 'equals', attribute, value }),
  attributeNotExists: (attribute: string): Condition => ({ type: 'attributeNotExists', attribute }),
  and: (...conditions: Condition[]): Condition => ({ type: 'and', conditions }),
};

/** An update: `set` attributes, `remove` attributes, `add` a number to numeric attributes. */
export interface Update {
  set?: Record<string, Value>;
  remove?: string[];
  add?: Record<string, number>;
}

export type SortCondition =
  | { equals: string }
  | { beginsWith: string }
  | { between: [string, string] }
  | { lessThan: string }
  | { lessThanOrEqual: string }
  | { greaterThan: string }
  | { greaterThanOrEqual: string };

export interface QueryInput {
  /** Query the base table when absent. */
  index?: IndexName;
  /** The partition key value (PK, or the index's partition key). */
  partition: string;
  sort?: SortCondition;
  /** Newest-first style: descending sort key. */
  reverse?: boolean;
  limit?: number;
  /** The opaque cursor a previous page returned. */
  cursor?: string;
  /** Every write acknowledged before it is seen, past any cache (base table only, as DynamoDB allows). */
  consistent?: boolean;
}

export interface Page<T = Item> {
  items: T[];
  /** Present when more items may follow. */
  cursor?: string;
}

export type WriteOp =
  | { put: Item; condition?: Condition }
  | { update: Key; changes: Update; condition?: Condition }
  | { delete: Key; condition?: Condition }
  | { check: Key; condition: Condition };

export interface PutOptions {
  condition?: Condition;
}

export interface Table {
  get(key: Key, options?: { consistent?: boolean }): Promise<Item | undefined>;
  /** Writes the whole item; returns the previous item, if any. */
  put(item: Item, options?: PutOptions): Promise<Item | undefined>;
  /** Applies the update (creating the item when absent, as DynamoDB does) and returns the new item. */
  update(key: Key, changes: Update, options?: PutOptions): Promise<Item>;
  /** Deletes the item; returns the deleted item, if any. */
  delete(key: Key, options?: PutOptions): Promise<Item | undefined>;
  /** Reads many keys at once; missing items are absent from the result. Order is not kept. */
  batchGet(keys: Key[]): Promise<Item[]>;
  /** Puts and deletes many items. Not atomic (as on DynamoDB): use `transact` for that. */
  batchWrite(writes: { puts?: Item[]; deletes?: Key[] }): Promise<void>;
  /** Up to 100 writes and checks on distinct items that all succeed or all fail. */
  transact(ops: WriteOp[]): Promise<void>;
  query(input: QueryInput): Promise<Page>;
}

/** Every item a query matches, page after page (for partitions known to be small). */
export async function queryAll(table: Table, input: Omit<QueryInput, 'cursor'>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query({ ...input, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

// ---------------------------------------------------------------- errors

/** The condition of a single write did not hold. Nothing was written. */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(readonly key: Key) {
    super(`The condition on ${key.PK} / ${key.SK} did not hold`);
  }
}

/** A transaction was refused; `reasons[i]` says why op `i` failed (`None` when it did not). */
export class TransactionCanceledError extends Error {
  override readonly name = 'TransactionCanceledError';
  constructor(readonly reasons: Array<'None' | 'ConditionalCheckFailed' | 'ValidationError'>) {
    super(`The transaction was canceled: ${reasons.join(', ')}`);
  }
}

/** The request itself is invalid (too large, bad key, bad cursor): a caller's mistake. */
export class TableValidationError extends Error {
  override readonly name = 'TableValidationError';
}

// ---------------------------------------------------------------- shared rules

/**
 * DynamoDB's item size: attribute names plus values, in UTF-8 bytes (numbers about one
 * byte per two digits plus one; lists and maps three bytes plus their contents).
 */
export function itemSize(item: Record<string, Value | undefined>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: Value): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + 1 + valueSize(v), 0);
  return 3 + itemSize(value) + Object.keys(value).length;
}

/** Checks what both adapters must refuse before they touch storage. */
export function validateItem(item: Item): void {
  validateKey(item);
  for (const [index, [pk, sk]] of Object.entries(indexKeys)) {
    for (const attribute of [pk, sk]) {
      const value = item[attribute];
      if (value !== undefined && (typeof value !== 'string' || value === '')) {
        throw new TableValidationError(`${attribute} (the ${index} key) must be a non-empty string`);
      }
    }
  }
  const ttl = item[TTL_ATTRIBUTE];
  if (ttl !== undefined && ttl !== null && typeof ttl !== 'number') {
    throw new TableValidationError(`${TTL_ATTRIBUTE} must be a number of epoch seconds`);
  }
  const size = itemSize(item);
  if (size > limits.itemBytes) {
    throw new TableValidationError(`The item is ${size} bytes; items may be at most ${limits.itemBytes} bytes`);
  }
}

export function validateKey(key: Key): void {
  if (typeof key.PK !== 'string' || key.PK === '' || typeof key.SK !== 'string' || key.SK === '') {
    throw new TableValidationError('PK and SK must be non-empty strings');
  }
  if (Buffer.byteLength(key.PK) > 2048 || Buffer.byteLength(key.SK) > 1024) {
    throw new TableValidationError('PK may be at most 2048 bytes and SK at most 1024 bytes');
  }
}

export function validateTransaction(ops: WriteOp[]): void {
  if (ops.length === 0) throw new TableValidationError('A transaction needs at least one operation');
  if (ops.length > limits.transactionItems) {
    throw new TableValidationError(`A transaction may hold at most ${limits.transactionItems} operations`);
  }
  const seen = new Set<string>();
  for (const op of ops) {
    const key = opKey(op);
    const id = `${key.PK}\u0000${key.SK}`;
    if (seen.has(id)) {
      throw new TableValidationError(`A transaction may not touch one item twice (${key.PK} / ${key.SK})`);
    }
    seen.add(id);
  }
}

export function opKey(op: WriteOp): Key {
  if ('put' in op) return { PK: op.put.PK, SK: op.put.SK };
  if ('update' in op) return op.update;
  if ('delete' in op) return op.delete;
  return op.check;
}

export function isExpired(item: Item, nowSeconds: number): boolean {
  const ttl = item[TTL_ATTRIBUTE];
  return typeof ttl === 'number' && ttl > 0 && ttl <= nowSeconds;
}

/** Applies an update to an item the way DynamoDB's UpdateItem does. */
export function applyUpdate(key: Key, before: Item | undefined, changes: Update): Item {
  const after: Item = { ...(before ?? {}), PK: key.PK, SK: key.SK };
  for (const [name, value] of Object.entries(changes.set ?? {})) {
    if (name === 'PK' || name === 'SK') throw new TableValidationError('An update may not change PK or SK');
    after[name] = value;
  }
  for (const name of changes.remove ?? []) {
    if (name === 'PK' || name === 'SK') throw new TableValidationError('An update may not remove PK or SK');
    delete after[name];
  }
  for (const [name, amount] of Object.entries(changes.add ?? {})) {
    const current = after[name];
    if (current !== undefined && typeof current !== 'number') {
      throw new TableValidationError(`Cannot add to ${name}: it is not a number`);
    }
    after[name] = (current ?? 0) + amount;
  }
  return after;
}

/** Evaluates a condition against the item as it is now (undefined when absent). */
export function conditionHolds(condition: Condition | undefined, item: Item | undefined): boolean {
  if (!condition) return true;
  switch (condition.type) {
    case 'exists':
      return item !== undefined;
    case 'notExists':
      return item === undefined;
    case 'equals':
      return item !== undefined && deepEqual(item[condition.attribute], condition.value);
    case 'attributeNotExists':
      return item === undefined || item[condition.attribute] === undefined;
    case 'and':
      return condition.conditions.every((c) => conditionHolds(c, item));
  }
}

function deepEqual(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------- cursors

/** Cursors are opaque to callers: base64url JSON of the last key read. */
export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, attributes: readonly string[]): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      if (attributes.every((a) => typeof record[a] === 'string')) return record as Record<string, string>;
    }
  } catch {
    // fall through to the clear error below
  }
  throw new TableValidationError('The cursor is not valid: pass the nextCursor of a previous page unchanged');
}
