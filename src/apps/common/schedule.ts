/**
 * Work due at a time (reminders, digests), found through an index rather than a scan: each
 * waiting item has `GSI1PK = SCHEDULE#<hour>` and `GSI1SK = <dueAt>#…`, and a tick reads the
 * hour buckets from its checkpoint up to now. Each item is claimed with a conditional write
 * before its work runs, so overlapping ticks never do it twice; a claim is a lease, so work
 * interrupted by a crash is taken up again when the lease runs out, and nothing due is lost.
 */
import type { Clock } from '../../platform/clock.ts';
import type { ScheduledJob } from '../../platform/schedule.ts';
import {
  ConditionFailedError,
  type Item,
  type Key,
  queryAll,
  type Table,
  TTL_ATTRIBUTE,
  type Update,
  when,
} from '../../platform/table.ts';

const HOUR_MS = 3600_000;
/** A bucket is never closed until well after its hour: writers' clocks may lag the tick's. */
const CHECKPOINT_MARGIN_MS = 5 * 60_000;
/** The longest a tick looks back when there is no checkpoint yet. */
const FIRST_LOOKBACK_MS = 24 * HOUR_MS;
const CHECKPOINT: Key = { PK: 'SCHEDULE', SK: 'CHECKPOINT' };
const DONE_KEEP_SECONDS = 30 * 24 * 3600;

export const scheduleBucket = (instant: string | number) => `SCHEDULE#${new Date(instant).toISOString().slice(0, 13)}`;

/** The index keys that put an item in the schedule at `dueAt` (never before `now`'s bucket: see below). */
export function scheduleKeys(dueAt: string, now: number, suffix: string): Record<'GSI1PK' | 'GSI1SK', string> {
  // Work written after its time (a delayed stream, a restart) goes in the current bucket, which a
  // tick has not closed yet, rather than a past bucket it may have closed already.
  return { GSI1PK: scheduleBucket(Math.max(Date.parse(dueAt), now)), GSI1SK: `${dueAt}#${suffix}` };
}

/** What the work made of a claimed item. */
export type Outcome =
  /** Done: the item leaves the schedule and is kept a while as a record. */
  | { done: true; set?: Record<string, string | number | boolean> }
  /** Due again at `next` (a daily digest). */
  | { next: string; set?: Record<string, string | number | boolean> }
  /** No longer wanted (its task changed or went): the item is deleted. */
  | { drop: true };

export interface ClaimedWork {
  item: Item;
  /** How late the work is, in ms past its time. */
  lateMs: number;
  /** Records progress inside the claim (a channel already sent), so a retry skips it. */
  record(changes: Record<string, string | number | boolean>): Promise<void>;
}

export interface DueWorker {
  /** The item `kind` it does. */
  kind: string;
  work(claimed: ClaimedWork): Promise<Outcome>;
}

export interface ScheduleOptions {
  /** Who claims: a process or invocation id. */
  runnerId: string;
  /**
   * One machine: this runner is the only one, so any claim by another runner id is from a
   * process that died (a restart) and is taken over at once instead of after its lease.
   */
  soleRunner?: boolean;
  leaseMs?: number;
  /** Items worked on at once. */
  concurrency?: number;
  onError?(error: unknown, item: Item): void;
}

/** The scheduled job that does every due item of the schedule index. */
export class ScheduleRunner implements ScheduledJob {
  readonly name = 'schedule';
  private readonly workers: Map<string, DueWorker>;
  private readonly leaseMs: number;

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    workers: DueWorker[],
    private readonly options: ScheduleOptions,
  ) {
    this.workers = new Map(workers.map((w) => [w.kind, w]));
    this.leaseMs = options.leaseMs ?? 3 * 60_000;
  }

  async run(now: Date): Promise<void> {
    const nowMs = now.getTime();
    const checkpoint = await this.table.get(CHECKPOINT, { consistent: true });
    const fromMs = typeof checkpoint?.hour === 'string' ? Date.parse(checkpoint.hour) : nowMs - FIRST_LOOKBACK_MS;
    let firstUnfinished: number | undefined;
    for (let hour = floorHour(fromMs); hour <= floorHour(nowMs); hour += HOUR_MS) {
      const unfinished = await this.runBucket(hour, now);
      if (unfinished && firstUnfinished === undefined) firstUnfinished = hour;
    }
    const next = firstUnfinished ?? floorHour(nowMs - CHECKPOINT_MARGIN_MS);
    if (next !== fromMs) {
      await this.table.put({ ...CHECKPOINT, type: 'checkpoint', hour: new Date(next).toISOString() });
    }
  }

  /** Does the bucket's due items; true when some are still waiting (failed, or claimed by another). */
  private async runBucket(hour: number, now: Date): Promise<boolean> {
    const due = await queryAll(this.table, {
      index: 'GSI1',
      partition: scheduleBucket(hour),
      sort: { lessThanOrEqual: `${now.toISOString()}~` },
    });
    let unfinished = false;
    const queue = [...due];
    const workers = Array.from({ length: this.options.concurrency ?? 4 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (!(await this.runOne(item, now))) unfinished = true;
      }
    });
    await Promise.all(workers);
    return unfinished;
  }

  /** Claims and does one item; false when it is still waiting afterwards. */
  private async runOne(listed: Item, now: Date): Promise<boolean> {
    const key = { PK: listed.PK, SK: listed.SK };
    // The index is eventually consistent: decide on the item itself.
    const item = await this.table.get(key, { consistent: true });
    if (!item || item.GSI1PK === undefined || (item.dueAt as string) > now.toISOString()) return true;
    const worker = this.workers.get(item.kind as string);
    if (!worker || !this.claimable(item, now.getTime())) return false;
    const version = ((item.version as number | undefined) ?? 0) + 1;
    const claim = when.equals('version', (item.version as number | undefined) ?? 0);
    const mine = when.and(when.equals('version', version), when.equals('claimedBy', this.options.runnerId));
    try {
      await this.table.update(
        key,
        { set: { claimedBy: this.options.runnerId, leaseUntil: this.clock.now() + this.leaseMs, version } },
        { condition: item.version === undefined ? when.attributeNotExists('version') : claim },
      );
    } catch (error) {
      if (error instanceof ConditionFailedError) return false; // another tick took it
      throw error;
    }
    try {
      const outcome = await worker.work({
        item,
        lateMs: now.getTime() - Date.parse(item.dueAt as string),
        record: async (changes) => {
          await this.table.update(key, { set: changes }, { condition: mine });
        },
      });
      await this.finish(key, outcome, mine);
      return !('next' in outcome) || outcome.next > now.toISOString();
    } catch (error) {
      if (error instanceof ConditionFailedError) return true; // the item changed under us: it is someone else's now
      this.options.onError?.(error, item);
      // Let the next tick try again rather than waiting out the lease.
      await this.table.update(key, { remove: ['claimedBy', 'leaseUntil'] }, { condition: mine }).catch(() => undefined);
      return false;
    }
  }

  private claimable(item: Item, nowMs: number): boolean {
    const holder = item.claimedBy as string | undefined;
    if (holder === undefined) return true;
    if (holder === this.options.runnerId) return false; // still working on it in this process
    return this.options.soleRunner === true || (item.leaseUntil as number) < nowMs;
  }

  private async finish(key: Key, outcome: Outcome, mine: ReturnType<typeof when.and>): Promise<void> {
    if ('drop' in outcome) {
      await this.table.delete(key, { condition: mine });
      return;
    }
    const changes: Update = { set: { ...outcome.set }, remove: ['claimedBy', 'leaseUntil'] };
    if ('done' in outcome) {
      changes.remove?.push('GSI1PK', 'GSI1SK');
      (changes.set as Record<string, number>)[TTL_ATTRIBUTE] = Math.floor(this.clock.now() / 1000) + DONE_KEEP_SECONDS;
    } else {
      Object.assign(changes.set as object, {
        dueAt: outcome.next,
        ...scheduleKeys(outcome.next, this.clock.now(), key.PK),
      });
    }
    await this.table.update(key, changes, { condition: mine });
  }
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
