import { LRUCache } from 'lru-cache';
import type { Clock } from '../../platform/clock.ts';
import { epochSeconds } from '../../platform/clock.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import type { Caller } from '../../platform/identity.ts';
import {
  ConditionFailedError,
  type Item,
  type Table,
  TransactionCanceledError,
  TTL_ATTRIBUTE,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import { newSortableId } from '../common/ids.ts';
import {
  API_KEY_SORT_PREFIX,
  apiKeyCountKey,
  apiKeyKey,
  apiKeyLookupKey,
  hashApiKey,
  looksLikeApiKey,
  newApiKey,
} from './keys.ts';
import { checkPlans, DEFAULT_PLAN, defaultUsagePlans, type UsagePlan } from './plans.ts';

export interface ApiKeysOptions {
  /** The usage plans keys may be on; default basic and pro. */
  plans?: UsagePlan[];
  /** The plan of a key created without one, and of keys whose plan is no longer configured. */
  defaultPlan?: string;
  /** Live (unrevoked) keys one user may hold. Default 20. */
  maxActiveKeys?: number;
  /**
   * How long a key lookup is remembered. Revoking in this process takes effect at once;
   * another process (another Lambda instance) sees it within this time. Default 30 s.
   */
  lookupCacheMs?: number;
  /** `lastUsedAt` is written at most this often per key. Default one minute. */
  lastUsedEveryMs?: number;
  /** How long a revoked key stays in the list before it is deleted. Default 30 days. */
  keepRevokedDays?: number;
  /** A background write (`lastUsedAt`) failed; the request it came from was already answered. */
  onBackgroundError?: (error: unknown) => void;
}

/** A key as the list shows it: never the key itself or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  plan: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  plan: string;
  prefix: string;
  createdAt: string;
  /** The secret, shown once. */
  key: string;
}

/** A live key, as the rate-limit middleware needs it. */
export interface ResolvedKey {
  id: string;
  sub: string;
  plan: UsagePlan;
}

interface CachedLookup {
  key: ResolvedKey | null;
  expiresAt: number;
}

/** Optimistic retries when two creates for one user race for the live-key count. */
const CREATE_ATTEMPTS = 5;
const CACHED_LOOKUPS = 10_000;

/**
 * API keys for a user's own scripts. A key is a random secret shown once; the table holds
 * its SHA-256 under the owner (`USER#<sub>` / `APIKEY#<id>`, which the list reads) and under
 * the hash (`APIKEY#<hash>` / `APIKEY`, which a request's key is looked up by), written and
 * revoked together in one transaction.
 *
 * This service is also the rate-limit middleware's `ApiKeyResolver`: lookups are cached
 * in memory, so the same instance must serve the routes and the middleware for a revoke to
 * take effect at once.
 */
export class ApiKeysService {
  readonly plans: ReadonlyMap<string, UsagePlan>;
  readonly defaultPlan: string;
  private readonly maxActiveKeys: number;
  private readonly lookupCacheMs: number;
  private readonly lastUsedEveryMs: number;
  private readonly keepRevokedSeconds: number;
  private readonly lookups = new LRUCache<string, CachedLookup>({ max: CACHED_LOOKUPS });
  /** Hashes revoked here lately: a lookup that read the table before the revoke must not cache it. */
  private readonly revokedHashes = new Map<string, number>();
  private readonly lastUsedWrites = new LRUCache<string, number>({ max: CACHED_LOOKUPS });

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly options: ApiKeysOptions = {},
  ) {
    const plans = options.plans ?? defaultUsagePlans;
    this.defaultPlan = options.defaultPlan ?? DEFAULT_PLAN;
    checkPlans(plans, this.defaultPlan);
    this.plans = new Map(plans.map((plan) => [plan.name, { ...plan }]));
    this.maxActiveKeys = options.maxActiveKeys ?? 20;
    this.lookupCacheMs = options.lookupCacheMs ?? 30_000;
    this.lastUsedEveryMs = options.lastUsedEveryMs ?? 60_000;
    this.keepRevokedSeconds = (options.keepRevokedDays ?? 30) * 24 * 3600;
  }

  get planNames(): [string, ...string[]] {
    return [...this.plans.keys()] as [string, ...string[]];
  }

  async create(caller: Caller, input: { name: string; plan?: string | undefined }): Promise<CreatedApiKey> {
    const plan = input.plan ?? this.defaultPlan;
    if (!this.plans.has(plan)) {
      const detail = `plan must be one of: ${this.planNames.join(', ')}`;
      throw badRequest('ValidationError', `The request is not valid: body.plan: ${detail}`, {
        fields: [{ field: 'body.plan', message: detail }],
      });
    }
    const countKey = apiKeyCountKey(caller.sub);
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      const counter = await this.table.get(countKey, { consistent: true });
      const active = Number(counter?.active ?? 0);
      if (active >= this.maxActiveKeys) {
        throw conflict(
          'ApiKeyLimitExceeded',
          `You have ${active} live API keys, the most allowed: revoke one you no longer use, then create this one`,
        );
      }
      const { key, hash, prefix } = newApiKey();
      const id = newSortableId(this.clock);
      const createdAt = this.isoNow();
      const record: Item = {
        ...apiKeyKey(caller.sub, id),
        type: 'apiKey',
        id,
        name: input.name,
        plan,
        prefix,
        keyHash: hash,
        createdAt,
      };
      const lookup: Item = { ...apiKeyLookupKey(hash), type: 'apiKeyLookup', id, sub: caller.sub, plan };
      // The count is the transaction's guard: it holds only if no other create or revoke
      // changed it since it was read, so the limit holds under concurrent creates.
      const countOp: WriteOp = counter
        ? { update: countKey, changes: { set: { active: active + 1 } }, condition: when.equals('active', active) }
        : { put: { ...countKey, type: 'apiKeyCount', active: 1 }, condition: when.notExists() };
      try {
        await this.table.transact([
          countOp,
          { put: record, condition: when.notExists() },
          { put: lookup, condition: when.notExists() },
        ]);
      } catch (error) {
        if (error instanceof TransactionCanceledError && error.reasons[0] === 'ConditionalCheckFailed') continue;
        throw error;
      }
      this.lookups.delete(hash);
      return { id, name: input.name, plan, prefix, createdAt, key };
    }
    throw conflict('Conflict', 'Several API keys were being created at once: try again');
  }

  async list(
    caller: Caller,
    page: { limit?: number; cursor?: string },
  ): Promise<{ items: ApiKeyView[]; nextCursor?: string }> {
    const result = await this.table.query({
      partition: apiKeyKey(caller.sub, '').PK,
      sort: { beginsWith: API_KEY_SORT_PREFIX },
      reverse: true,
      limit: page.limit ?? 20,
      ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    });
    const items = result.items.map(view);
    return result.cursor === undefined ? { items } : { items, nextCursor: result.cursor };
  }

  /**
   * Revokes the caller's key: the lookup item is deleted and the record marked, in one
   * transaction; the key stops working in this process at once. Revoking twice is not an
   * error. Another user's key is "not found", exactly as a key that never existed.
   */
  async revoke(caller: Caller, id: string): Promise<void> {
    const key = apiKeyKey(caller.sub, id);
    const record = await this.table.get(key, { consistent: true });
    if (!record) throw notFound('There is no API key with this id');
    const hash = String(record.keyHash);
    // Forget it before the write, so no lookup in flight can cache it as live afterwards.
    this.forget(hash, id);
    if (record.revokedAt !== undefined) return;
    try {
      await this.table.transact([
        {
          update: key,
          changes: {
            set: { revokedAt: this.isoNow(), [TTL_ATTRIBUTE]: epochSeconds(this.clock) + this.keepRevokedSeconds },
          },
          condition: when.and(when.exists(), when.attributeNotExists('revokedAt')),
        },
        { delete: apiKeyLookupKey(hash) },
        { update: apiKeyCountKey(caller.sub), changes: { add: { active: -1 } }, condition: when.exists() },
      ]);
    } catch (error) {
      if (error instanceof TransactionCanceledError) {
        // Revoked (or the account's data deleted) meanwhile by another request: the outcome stands.
        const current = await this.table.get(key, { consistent: true });
        if (!current) throw notFound('There is no API key with this id');
        if (current.revokedAt !== undefined) return;
      }
      this.revokedHashes.delete(hash);
      throw error;
    } finally {
      this.lookups.delete(hash);
    }
  }

  /** The live key for a raw `x-api-key` value, or undefined. Cached; see `lookupCacheMs`. */
  async resolve(rawKey: string): Promise<ResolvedKey | undefined> {
    if (!looksLikeApiKey(rawKey)) return undefined;
    const hash = hashApiKey(rawKey);
    const now = this.clock.now();
    const cached = this.lookups.get(hash);
    if (cached && cached.expiresAt > now) return cached.key ?? undefined;
    const item = await this.table.get(apiKeyLookupKey(hash));
    const revokedAt = this.revokedHashes.get(hash);
    const live = item && revokedAt === undefined;
    const key: ResolvedKey | null = live
      ? { id: String(item.id), sub: String(item.sub), plan: this.planOf(String(item.plan)) }
      : null;
    this.lookups.set(hash, { key, expiresAt: now + this.lookupCacheMs });
    this.pruneRevoked(now);
    return key ?? undefined;
  }

  /** Records `lastUsedAt`, at most once per `lastUsedEveryMs` per key, off the request's path. */
  markUsed(key: ResolvedKey): void {
    const now = this.clock.now();
    const last = this.lastUsedWrites.get(key.id);
    if (last !== undefined && now - last < this.lastUsedEveryMs) return;
    this.lastUsedWrites.set(key.id, now);
    this.table
      .update(
        apiKeyKey(key.sub, key.id),
        { set: { lastUsedAt: new Date(now).toISOString() } },
        // Never bring back a record deleted or revoked meanwhile (an update creates missing items).
        { condition: when.and(when.exists(), when.attributeNotExists('revokedAt')) },
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionFailedError)) this.options.onBackgroundError?.(error);
      });
  }

  /** A key on a plan that is no longer configured falls back to the default plan. */
  private planOf(name: string): UsagePlan {
    return this.plans.get(name) ?? (this.plans.get(this.defaultPlan) as UsagePlan);
  }

  private forget(hash: string, id: string): void {
    this.lookups.delete(hash);
    this.lastUsedWrites.delete(id);
    // Delete first, so the map stays in time order for pruneRevoked.
    this.revokedHashes.delete(hash);
    this.revokedHashes.set(hash, this.clock.now());
  }

  /** A revoked hash needs remembering only as long as a lookup begun before the revoke could run. */
  private pruneRevoked(now: number): void {
    for (const [hash, at] of this.revokedHashes) {
      if (now - at <= this.lookupCacheMs) break;
      this.revokedHashes.delete(hash);
    }
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function view(item: Item): ApiKeyView {
  const shown: ApiKeyView = {
    id: String(item.id),
    name: String(item.name),
    plan: String(item.plan),
    prefix: String(item.prefix),
    createdAt: String(item.createdAt),
  };
  if (typeof item.lastUsedAt === 'string') shown.lastUsedAt = item.lastUsedAt;
  if (typeof item.revokedAt === 'string') shown.revokedAt = item.revokedAt;
  return shown;
}
