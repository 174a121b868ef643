import { z } from '@hono/zod-openapi';
import { BooleanQuery, Line, RecordMeta, Tags, Text } from '../common/model.ts';
import { isDateTime, isTimeZone, type ReminderUnit } from './time.ts';

export const TITLE_MAX = 500;
export const DESCRIPTION_MAX_BYTES = 10 * 1024;
export const CHECKLIST_MAX = 50;
export const REMINDERS_MAX = 5;

export const STATUSES = ['todo', 'in_progress', 'done'] as const;
export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type TaskStatus = (typeof STATUSES)[number];
export type TaskPriority = (typeof PRIORITIES)[number];

export const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York')
  .openapi({ example: 'Europe/Berlin' });

/** An instant (with `Z` or an offset) or a wall-clock time in the task's time zone. */
const DateTimeInput = z
  .string()
  .max(40)
  .refine(
    isDateTime,
    'must be an ISO 8601 date and time: 2026-12-31T09:00 (in the task’s time zone) or 2026-12-31T08:00:00Z',
  )
  .openapi({ example: '2026-12-31T09:00' });

const ReminderInput = z.union([
  z
    .object({
      before: z
        .object({
          amount: z.number().int('must be a whole number').min(0).max(1000),
          unit: z.enum(['minutes', 'hours', 'days']),
        })
        .strict(),
    })
    .strict()
    .openapi({ description: '`amount` `unit` before the due time (0 minutes: at the due time)' }),
  z.object({ at: DateTimeInput }).strict().openapi({ description: 'At an absolute time' }),
]);

const ChecklistItem = z.object({ text: Line(200), done: z.boolean().default(false) }).strict();

const fields = {
  title: Line(TITLE_MAX).openapi({ example: 'File the tax return' }),
  description: Text(DESCRIPTION_MAX_BYTES),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  dueAt: DateTimeInput,
  timeZone: TimeZone,
  tags: Tags,
  list: Line(60).openapi({ example: 'Home' }),
  checklist: z.array(ChecklistItem).max(CHECKLIST_MAX, `at most ${CHECKLIST_MAX} checklist items`),
  reminders: z.array(ReminderInput).max(REMINDERS_MAX, `at most ${REMINDERS_MAX} reminders`),
};

export const CreateTask = z
  .object({
    title: fields.title,
    description: fields.description.optional(),
    status: fields.status.default('todo'),
    priority: fields.priority.default('medium'),
    dueAt: fields.dueAt.optional(),
    timeZone: fields.timeZone
      .optional()
      .openapi({ description: 'Where dueAt and reminders are read; your notification settings’ zone when absent' }),
    tags: fields.tags.default([]),
    list: fields.list.optional(),
    checklist: fields.checklist.default([]),
    reminders: fields.reminders.default([]),
  })
  .strict()
  .openapi('CreateTask');

/** `null` clears an optional field; `reminders` replaces the whole list. */
export const ChangeTask = z
  .object({
    title: fields.title.optional(),
    description: fields.description.nullable().optional(),
    status: fields.status.optional(),
    priority: fields.priority.optional(),
    dueAt: fields.dueAt.nullable().optional(),
    timeZone: fields.timeZone.optional(),
    tags: fields.tags.optional(),
    list: fields.list.nullable().optional(),
    checklist: fields.checklist.optional(),
    reminders: fields.reminders.optional(),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'send at least one field to change')
  .openapi('ChangeTask');

const Instant = z.string().refine(isDateTime, 'must be an ISO 8601 date and time such as 2026-12-31T08:00:00Z');

export const TaskFilters = z.object({
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tag: Line(40)
    .transform((tag) => tag.toLowerCase())
    .optional(),
  list: Line(60).optional(),
  dueAfter: Instant.optional().openapi({ description: 'Due at or after this instant' }),
  dueBefore: Instant.optional().openapi({ description: 'Due before this instant' }),
  overdue: BooleanQuery.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
  sort: z
    .enum(['created', 'due', 'priority'])
    .default('created')
    .openapi({ description: 'created: newest first; due: soonest first, undated last; priority: urgent first' }),
});

const StoredReminder = z.object({
  before: z.object({ amount: z.number(), unit: z.enum(['minutes', 'hours', 'days']) }).optional(),
  at: z.string().optional(),
  fireAt: z.string().openapi({ description: 'When it is sent (UTC)' }),
});

export const TaskSchema = z
  .object({
    ...RecordMeta,
    title: z.string(),
    description: z.string().optional(),
    status: z.enum(STATUSES),
    priority: z.enum(PRIORITIES),
    dueAt: z.string().optional().openapi({ description: 'UTC; show it in timeZone' }),
    timeZone: z.string(),
    tags: z.array(z.string()),
    list: z.string().optional(),
    checklist: z.array(z.object({ text: z.string(), done: z.boolean() })),
    reminders: z.array(StoredReminder),
    completedAt: z.string().optional(),
  })
  .openapi('Task');

export type StoredReminderFields = {
  before?: { amount: number; unit: ReminderUnit };
  at?: string;
  fireAt: string;
};

export type TaskFields = {
  title: string;
  description?: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueAt?: string;
  timeZone: string;
  tags: string[];
  list?: string;
  checklist: Array<{ text: string; done: boolean }>;
  reminders: StoredReminderFields[];
  completedAt?: string;
};

export type CreateTaskInput = z.output<typeof CreateTask>;
export type ChangeTaskInput = z.output<typeof ChangeTask>;
export type TaskFilterInput = z.output<typeof TaskFilters>;
export type ReminderInputValue = z.output<typeof ReminderInput>;
