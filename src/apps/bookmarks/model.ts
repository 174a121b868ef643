import { z } from '@hono/zod-openapi';
import { Line, RecordMeta, Tags, Text, Visibility } from '../common/model.ts';

export const URL_MAX = 2048;

/**
 * An http(s) URL in one canonical form, so the same page is one bookmark: the WHATWG parser
 * lower-cases the scheme and host, punycodes the host, drops a default port and
 * percent-encodes the path; the fragment (a place within the page) is dropped too.
 */
export function normaliseUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || !url.hostname) return undefined;
  url.hash = '';
  return url.href;
}

export const BookmarkUrl = z
  .string()
  .max(URL_MAX, `must be at most ${URL_MAX} characters`)
  .transform((value, ctx) => {
    const url = normaliseUrl(value);
    if (url === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL without a user name or password' });
      return z.NEVER;
    }
    return url;
  })
  .openapi({ type: 'string', format: 'uri', example: 'https://example.com/article' });

const fields = {
  url: BookmarkUrl,
  title: Line(300).openapi({ example: 'A good article' }),
  description: Text(4096),
  tags: Tags,
  visibility: Visibility,
};

export const CreateBookmark = z
  .object({
    url: fields.url,
    title: fields.title,
    description: fields.description.default(''),
    tags: fields.tags.default([]),
    visibility: fields.visibility.default('private'),
  })
  .strict()
  .openapi('CreateBookmark');

export const ChangeBookmark = z
  .object({
    url: fields.url.optional(),
    title: fields.title.optional(),
    description: fields.description.optional(),
    tags: fields.tags.optional(),
    visibility: fields.visibility.optional(),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, 'send at least one field to change')
  .openapi('ChangeBookmark');

export const BookmarkFilters = z.object({
  tag: Line(40)
    .transform((tag) => tag.toLowerCase())
    .optional(),
});

export const BookmarkSchema = z
  .object({
    ...RecordMeta,
    url: z.string(),
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    visibility: Visibility,
  })
  .openapi('Bookmark');

export type BookmarkFields = z.output<typeof CreateBookmark>;
export type ChangeBookmarkInput = z.output<typeof ChangeBookmark>;
export type BookmarkFilterInput = z.output<typeof BookmarkFilters>;
