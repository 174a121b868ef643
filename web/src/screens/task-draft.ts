// The editor's working copy of a task, and what it sends. The form holds the due time as the
// date and time inputs show it (wall clock, in the chosen zone) and sends it that way with the
// zone (`dueAt: '2030-01-15T09:30', timeZone: 'Asia/Tokyo'`), so the API — which knows to refuse
// a time skipped by daylight saving — does the only conversion. An edit sends only the fields
// that changed, with the version it was read at; after a 412 the same changes are laid on the
// newest version (`rebase`), so the user's edits are not lost to someone else's.
import { parseTags } from '../tags.tsx';
import {
  deviceZone,
  type ReminderUnit,
  type StoredReminder,
  type Task,
  type TaskPriority,
  type TaskStatus,
  wallClock,
} from './task-model.ts';

export interface ReminderDraft {
  key: number;
  before?: { amount: number; unit: ReminderUnit };
  /** Wall-clock `YYYY-MM-DDTHH:mm` in the draft's zone. */
  at?: string;
  /** When the API said it fires; unknown until saved, or once the due time or zone is edited. */
  fireAt?: string;
}

export interface ChecklistDraft {
  key: number;
  text: string;
  done: boolean;
}

export interface Draft {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string;
  dueTime: string;
  timeZone: string;
  tags: string;
  list: string;
  checklist: ChecklistDraft[];
  reminders: ReminderDraft[];
}

let nextKey = 0;
/** A key for a list row React can follow while rows are added and removed. */
export const newKey = () => {
  nextKey += 1;
  return nextKey;
};

export const emptyDraft = (): Draft => ({
  title: '',
  description: '',
  status: 'todo',
  priority: 'medium',
  dueDate: '',
  dueTime: '',
  timeZone: deviceZone(),
  tags: '',
  list: '',
  checklist: [],
  reminders: [],
});

const reminderDraft = (reminder: StoredReminder, zone: string): ReminderDraft => {
  if (reminder.before) return { key: newKey(), before: reminder.before, fireAt: reminder.fireAt };
  const { date, time } = wallClock(reminder.at ?? reminder.fireAt, zone);
  return { key: newKey(), at: `${date}T${time}`, fireAt: reminder.fireAt };
};

export function draftOf(task: Task): Draft {
  const due = task.dueAt ? wallClock(task.dueAt, task.timeZone) : { date: '', time: '' };
  return {
    title: task.title,
    description: task.description ?? '',
    status: task.status,
    priority: task.priority,
    dueDate: due.date,
    dueTime: due.time,
    timeZone: task.timeZone,
    tags: task.tags.join(', '),
    list: task.list ?? '',
    checklist: task.checklist.map((item) => ({ key: newKey(), ...item })),
    reminders: task.reminders.map((reminder) => reminderDraft(reminder, task.timeZone)),
  };
}

/** A form problem the API would also refuse, said before sending: a half-filled due time. */
export function problemOf(draft: Draft): string | undefined {
  if (draft.title.trim() === '') return 'Give the task a title.';
  if (draft.dueDate && !draft.dueTime) return 'Choose a due time too, or clear the due date.';
  if (draft.dueTime && !draft.dueDate) return 'Choose a due date too, or clear the due time.';
  return undefined;
}

const dueAtOf = (draft: Draft) => (draft.dueDate && draft.dueTime ? `${draft.dueDate}T${draft.dueTime}` : null);
const remindersOf = (draft: Draft) =>
  draft.reminders.map((reminder) => (reminder.before ? { before: reminder.before } : { at: reminder.at }));
const checklistOf = (draft: Draft) => draft.checklist.map(({ text, done }) => ({ text, done }));

/** The body of POST /v1/tasks. */
export function createBody(draft: Draft): Record<string, unknown> {
  const dueAt = dueAtOf(draft);
  return {
    title: draft.title.trim(),
    status: draft.status,
    priority: draft.priority,
    timeZone: draft.timeZone,
    tags: parseTags(draft.tags),
    checklist: checklistOf(draft),
    reminders: remindersOf(draft),
    ...(draft.description.trim() ? { description: draft.description } : {}),
    ...(dueAt ? { dueAt } : {}),
    ...(draft.list.trim() ? { list: draft.list.trim() } : {}),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The body of PATCH /v1/tasks/{id}: only what differs from `base` (the draft of the version
 * read). A new zone re-sends the due time and the reminders, since both are wall-clock times in it.
 */
export function changeOf(base: Draft, draft: Draft): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  if (draft.title.trim() !== base.title) change.title = draft.title.trim();
  if (draft.description !== base.description) change.description = draft.description.trim() ? draft.description : null;
  if (draft.status !== base.status) change.status = draft.status;
  if (draft.priority !== base.priority) change.priority = draft.priority;
  const zoneChanged = draft.timeZone !== base.timeZone;
  if (zoneChanged || dueAtOf(draft) !== dueAtOf(base)) {
    change.dueAt = dueAtOf(draft);
    change.timeZone = draft.timeZone;
  }
  if (!same(parseTags(draft.tags), parseTags(base.tags))) change.tags = parseTags(draft.tags);
  if (draft.list.trim() !== base.list) change.list = draft.list.trim() || null;
  if (!same(checklistOf(draft), checklistOf(base))) change.checklist = checklistOf(draft);
  if (zoneChanged || !same(remindersOf(draft), remindersOf(base))) change.reminders = remindersOf(draft);
  return change;
}

/** The user's unsaved changes, laid on the draft of a newer version of the task. */
export function rebase(oldBase: Draft, draft: Draft, newBase: Draft): Draft {
  const next: Draft = { ...newBase };
  for (const key of Object.keys(draft) as (keyof Draft)[]) {
    if (!same(strip(draft[key]), strip(oldBase[key]))) Object.assign(next, { [key]: draft[key] });
  }
  return next;
}

/** Row keys and computed times are not edits. */
const strip = (value: unknown) =>
  Array.isArray(value) ? value.map(({ key: _key, fireAt: _fireAt, ...rest }) => rest) : value;
