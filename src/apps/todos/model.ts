import { z } from '@hono/zod-openapi';
import { BooleanQuery, Line, RecordMeta, Tags, Text } from '../common/model.ts';

export const TITLE_MAX = 500;
export const NOTES_MAX_BYTES = 10 * 1024;

/** A calendar date: to-dos are due on a day, in the user's own time zone. */
const DueDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-31')
  .refine(
    (value) =>
      !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    'is not a real date',
  )
  .openapi({ example: '2026-12-31' });

const fields = {
  title: Line(TITLE_MAX).openapi({ example: 'Buy oat milk' }),
  notes: Text(NOTES_MAX_BYTES),
  done: z.boolean(),
  dueDate: DueDate,
  tags: Tags,
};

export const CreateTodo = z
  .object({
    title: fields.title,
    notes: fields.notes.optional(),
    done: fields.done.default(false),
    dueDate: fields.dueDate.optional(),
    tags: fields.tags.default([]),
  })
  .strict()
  .openapi('CreateTodo');

/** `null` clears an optional field. */
export const ChangeTodo = z
  .object({
    title: fields.title.optional(),
    notes: fields.notes.nullable().optional(),
    done: fields.done.optional(),
    dueDate: fields.dueDate.nullable().optional(),
    tags: fields.tags.optional(),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'send at least one field to change')
  .openapi('ChangeTodo');

export const TodoFilters = z.object({
  done: BooleanQuery.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
  tag: Line(40)
    .transform((tag) => tag.toLowerCase())
    .optional(),
});

export const TodoSchema = z
  .object({
    ...RecordMeta,
    title: z.string(),
    notes: z.string().optional(),
    done: z.boolean(),
    dueDate: z.string().optional(),
    tags: z.array(z.string()),
  })
  .openapi('Todo');

export type TodoFields = {
  title: string;
  notes?: string;
  done: boolean;
  dueDate?: string;
  tags: string[];
};
export type CreateTodoInput = z.output<typeof CreateTodo>;
export type ChangeTodoInput = z.output<typeof ChangeTodo>;
export type TodoFilterInput = z.output<typeof TodoFilters>;
