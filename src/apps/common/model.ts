import { z } from '@hono/zod-openapi';
import { SORTABLE_ID } from './ids.ts';

/** No control characters at all: for names, keys and other one-word values. */
export const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);
/** No control characters but tab and line breaks: for titles and texts. */
export const noControlCharactersInText = (value: string) =>
  !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value);
const noLineBreaks = (value: string) => !/[\r\n\u2028\u2029]/.test(value);

/** A one-line text: trimmed, NFC-normalised, no control characters. */
export const Line = (max: number) =>
  z
    .string()
    .trim()
    .transform((value) => value.normalize('NFC'))
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        .refine(noControlCharactersInText, 'must not contain control characters')
        .refine(noLineBreaks, 'must be one line'),
    );

/** A multi-line text (line breaks and tabs allowed), limited in UTF-8 bytes as storage is. */
export const Text = (maxBytes: number) =>
  z
    .string()
    .transform((value) => value.normalize('NFC'))
    .pipe(
      z
        .string()
        .refine((value) => Buffer.byteLength(value) <= maxBytes, `must be at most ${maxBytes / 1024} KB`)
        .refine(noControlCharactersInText, 'must not contain control characters'),
    );

export const MAX_TAGS = 20;
/** Tags: lower-cased, unique, in the order given. */
export const Tags = z
  .array(Line(40).transform((tag) => tag.toLowerCase()))
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags)])
  .openapi({ example: ['home', 'errands'] });

export const Visibility = z.enum(['private', 'public']);

/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20)
    .openapi({ type: 'integer', example: 20 }),
  cursor: z.string().max(2048).optional().openapi({ description: 'The nextCursor of the previous page' }),
});

export const IdParam = z.object({
  id: z
    .string()
    .regex(SORTABLE_ID, 'must be an id returned by this API')
    .openapi({ param: { name: 'id', in: 'path' }, example: '01jd3k9v2x8q4m7n5p6r0s1t2w' }),
});

/** The bookkeeping every record carries. */
export const RecordMeta = {
  id: z.string(),
  version: z.number().int().openapi({ description: 'Send as If-Match: "<version>" to update or delete' }),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const BooleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

/** A file's name as a person gave it: one line, no slashes. */
export const Filename = Line(255)
  .refine(noControlCharacters, 'must not contain control characters')
  .refine((name) => !/[/\\]/.test(name), 'must be a file name without slashes')
  .openapi({ example: 'IMG_0042.jpg' });

/** Where and how to send an upload's bytes (a pre-signed PUT or POST). */
export const PresignedUploadSchema = z
  .object({
    url: z.string(),
    method: z.enum(['PUT', 'POST']),
    headers: z.record(z.string(), z.string()),
    fields: z.record(z.string(), z.string()).optional(),
    expiresAt: z.string(),
  })
  .openapi('PresignedUpload');
