// What the Tasks screens share: the task as the API returns it, the words for its statuses and
// priorities, the list filters as they sit in the address bar, and the time-zone arithmetic.
// A task's due time is an instant (UTC) kept beside the zone it was given in; people read and
// write it as wall-clock time in that zone, so every conversion here goes through Intl with the
// task's `timeZone` rather than the device's, and the API does the wall-clock → instant step
// (it alone knows to refuse a time skipped by daylight saving).
import { ApiError } from '../api.ts';
import { session } from '../session.ts';

export const STATUSES = ['todo', 'in_progress', 'done'] as const;
export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type TaskStatus = (typeof STATUSES)[number];
export type TaskPriority = (typeof PRIORITIES)[number];
export type ReminderUnit = 'minutes' | 'hours' | 'days';

export const STATUS_LABELS: Record<TaskStatus, string> = { todo: 'To do', in_progress: 'In progress', done: 'Done' };
export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  urgent: 'Urgent',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export interface StoredReminder {
  before?: { amount: number; unit: ReminderUnit };
  at?: string;
  /** When it is sent (UTC). */
  fireAt: string;
}

export interface Task {
  id: string;
  version: number;
  title: string;
  description?: string;
  status: TaskStatus;
  priority: TaskPriority;
  /** UTC; shown in `timeZone`. */
  dueAt?: string;
  timeZone: string;
  tags: string[];
  list?: string;
  checklist: { text: string; done: boolean }[];
  reminders: StoredReminder[];
  completedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export const taskUrl = (id: string) => `/v1/tasks/${encodeURIComponent(id)}`;
export const taskPage = (id: string) => `/tasks/${encodeURIComponent(id)}`;

/** A change sent with the version it was read at: a stale one is refused (412) instead of overwriting. */
export const patchTask = (task: Pick<Task, 'id' | 'version'>, change: Partial<Record<keyof Task, unknown>>) =>
  session.call<Task>(taskUrl(task.id), {
    method: 'PATCH',
    body: change,
    headers: { 'if-match': `"${task.version}"` },
  });

export const isStale = (caught: unknown) => caught instanceof ApiError && caught.status === 412;

/** The order of urgency, most urgent first (as the API sorts by priority). */
export const priorityRank = (priority: TaskPriority) => PRIORITIES.indexOf(priority);

// ---------------------------------------------------------------- filters

export type Sort = 'created' | 'due' | 'priority';
export const SORT_LABELS: Record<Sort, string> = {
  created: 'Newest first',
  due: 'Due soonest',
  priority: 'Most urgent',
};

export interface Filters {
  status?: TaskStatus;
  priority?: TaskPriority;
  tag?: string;
  list?: string;
  overdue?: boolean;
  sort: Sort;
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((candidate) => candidate === value);

/** The filters of the list's address (`/tasks?status=todo&sort=due`); anything unknown is ignored. */
export function filtersOf(query: URLSearchParams): Filters {
  const filters: Filters = { sort: oneOf(['created', 'due', 'priority'] as const, query.get('sort')) ?? 'created' };
  const status = oneOf(STATUSES, query.get('status'));
  const priority = oneOf(PRIORITIES, query.get('priority'));
  const tag = query.get('tag')?.trim();
  const list = query.get('list')?.trim();
  if (status) filters.status = status;
  if (priority) filters.priority = priority;
  if (tag) filters.tag = tag.toLowerCase();
  if (list) filters.list = list;
  if (query.get('overdue') === 'true') filters.overdue = true;
  return filters;
}

/** The same filters as a query string, in a stable order; the API takes exactly these names. */
export function queryOf(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.priority) query.set('priority', filters.priority);
  if (filters.tag) query.set('tag', filters.tag);
  if (filters.list) query.set('list', filters.list);
  if (filters.overdue) query.set('overdue', 'true');
  if (filters.sort !== 'created') query.set('sort', filters.sort);
  return query;
}

export const isFiltered = (filters: Filters) =>
  Boolean(filters.status || filters.priority || filters.tag || filters.list || filters.overdue);

// ---------------------------------------------------------------- where to come back to

let lastListAddress = '/tasks';
let flash: string | undefined;

/** The list or board the user last looked at (with its filters), for the editor's way back. */
export const rememberListAddress = (address: string) => {
  lastListAddress = address;
};
export const listAddress = () => lastListAddress;

/** A line for the next list shown ("Deleted …"): read with `flashed`, then cleared once shown. */
export const setFlash = (message: string) => {
  flash = message;
};
export const flashed = (): string | undefined => flash;
export const clearFlash = () => {
  flash = undefined;
};

// ---------------------------------------------------------------- time zones

/** The zone this device is set to, the default for new tasks. */
export const deviceZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

let zones: string[] | undefined;

/** Every IANA zone the browser knows, sorted; `UTC` and any zone passed in are always there. */
export function timeZones(...include: string[]): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = new Set([...zones, 'UTC', deviceZone(), ...include.filter(Boolean)]);
  return [...all].sort((a, b) => a.localeCompare(b));
}

/** `Asia/Tokyo` → `Asia/Tokyo`, `America/Argentina/Buenos_Aires` → `America/Argentina/Buenos Aires`. */
export const zoneName = (zone: string) => zone.replaceAll('_', ' ');

const formats = new Map<string, Intl.DateTimeFormat>();
const formatFor = (zone: string, options: Intl.DateTimeFormatOptions, locale?: string) => {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formats.set(key, format);
  }
  return format;
};

/** An instant as people in `zone` read it, in the browser's language: "Jan 15, 2030, 9:30 AM". */
export const formatInZone = (instant: string, zone: string): string =>
  formatFor(zone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));

const LONG: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
};

/** As `formatInZone`, with the weekday: for the editor, where the day matters. */
export const formatLongInZone = (instant: string, zone: string): string =>
  formatFor(zone, LONG).format(new Date(instant));

/** The wall clock of `zone` at an instant, as the date and time inputs take it: `2030-01-15`, `09:30`. */
export function wallClock(instant: string, zone: string): { date: string; time: string } {
  const parts = formatFor(
    zone,
    { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    'en-US',
  ).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
}

/** A wall-clock date and time (`2030-01-15T09:30`) as people read it, without converting it. */
export function formatWallClock(local: string): string {
  // Read as UTC and shown as UTC: the digits stay as typed, only the words are the locale's.
  return formatFor('UTC', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(`${local}:00Z`));
}

export const isOverdue = (task: Task, now = Date.now()) =>
  task.status !== 'done' && task.dueAt !== undefined && Date.parse(task.dueAt) < now;

/** "30 minutes before", "1 day before", "At the due time". */
export function describeBefore(amount: number, unit: ReminderUnit): string {
  if (amount === 0) return 'At the due time';
  const singular = unit.slice(0, -1);
  return `${amount} ${amount === 1 ? singular : unit} before the due time`;
}
