import { LRUCache } from 'lru-cache';
import { type Clock, epochSeconds, systemClock } from '../platform/clock.ts';
import {
  type Item,
  indexKeys,
  isExpired,
  itemSize,
  type Key,
  opKey,
  type Page,
  type PutOptions,
  type QueryInput,
  type Table,
  type Update,
  type WriteOp,
} from '../platform/table.ts';

export interface ReadCacheOptions {
  /** Upper bound on the memory held by cached results, in (approximate) bytes. */
  maxBytes?: number;
  clock?: Clock;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

/** A user's own partitions: one scope holds all of them, and their index partitions too. */
const USER_SCOPE = /^USER#[^#]+/;

/**
 * A read-through cache in front of a Table (the role DAX plays) for the hot reads: to-do lists
 * and items, profiles, feeds, posts and their likes. Each cached read belongs to a *scope*, and a
 * write drops every cached read of each scope it touches, after it lands:
 *
 * - `USER#<sub>` partitions, and index partitions that start with `USER#<sub>`, share the
 *   user's scope. The key design keeps the rule this relies on: an index partition that starts
 *   with `USER#<sub>` holds only items of partition `USER#<sub>`. So one write invalidates
 *   everything cached for that user, and nothing of any other user can be served for it.
 * - Any other partition is its own scope, for gets and base-table queries. Its index partitions
 *   are never cached: an update that moves an item out of one names only where it goes, not
 *   where it was, so the old one could not be invalidated.
 *
 * A read that overlapped a write never stores its (possibly older) result: each scope has a
 * generation, bumped by writes, that a read must see unchanged to store. So nobody reads a
 * stale item after a write has landed. Writes made by another process are not seen: on AWS
 * that is DAX's job, and on one machine every write goes through this process.
 */
export class CachedTable implements Table {
  private readonly entries: LRUCache<string, CachedRead>;
  private readonly keysByScope = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  private generation = 0;
  /** Bumped when the generations are pruned, which makes every in-flight read skip storing. */
  private epoch = 0;
  private readonly clock: Clock;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly inner: Table,
    options: ReadCacheOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.entries = new LRUCache<string, CachedRead>({
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => entry.bytes,
      dispose: (entry, key) => this.forget(entry.scope, key),
    });
  }

  stats(): ReadCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size };
  }

  async get(key: Key, options?: { consistent?: boolean }): Promise<Item | undefined> {
    // A strongly consistent read goes past the cache, as DAX passes it through to DynamoDB.
    if (options?.consistent) return this.inner.get(key, options);
    const cacheKey = getKey(key);
    const cached = this.entries.get(cacheKey);
    if (cached) {
      this.hits++;
      return live(cached.value as Item | undefined, epochSeconds(this.clock));
    }
    this.misses++;
    return this.readThrough(scopeOf(key.PK), cacheKey, () => this.inner.get(key, options));
  }

  /** Each key from memory if it can be; the rest with one batch get (as DAX does for BatchGetItem). */
  async batchGet(keys: Key[]): Promise<Item[]> {
    const now = epochSeconds(this.clock);
    const found: Item[] = [];
    const missed: Key[] = [];
    for (const key of keys) {
      const cached = this.entries.get(getKey(key));
      if (!cached) missed.push(key);
      else {
        this.hits++;
        const item = live(cached.value as Item | undefined, now);
        if (item) found.push(item);
      }
    }
    if (missed.length === 0) return found;
    this.misses += missed.length;
    const started = missed.map((key) => this.readStarted(scopeOf(key.PK)));
    const items = await this.inner.batchGet(missed);
    const byKey = new Map(items.map((item) => [getKey(item), item]));
    missed.forEach((key, index) => {
      const cacheKey = getKey(key);
      this.store(started[index] as ReadStart, cacheKey, byKey.get(cacheKey));
    });
    return [...found, ...items];
  }

  async query(input: QueryInput): Promise<Page> {
    const scope = input.index ? userScopeOf(input.partition) : scopeOf(input.partition);
    if (!scope || input.consistent) return this.inner.query(input);
    const cacheKey = `q\u0000${JSON.stringify(input)}`;
    const cached = this.entries.get(cacheKey);
    if (cached) {
      this.hits++;
      const page = cached.value as Page;
      const now = epochSeconds(this.clock);
      return page.items.some((item) => isExpired(item, now))
        ? { ...page, items: page.items.filter((item) => !isExpired(item, now)) }
        : page;
    }
    this.misses++;
    return this.readThrough(scope, cacheKey, () => this.inner.query(input));
  }

  async put(item: Item, options?: PutOptions): Promise<Item | undefined> {
    return this.invalidating([item], () => this.inner.put(item, options));
  }

  async update(key: Key, changes: Update, options?: PutOptions): Promise<Item> {
    return this.invalidating([key, changes.set ?? {}], () => this.inner.update(key, changes, options));
  }

  async delete(key: Key, options?: PutOptions): Promise<Item | undefined> {
    return this.invalidating([key], () => this.inner.delete(key, options));
  }

  async batchWrite(writes: { puts?: Item[]; deletes?: Key[] }): Promise<void> {
    return this.invalidating([...(writes.puts ?? []), ...(writes.deletes ?? [])], () => this.inner.batchWrite(writes));
  }

  async transact(ops: WriteOp[]): Promise<void> {
    const touched = ops.flatMap((op) => [
      'put' in op ? op.put : opKey(op),
      'update' in op ? (op.changes.set ?? {}) : {},
    ]);
    return this.invalidating(touched, () => this.inner.transact(ops));
  }

  private async readThrough<T extends Item | undefined | Page>(
    scope: string,
    cacheKey: string,
    read: () => Promise<T>,
  ): Promise<T> {
    const started = this.readStarted(scope);
    const value = await read();
    this.store(started, cacheKey, value);
    return value;
  }

  private readStarted(scope: string): ReadStart {
    return { scope, generation: this.generations.get(scope) ?? 0, epoch: this.epoch };
  }

  /** Keeps what a read found, unless a write to its scope landed while it ran (it may predate that). */
  private store(started: ReadStart, cacheKey: string, value: Item | undefined | Page): void {
    const { scope } = started;
    if ((this.generations.get(scope) ?? 0) !== started.generation || this.epoch !== started.epoch) return;
    deepFreeze(value);
    this.entries.set(cacheKey, { scope, value, bytes: approximateBytes(value) });
    const keys = this.keysByScope.get(scope) ?? new Set<string>();
    keys.add(cacheKey);
    this.keysByScope.set(scope, keys);
  }

  /** Runs a write, then drops every cached read of each scope it may have changed (even if it failed). */
  private async invalidating<T>(touched: ReadonlyArray<object>, write: () => Promise<T>): Promise<T> {
    const scopes = new Set<string>();
    for (const attributes of touched) {
      const { PK } = attributes as Record<string, unknown>;
      if (typeof PK === 'string') scopes.add(scopeOf(PK));
      for (const name of [indexKeys.GSI1[0], indexKeys.GSI2[0]]) {
        const value = (attributes as Record<string, unknown>)[name];
        const scope = typeof value === 'string' ? userScopeOf(value) : undefined;
        if (scope) scopes.add(scope);
      }
    }
    try {
      return await write();
    } finally {
      for (const scope of scopes) this.invalidate(scope);
    }
  }

  private invalidate(scope: string): void {
    this.generations.set(scope, ++this.generation);
    const keys = this.keysByScope.get(scope);
    if (!keys) return;
    for (const key of [...keys]) this.entries.delete(key);
    this.keysByScope.delete(scope);
    // Generations matter only while a read may be in flight; keep the map from growing for ever.
    if (this.generations.size > 100_000) {
      this.generations.clear();
      this.epoch++;
    }
  }

  private forget(scope: string, key: string): void {
    const keys = this.keysByScope.get(scope);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByScope.delete(scope);
  }
}

interface CachedRead {
  scope: string;
  value: Item | undefined | Page;
  bytes: number;
}

interface ReadStart {
  scope: string;
  generation: number;
  epoch: number;
}

function userScopeOf(partition: string): string | undefined {
  return USER_SCOPE.exec(partition)?.[0];
}

/** The scope of a base-table partition: its user's, or its own. */
function scopeOf(partition: string): string {
  return userScopeOf(partition) ?? partition;
}

const getKey = (key: Key) => `g\u0000${key.PK}\u0000${key.SK}`;

const live = (item: Item | undefined, now: number) => (item && isExpired(item, now) ? undefined : item);

function approximateBytes(value: Item | undefined | Page): number {
  if (!value) return 64;
  if (isPage(value)) return value.items.reduce((sum, item) => sum + itemSize(item), 64 + (value.cursor?.length ?? 0));
  return itemSize(value as Item) + 64;
}

function isPage(value: Item | Page): value is Page {
  return Array.isArray(value.items) && !('PK' in value);
}

/** Cached results are shared by every reader, so no reader may change one. */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
