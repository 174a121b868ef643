import type { Clock } from '../../platform/clock.ts';
import { badRequest } from '../../platform/errors.ts';
import { forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import {
  queryAll,
  type Table,
  TransactionCanceledError,
  TTL_ATTRIBUTE,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import { profileKey, userPartition } from '../users/profile.ts';
import { taskChange } from './events.ts';
import { facetPartition, OPEN, statsKey } from './keys.ts';
import { PRIORITIES, STATUSES, type TaskFields } from './model.ts';
import { daysBetween, localDate } from './time.ts';

/**
 * Per-user daily counters (`USER#<sub>` / `TASKSTATS#<date>`), kept by the change stream so a
 * read costs one item per day, however many tasks there are. On the day a task was created (in
 * its own time zone): `created`, and its current `status_*` and `priority_*`. On the day it was
 * completed: `completed`, and its time to complete in a histogram (`ttc_<bucket>`, buckets a
 * quarter of a doubling wide), from which the median is read to within ±9%.
 */
type Counters = Map<string, Map<string, number>>;

const BUCKETS_PER_DOUBLING = 4;
const APPLIED_KEEP_SECONDS = 2 * 24 * 3600;
const MAX_DAYS = 366;
const OVERDUE_COUNT_CAP = 1000;

/** The histogram bucket of a duration in seconds. */
export const durationBucket = (seconds: number): number =>
  seconds < 1 ? 0 : Math.floor(Math.log2(seconds) * BUCKETS_PER_DOUBLING) + 1;
/** A bucket's middle, in seconds. */
const bucketMiddle = (bucket: number): number =>
  bucket === 0 ? 0.5 : 2 ** ((bucket - 1 + 0.5) / BUCKETS_PER_DOUBLING);

type TaskImage = TaskFields & { createdAt: string };

/** What one task adds to the counters, by day. */
export function contribution(task: TaskImage | undefined): Counters {
  const counters: Counters = new Map();
  if (!task) return counters;
  const add = (day: string, name: string) => {
    const counts = counters.get(day) ?? new Map<string, number>();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    counters.set(day, counts);
  };
  const created = localDate(task.createdAt, task.timeZone);
  add(created, 'created');
  add(created, `status_${task.status}`);
  add(created, `priority_${task.priority}`);
  if (task.status === 'done' && task.completedAt) {
    const completed = localDate(task.completedAt, task.timeZone);
    add(completed, 'completed');
    const seconds = (Date.parse(task.completedAt) - Date.parse(task.createdAt)) / 1000;
    add(completed, `ttc_${durationBucket(seconds)}`);
  }
  return counters;
}

function difference(after: Counters, before: Counters): Counters {
  const delta: Counters = new Map();
  for (const day of new Set([...after.keys(), ...before.keys()])) {
    const a = after.get(day) ?? new Map<string, number>();
    const b = before.get(day) ?? new Map<string, number>();
    const changes = new Map<string, number>();
    for (const name of new Set([...a.keys(), ...b.keys()])) {
      const change = (a.get(name) ?? 0) - (b.get(name) ?? 0);
      if (change !== 0) changes.set(name, change);
    }
    if (changes.size > 0) delta.set(day, changes);
  }
  return delta;
}

/**
 * Applies each task change's difference to the counters, exactly once: the counter updates and
 * a marker for the change (task id and version) are one transaction, and a redelivered change
 * finds its marker and is skipped.
 */
export function countTaskChanges(table: Table, clock: Clock): StreamHandler {
  return {
    name: 'tasks.count-changes',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        const change = taskChange(record);
        if (!change) return;
        const { OldImage, NewImage } = record.dynamodb;
        // An account being deleted takes its counters along: counting its tasks' removal would bring them back.
        if (!NewImage && !(await table.get(profileKey(change.sub), { consistent: true }))) return;
        const delta = difference(
          contribution(NewImage as unknown as TaskImage | undefined),
          contribution(OldImage as unknown as TaskImage | undefined),
        );
        if (delta.size === 0) return;
        const marker = NewImage ? `v${NewImage.version}` : `removed-v${OldImage?.version}`;
        const ops: WriteOp[] = [...delta].map(([day, changes]) => ({
          update: statsKey(change.sub, day),
          changes: { set: { type: 'task-stats', date: day }, add: Object.fromEntries(changes) },
        }));
        ops.push({
          put: {
            PK: userPartition(change.sub),
            SK: `TASKSTATS#APPLIED#${change.taskId}#${marker}`,
            type: 'task-stats-applied',
            [TTL_ATTRIBUTE]: Math.floor(clock.now() / 1000) + APPLIED_KEEP_SECONDS,
          },
          condition: when.notExists(),
        });
        try {
          await table.transact(ops);
        } catch (error) {
          const replayed =
            error instanceof TransactionCanceledError && error.reasons.at(-1) === 'ConditionalCheckFailed';
          if (!replayed) throw error;
        }
      }),
  };
}

export interface Analytics {
  from: string;
  to: string;
  /** Of the tasks created in the period. */
  created: number;
  byStatus: Record<string, number>;
  byPriority: Record<string, number>;
  /** Done ÷ created, of the tasks created in the period; null when none were. */
  completionRate: number | null;
  /** Completed in the period (whenever they were created). */
  completed: number;
  /** Of the tasks completed in the period; null when none were. */
  medianHoursToComplete: number | null;
  /** Open tasks past their due time, now. */
  overdue: number;
  days: Array<{ date: string; created: number; completed: number }>;
}

/** Reads the counters of `from`..`to` (dates) and the overdue tasks: one item per day, not per task. */
export async function readAnalytics(
  table: Table,
  clock: Clock,
  sub: string,
  range: { from: string; to: string },
): Promise<Analytics> {
  const { from, to } = range;
  if (from > to) throw badRequest('InvalidRange', `from (${from}) must not be after to (${to})`);
  const days = daysBetween(from, to);
  if (days.length > MAX_DAYS) throw badRequest('InvalidRange', `A period may be at most ${MAX_DAYS} days long`);
  const items = (
    await queryAll(table, {
      partition: userPartition(sub),
      sort: { between: [`TASKSTATS#${from}`, `TASKSTATS#${to}`] },
    })
  ).filter((item) => item.type === 'task-stats');
  const sum = (name: string) => items.reduce((total, item) => total + ((item[name] as number | undefined) ?? 0), 0);
  const created = sum('created');
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, sum(`status_${s}`)]));
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, sum(`priority_${p}`)]));
  const histogram = new Map<number, number>();
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith('ttc_')) {
        const bucket = Number(name.slice(4));
        histogram.set(bucket, (histogram.get(bucket) ?? 0) + (value as number));
      }
    }
  }
  const byDay = new Map(items.map((item) => [item.date as string, item]));
  const median = medianOf(histogram);
  return {
    from,
    to,
    created,
    byStatus,
    byPriority,
    completionRate: created > 0 ? (byStatus.done ?? 0) / created : null,
    completed: sum('completed'),
    medianHoursToComplete: median === null ? null : Math.round((median / 3600) * 100) / 100,
    overdue: await countOverdue(table, sub, new Date(clock.now()).toISOString()),
    days: days.map((date) => ({
      date,
      created: (byDay.get(date)?.created as number | undefined) ?? 0,
      completed: (byDay.get(date)?.completed as number | undefined) ?? 0,
    })),
  };
}

/** The median of a histogram, in seconds (the middle of the bucket it falls in). */
export function medianOf(histogram: Map<number, number>): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const nth = (n: number) => {
    let seen = 0;
    for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
      seen += histogram.get(bucket) ?? 0;
      if (seen > n) return bucketMiddle(bucket);
    }
    return 0;
  };
  return total % 2 === 1 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
}

/** Open tasks due before now, through the open facet's due index (it holds only open tasks). */
async function countOverdue(table: Table, sub: string, now: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await table.query({
      index: 'GSI1',
      partition: facetPartition(sub, OPEN),
      sort: { lessThan: now },
      ...(cursor ? { cursor } : {}),
    });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor && count < OVERDUE_COUNT_CAP);
  return count;
}
