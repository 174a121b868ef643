import { z } from '@hono/zod-openapi';
import { BooleanQuery, Line, RecordMeta, Tags, Text, Visibility } from '../common/model.ts';

export const NOTE_BODY_MAX_BYTES = 100 * 1024;

const fields = {
  title: Line(200).openapi({ example: 'Reading list' }),
  body: Text(NOTE_BODY_MAX_BYTES).openapi({ description: 'Markdown, up to 100 KB', example: '# Books\n\n- Dune' }),
  tags: Tags,
  pinned: z.boolean(),
  visibility: Visibility,
};

export const CreateNote = z
  .object({
    title: fields.title,
    body: fields.body.default(''),
    tags: fields.tags.default([]),
    pinned: fields.pinned.default(false),
    visibility: fields.visibility.default('private'),
  })
  .strict()
  .openapi('CreateNote');

export const ChangeNote = z
  .object({
    title: fields.title.optional(),
    body: fields.body.optional(),
    tags: fields.tags.optional(),
    pinned: fields.pinned.optional(),
    visibility: fields.visibility.optional(),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'send at least one field to change')
  .openapi('ChangeNote');

export const NoteFilters = z.object({
  tag: Line(40)
    .transform((tag) => tag.toLowerCase())
    .optional(),
  pinned: BooleanQuery.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
});

export const NoteSchema = z
  .object({
    ...RecordMeta,
    title: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    pinned: z.boolean(),
    visibility: Visibility,
  })
  .openapi('Note');

export type NoteFields = z.output<typeof CreateNote>;
export type ChangeNoteInput = z.output<typeof ChangeNote>;
export type NoteFilterInput = z.output<typeof NoteFilters>;
