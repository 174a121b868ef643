import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { type AppError, notFound, preconditionFailed } from '../../platform/errors.ts';
import {
  ConditionFailedError,
  type Item,
  type Key,
  type QueryInput,
  type Table,
  TransactionCanceledError,
  type Value,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';
import { type IdempotentRequest, idempotencyKey, idempotencyRecord, replayedKey } from './idempotency.ts';
import { newSortableId } from './ids.ts';

export type Fields = Record<string, Value>;
export type IndexKeys = Partial<Record<'GSI1PK' | 'GSI1SK' | 'GSI2PK' | 'GSI2SK', string>>;

/** A uniqueness claim: an item that exists only while one record holds a value (one bookmark per URL). */
export interface Claim {
  key: Key;
  /** Builds the 409 when another record holds the value; `holderId` is that record's id. */
  taken(holderId: string): AppError;
}

export interface CollectionSpec<F extends Fields> {
  /** The item `type`, and the sort key prefix: `todo` → `TODO#<id>`. */
  type: string;
  /** What a person calls one record, for messages: "to-do". */
  noun: string;
  /** Index keys derived from the record; a key left out is removed, so the item leaves that index. */
  indexes?(sub: string, id: string, fields: F): IndexKeys;
  claims?(sub: string, fields: F): Claim[];
}

/** What the API returns for a record: its fields and its bookkeeping. */
export type RecordView<F extends Fields> = F & {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
};

export interface CreateResult<F extends Fields> {
  record: RecordView<F>;
  /** True when this was a retry, answered with the first result. */
  replayed: boolean;
}

/** A patch: a value sets a field, `null` removes it. */
export type Patch<F extends Fields> = { [K in keyof F]?: F[K] | null };

const MAX_READS_PER_PAGE = 10;
const BOOKKEEPING = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'type', 'owner']);

const sharedViews = new WeakMap<Item, Fields>();

function viewOf(item: Item): Fields {
  const view: Fields = {};
  for (const [name, value] of Object.entries(item)) {
    if (!BOOKKEEPING.has(name) && value !== undefined) view[name] = value;
  }
  return view;
}

/** The strong ETag of a record version. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * One user's records of one kind, in the user's partition (`USER#<sub>` / `<TYPE>#<id>`): create
 * with idempotency keys, optimistic concurrency on versions, uniqueness claims in the same
 * transaction, and filtered cursor pages. The partition comes from the verified `sub` only, so a
 * caller cannot name another user's record: a foreign id is simply not found.
 */
export class OwnedCollection<F extends Fields> {
  private readonly prefix: string;

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly spec: CollectionSpec<F>,
  ) {
    this.prefix = `${spec.type.toUpperCase()}#`;
  }

  key(sub: string, id: string): Key {
    return { PK: userPartition(sub), SK: `${this.prefix}${id}` };
  }

  async create(sub: string, fields: F, idempotency?: IdempotentRequest): Promise<CreateResult<F>> {
    if (idempotency) {
      const replay = await this.replay(sub, idempotency);
      if (replay) return replay;
    }
    const id = newSortableId(this.clock);
    const now = new Date(this.clock.now()).toISOString();
    const item = this.toItem(sub, id, fields, 1, now, now);
    const record = this.view(item);
    const claims = this.spec.claims?.(sub, fields) ?? [];
    const ops: WriteOp[] = [{ put: item, condition: when.notExists() }, ...claims.map((c) => claimOp(c, id))];
    if (idempotency) {
      const receipt = idempotencyRecord(sub, idempotency, item, epochSeconds(this.clock));
      ops.push({ put: { ...receipt, response: record }, condition: when.notExists() });
    }
    try {
      await this.table.transact(ops);
    } catch (error) {
      if (!(error instanceof TransactionCanceledError)) throw error;
      // A concurrent retry with the same key won the race: answer with its result.
      if (idempotency && error.reasons.at(-1) === 'ConditionalCheckFailed') {
        const replay = await this.replay(sub, idempotency);
        if (replay) return replay;
      }
      throw await this.claimConflict(claims, error.reasons.slice(1));
    }
    return { record, replayed: false };
  }

  async get(sub: string, id: string): Promise<RecordView<F>> {
    return this.view(await this.read(sub, id));
  }

  /** The stored item itself, for services that need the index keys or raw attributes. */
  async read(sub: string, id: string): Promise<Item> {
    const item = await this.table.get(this.key(sub, id));
    if (!item) throw notFound(`There is no ${this.spec.noun} with id ${id}`);
    return item;
  }

  /**
   * Applies `patch` if the record is still at `expectedVersion` (from `If-Match`); a stale version
   * is a 412, so two clients never overwrite each other's changes unseen.
   */
  async update(sub: string, id: string, expectedVersion: number | '*', patch: Patch<F>): Promise<RecordView<F>> {
    const current = await this.read(sub, id);
    const version = current.version as number;
    this.checkVersion(id, version, expectedVersion);
    const before = this.fieldsOf(current);
    const fields = { ...before };
    for (const [name, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) delete fields[name];
      else (fields as Fields)[name] = value;
    }
    const now = new Date(this.clock.now()).toISOString();
    const item = this.toItem(sub, id, fields, version + 1, current.createdAt as string, now);
    const sameVersion = when.equals('version', version);
    const oldClaims = this.spec.claims?.(sub, before) ?? [];
    const newClaims = this.spec.claims?.(sub, fields) ?? [];
    const released = oldClaims.filter((c) => !newClaims.some((n) => sameKey(n.key, c.key)));
    const taken = newClaims.filter((c) => !oldClaims.some((o) => sameKey(o.key, c.key)));
    try {
      if (released.length === 0 && taken.length === 0) {
        await this.table.put(item, { condition: sameVersion });
      } else {
        await this.table.transact([
          { put: item, condition: sameVersion },
          ...released.map((c): WriteOp => ({ delete: c.key, condition: when.equals('holderId', id) })),
          ...taken.map((c) => claimOp(c, id)),
        ]);
      }
    } catch (error) {
      if (error instanceof ConditionFailedError) throw this.stale(id);
      if (!(error instanceof TransactionCanceledError)) throw error;
      if (error.reasons[0] === 'ConditionalCheckFailed') throw this.stale(id);
      throw await this.claimConflict(taken, error.reasons.slice(1 + released.length));
    }
    return this.view(item);
  }

  async delete(sub: string, id: string, expectedVersion: number | '*' = '*'): Promise<RecordView<F>> {
    const current = await this.read(sub, id);
    const version = current.version as number;
    this.checkVersion(id, version, expectedVersion);
    const claims = this.spec.claims?.(sub, this.fieldsOf(current)) ?? [];
    const condition = when.equals('version', version);
    try {
      if (claims.length === 0) await this.table.delete(this.key(sub, id), { condition });
      else {
        await this.table.transact([
          { delete: this.key(sub, id), condition },
          ...claims.map((c): WriteOp => ({ delete: c.key, condition: when.equals('holderId', id) })),
        ]);
      }
    } catch (error) {
      if (error instanceof ConditionFailedError || error instanceof TransactionCanceledError) throw this.stale(id);
      throw error;
    }
    return this.view(current);
  }

  /**
   * One page of records, newest first unless the query says otherwise. `keep` filters as a
   * DynamoDB FilterExpression would; each table read asks for exactly what the page still
   * needs, so the cursor points just past the last record examined and nothing is skipped.
   */
  async list(
    query: Omit<QueryInput, 'limit' | 'cursor'>,
    page: { limit: number; cursor?: string | undefined },
    keep: (item: Item) => boolean = () => true,
  ): Promise<{ items: RecordView<F>[]; nextCursor?: string }> {
    const items: RecordView<F>[] = [];
    let cursor = page.cursor;
    // A bound on reads per request: a sparse filter returns a short page and a cursor, not a slow one.
    for (let reads = 0; reads < MAX_READS_PER_PAGE && items.length < page.limit; reads++) {
      const result = await this.table.query({
        reverse: true,
        ...query,
        limit: page.limit - items.length,
        ...(cursor ? { cursor } : {}),
      });
      for (const item of result.items) {
        if (item.type === this.spec.type && keep(item)) items.push(this.view(item));
      }
      cursor = result.cursor;
      if (!cursor) break;
    }
    return cursor ? { items, nextCursor: cursor } : { items };
  }

  /** A page of the base partition, newest first. */
  basePartition(sub: string): Omit<QueryInput, 'limit' | 'cursor'> {
    return { partition: userPartition(sub), sort: { beginsWith: this.prefix } };
  }

  /**
   * The record as the API shows it. Items from the read cache are frozen and shared between
   * requests, so their views are made once and shared (frozen) too.
   */
  view(item: Item): RecordView<F> {
    if (!Object.isFrozen(item)) return viewOf(item) as RecordView<F>;
    let view = sharedViews.get(item);
    if (!view) {
      view = Object.freeze(viewOf(item));
      sharedViews.set(item, view);
    }
    return view as RecordView<F>;
  }

  private fieldsOf(item: Item): F {
    const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = this.view(item);
    return fields as unknown as F;
  }

  private toItem(sub: string, id: string, fields: F, version: number, createdAt: string, updatedAt: string): Item {
    return {
      ...this.key(sub, id),
      type: this.spec.type,
      ...this.spec.indexes?.(sub, id, fields),
      ...fields,
      id,
      version,
      createdAt,
      updatedAt,
    };
  }

  private async replay(sub: string, idempotency: IdempotentRequest): Promise<CreateResult<F> | undefined> {
    const receipt = await this.table.get(idempotencyKey(sub, idempotency.key));
    if (!replayedKey(receipt, idempotency)) return undefined;
    return { record: receipt?.response as RecordView<F>, replayed: true };
  }

  private checkVersion(id: string, version: number, expected: number | '*'): void {
    if (expected !== '*' && expected !== version) throw this.stale(id);
  }

  private stale(id: string): AppError {
    return preconditionFailed(
      `The ${this.spec.noun} ${id} has changed since you read it: fetch it again (for its new ETag) and retry`,
    );
  }

  private async claimConflict(claims: Claim[], reasons: string[]): Promise<AppError | Error> {
    const index = reasons.indexOf('ConditionalCheckFailed');
    const claim = claims[index];
    if (!claim) return preconditionFailed(`The ${this.spec.noun} changed while this request ran: retry`);
    const holder = await this.table.get(claim.key);
    return claim.taken((holder?.holderId as string | undefined) ?? 'unknown');
  }
}

function claimOp(claim: Claim, holderId: string): WriteOp {
  return { put: { ...claim.key, type: 'claim', holderId }, condition: when.notExists() };
}

function sameKey(a: Key, b: Key): boolean {
  return a.PK === b.PK && a.SK === b.SK;
}
