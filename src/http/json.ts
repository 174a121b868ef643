import type { Context } from 'hono';
import type { AppEnv } from './context.ts';

/**
 * JSON bodies that reuse work across requests. Records from the read cache are frozen and shared
 * (see `OwnedCollection.view`), so the text of each is made once and kept while the record lives;
 * a list page is then mostly a join of texts already made. Measured: serialising a 20-record page
 * was the largest single cost of the to-do list route after the socket writes (bench/README.md).
 */

const texts = new WeakMap<object, string>();

/** `JSON.stringify(value)`, remembered for frozen objects (which cannot change). */
export function jsonText(value: unknown): string {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

/** A page `{ items, nextCursor? }` as JSON text, with each frozen item's text reused. */
export function pageText(page: { items: readonly unknown[]; nextCursor?: string | undefined }): string {
  const items = page.items.map(jsonText).join(',');
  return page.nextCursor === undefined
    ? `{"items":[${items}]}`
    : `{"items":[${items}],"nextCursor":${JSON.stringify(page.nextCursor)}}`;
}

const JSON_CONTENT = { 'Content-Type': 'application/json' } as const;

/** `c.json(record, 200)` for a record that may be shared: its text is made once. */
export function recordJson<T extends object>(c: Context<AppEnv>, record: T) {
  return c.body(jsonText(record), 200, JSON_CONTENT) as unknown as ReturnType<typeof c.json<T, 200>>;
}

/** `c.json(page, 200)` for a page of records that may be shared. */
export function pageJson<T extends { items: readonly object[]; nextCursor?: string | undefined }>(
  c: Context<AppEnv>,
  page: T,
) {
  return c.body(pageText(page), 200, JSON_CONTENT) as unknown as ReturnType<typeof c.json<T, 200>>;
}
