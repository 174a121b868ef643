import { monotonicFactory } from 'ulid';
import type { Clock } from '../../platform/clock.ts';

const nextUlid = monotonicFactory();

/**
 * A new item id that sorts by creation time (a ULID, lower-cased for URLs), so a sort key
 * `TODO#<id>` lists newest first with a reverse query and no extra index. Monotonic: two ids
 * made in the same millisecond still sort in creation order.
 */
export function newSortableId(clock: Clock): string {
  return nextUlid(clock.now()).toLowerCase();
}

/** The shape of an id made by `newSortableId`, for validating path parameters. */
export const SORTABLE_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;
