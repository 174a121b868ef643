/**
 * Time zones and local times, through Luxon (the IANA database that Node's Intl carries). A
 * user's "9:00 tomorrow" and "one day before" are wall-clock ideas: they are computed in the
 * user's zone, so they stay at 9:00 across a daylight-saving change instead of drifting an hour.
 */
import { DateTime, IANAZone } from 'luxon';
import { unprocessable } from '../../platform/errors.ts';

export const isTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** ISO 8601 with an offset or `Z`: an instant. Without one: a wall-clock time in the task's zone. */
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export const isDateTime = (value: string): boolean =>
  DATE_TIME.test(value) && DateTime.fromISO(value, { setZone: true }).isValid;

/**
 * The instant `value` names, in UTC ISO form. A wall-clock time that does not exist in `zone`
 * (skipped when the clocks go forward) is refused rather than silently moved; one that happens
 * twice (when they go back) is the first of the two, as calendars do.
 */
export function toInstant(value: string, zone: string, field: string): string {
  if (WITH_OFFSET.test(value)) return DateTime.fromISO(value, { setZone: true }).toUTC().toISO() as string;
  const local = DateTime.fromISO(value, { zone });
  const wall = DateTime.fromISO(value, { zone: 'utc' });
  const sameWallClock =
    local.year === wall.year &&
    local.month === wall.month &&
    local.day === wall.day &&
    local.hour === wall.hour &&
    local.minute === wall.minute;
  if (!local.isValid || !sameWallClock) {
    throw unprocessable(
      'NonexistentLocalTime',
      `${field} ${value} does not exist in ${zone} (the clocks skip it for daylight saving): choose another time`,
    );
  }
  return local.toUTC().toISO() as string;
}

export type ReminderUnit = 'minutes' | 'hours' | 'days';

/** `amount` units before `dueAt`, on the wall clock of `zone` (a day before 9:00 is 9:00). */
export function before(dueAt: string, amount: number, unit: ReminderUnit, zone: string): string {
  return DateTime.fromISO(dueAt, { zone })
    .minus({ [unit]: amount })
    .toUTC()
    .toISO() as string;
}

/** The calendar date (`2026-11-22`) of an instant in `zone`. */
export const localDate = (instant: string | number, zone: string): string =>
  (typeof instant === 'number'
    ? DateTime.fromMillis(instant, { zone })
    : DateTime.fromISO(instant, { zone })
  ).toISODate() as string;

/** The start and end (exclusive) of the local day that holds `now`, as UTC instants. */
export function localDayBounds(now: number, zone: string): { start: string; end: string } {
  const day = DateTime.fromMillis(now, { zone }).startOf('day');
  return { start: day.toUTC().toISO() as string, end: day.plus({ days: 1 }).toUTC().toISO() as string };
}

/** The first instant after `after` when the wall clock of `zone` shows `hour`:00. */
export function nextLocalHour(after: number, hour: number, zone: string): string {
  const now = DateTime.fromMillis(after, { zone });
  let next = now.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (next.toMillis() <= after) next = next.plus({ days: 1 }).set({ hour });
  return next.toUTC().toISO() as string;
}

/** The days from `from` to `to` inclusive, as ISO dates. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = DateTime.fromISO(from, { zone: 'utc' }); day.toISODate()! <= to; day = day.plus({ days: 1 })) {
    days.push(day.toISODate() as string);
  }
  return days;
}

/** How a person reads an instant in their zone: "Mon 23 Nov 2026, 09:00 (Europe/Berlin)". */
export const humanTime = (instant: string, zone: string): string =>
  `${DateTime.fromISO(instant, { zone }).toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
