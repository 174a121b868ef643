import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { type Key, type Table, TTL_ATTRIBUTE } from '../../platform/table.ts';
import type { Verdict } from './rate-limit-buckets.ts';

/** Requests counted for one client on one UTC day, not yet saved. */
export interface QuotaIncrement {
  id: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
}

/**
 * Where daily counts are kept so they outlive the process. Increments are added (not
 * overwritten), so several processes sharing one store add up rather than overwrite.
 */
export interface QuotaStore {
  /** The count saved for `id` on `day`; 0 when none. */
  get(id: string, day: string): Promise<number>;
  add(increments: QuotaIncrement[]): Promise<void>;
}

/** Counts in memory only: they are lost on restart. For tests, and runtimes with nothing better. */
export class MemoryQuotaStore implements QuotaStore {
  private readonly counts = new Map<string, number>();

  async get(id: string, day: string): Promise<number> {
    return this.counts.get(`${day}|${id}`) ?? 0;
  }

  async add(increments: QuotaIncrement[]): Promise<void> {
    for (const { id, day, count } of increments) {
      const key = `${day}|${id}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    }
  }
}

/**
 * Counts in the app table (`QUOTA#<id>` / `DAY#<day>`, kept two days by TTL), for runtimes
 * without a database of their own: on Lambda, every instance adds its batch with one atomic
 * ADD per key, so the count is shared across instances.
 */
export class TableQuotaStore implements QuotaStore {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  async get(id: string, day: string): Promise<number> {
    const item = await this.table.get(quotaKey(id, day));
    return typeof item?.count === 'number' ? item.count : 0;
  }

  async add(increments: QuotaIncrement[]): Promise<void> {
    const keep = epochSeconds(this.clock) + 2 * 24 * 3600;
    await Promise.all(
      increments.map(({ id, day, count }) =>
        this.table.update(quotaKey(id, day), { add: { count }, set: { [TTL_ATTRIBUTE]: keep } }),
      ),
    );
  }
}

const quotaKey = (id: string, day: string): Key => ({ PK: `QUOTA#${id}`, SK: `DAY#${day}` });

const DAY_MS = 24 * 3600 * 1000;

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Seconds from `ms` to the next UTC midnight, when daily quotas start again. */
export const secondsToUtcMidnight = (ms: number): number => Math.max(1, Math.ceil((DAY_MS - (ms % DAY_MS)) / 1000));

interface Entry {
  day: string;
  count: number;
  unsaved: number;
}

export interface DailyQuotasOptions {
  /** How often counts are written to the store (they are also written by `flush` and `close`). */
  flushEveryMs?: number;
  /** A failed background flush; its counts are kept and tried again on the next flush. */
  onFlushError?: (error: unknown) => void;
}

/**
 * Requests per client per UTC day. The count is in memory, so the hot path never waits on
 * storage except for a client's first request of the day; the store is written behind, in
 * batches, every `flushEveryMs`. A crash loses at most that interval's counts.
 *
 * Use: `await load(id)`, then `check` and (when the request goes ahead) `count` with no
 * `await` between them, so concurrent requests cannot both take the last unit.
 */
export class DailyQuotas {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<void>>();
  /** Counts of days that ended before they were saved. */
  private carried: QuotaIncrement[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: QuotaStore,
    private readonly clock: Clock,
    options: DailyQuotasOptions = {},
  ) {
    const every = options.flushEveryMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.flush().catch((error: unknown) => options.onFlushError?.(error));
      }, every).unref();
    }
  }

  /** Makes sure today's count for `id` is in memory. Resolves at once when it already is. */
  load(id: string): Promise<void> | undefined {
    const day = utcDay(this.clock.now());
    if (this.entries.get(id)?.day === day) return undefined;
    const loadKey = `${day}|${id}`;
    let pending = this.loading.get(loadKey);
    if (!pending) {
      pending = this.store
        .get(id, day)
        .then((saved) => {
          const previous = this.entries.get(id);
          if (previous?.day === day) return;
          if (previous && previous.unsaved > 0) {
            this.carried.push({ id, day: previous.day, count: previous.unsaved });
          }
          this.entries.set(id, { day, count: saved, unsaved: 0 });
        })
        .finally(() => this.loading.delete(loadKey));
      this.loading.set(loadKey, pending);
    }
    return pending;
  }

  /** Whether one more request fits in today's `limit` for `id` (loaded with `load`). */
  check(id: string, limit: number): Verdict {
    const now = this.clock.now();
    const used = this.entries.get(id)?.count ?? 0;
    const remaining = Math.max(0, limit - used);
    const reset = secondsToUtcMidnight(now);
    return {
      allowed: remaining > 0,
      limit,
      remaining,
      resetSeconds: reset,
      retryAfterSeconds: remaining > 0 ? 0 : reset,
      policy: `${limit};w=86400`,
    };
  }

  /** Counts one request for `id`; returns the verdict as it stands after it. */
  count(id: string, limit: number): Verdict {
    const entry = this.entries.get(id);
    if (entry) {
      entry.count += 1;
      entry.unsaved += 1;
    } else {
      this.entries.set(id, { day: utcDay(this.clock.now()), count: 1, unsaved: 1 });
    }
    const verdict = this.check(id, limit);
    return { ...verdict, allowed: true, retryAfterSeconds: 0 };
  }

  /** Writes unsaved counts to the store, and forgets the days that are over. */
  flush(): Promise<void> {
    this.flushing ??= this.writeUnsaved().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the background flush and writes what is left. Call before closing the store. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  private async writeUnsaved(): Promise<void> {
    const today = utcDay(this.clock.now());
    const increments = this.carried;
    this.carried = [];
    for (const [id, entry] of this.entries) {
      if (entry.unsaved > 0) {
        increments.push({ id, day: entry.day, count: entry.unsaved });
        entry.unsaved = 0;
      }
      if (entry.day < today) this.entries.delete(id);
    }
    if (increments.length === 0) return;
    try {
      await this.store.add(increments);
    } catch (error) {
      this.carried.push(...increments);
      throw error;
    }
  }
}
