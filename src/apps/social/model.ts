/**
 * What the social app accepts, checked before anything is written. GraphQL checks the types;
 * these check the values, and a refusal names the argument and what to fix.
 */
import { z } from 'zod';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { SORTABLE_ID } from '../common/ids.ts';
import { noControlCharactersInText } from '../common/model.ts';

export const MAX_POST_CHARACTERS = 2200;
export const MAX_POST_PHOTOS = 4;
export const MAX_COMMENT_CHARACTERS = 1000;
export const MAX_STORY_CHARACTERS = 500;
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 50;

/** Characters as people count them (code points), after NFC: an emoji is one. */
const characters = (value: string) => [...value].length;

const Text = (max: number) =>
  z
    .string()
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .refine((value) => characters(value) <= max, `must be at most ${max.toLocaleString('en')} characters`)
        .refine(noControlCharactersInText, 'must not contain control characters'),
    );

export const Id = (what: string) => z.string().regex(SORTABLE_ID, `must be the id of a ${what}`);
/** Account ids are the identity provider's `sub`: a UUID. */
export const UserId = z.string().regex(/^[0-9a-f-]{36}$/i, 'must be the id of an account');

export const CreatePostInput = z
  .object({
    text: Text(MAX_POST_CHARACTERS),
    photoIds: z
      .array(Id('photo'))
      .max(MAX_POST_PHOTOS, `may hold at most ${MAX_POST_PHOTOS} photos`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name a photo twice')
      .nullish()
      .transform((ids) => ids ?? []),
  })
  .refine((post) => post.text !== '' || post.photoIds.length > 0, {
    message: 'a post needs text, photos, or both',
    path: ['text'],
  });

export const CommentText = Text(MAX_COMMENT_CHARACTERS).refine((text) => text !== '', 'must not be empty');

export const CreateStoryInput = z
  .object({
    text: Text(MAX_STORY_CHARACTERS)
      .nullish()
      .transform((text) => text || undefined),
    photoId: Id('photo')
      .nullish()
      .transform((id) => id ?? undefined),
  })
  .refine((story) => story.text !== undefined || story.photoId !== undefined, {
    message: 'a story needs text, a photo, or both',
    path: ['text'],
  });

export const PageArgs = z.object({
  limit: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_PAGE, `must be at most ${MAX_PAGE}`)
    .nullish()
    .transform((limit) => limit ?? DEFAULT_PAGE),
  nextToken: z
    .string()
    .max(2048)
    .nullish()
    .transform((token) => token ?? undefined),
});
export type PageArgs = z.output<typeof PageArgs>;

/** Parses `value` with `schema`; a refusal is a 400 naming each bad argument. */
export function parseArgs<T extends z.ZodType>(schema: T, value: unknown, argument: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields: FieldProblem[] = parsed.error.issues.map((issue) => ({
    field: [argument, ...issue.path].join('.'),
    message: issue.message,
  }));
  const detail = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
  return badInput(detail, fields);
}

function badInput(detail: string, fields: FieldProblem[]): never {
  throw new AppError(400, 'BadInput', detail, { fields });
}
