import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { conflict } from '../../platform/errors.ts';
import type { Item, Table } from '../../platform/table.ts';
import { OwnedCollection } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import { siteIndexKeys } from '../common/public.ts';
import type { CrudService } from '../common/routes.ts';
import { userPartition } from '../users/profile.ts';
import type { BookmarkFields, BookmarkFilterInput, ChangeBookmarkInput } from './model.ts';

/**
 * Bookmarks: `USER#<sub>` / `BOOKMARK#<ulid>`, newest first. One bookmark per URL per user:
 * a claim item `USER#<sub>` / `BOOKMARKURL#<sha256 of the URL>` is written in the same
 * transaction as the bookmark, so two creates of one URL cannot both succeed.
 */
export class BookmarkService
  implements CrudService<BookmarkFields, BookmarkFields, ChangeBookmarkInput, BookmarkFilterInput>
{
  private readonly bookmarks: OwnedCollection<BookmarkFields>;

  constructor(table: Table, clock: Clock) {
    this.bookmarks = new OwnedCollection<BookmarkFields>(table, clock, {
      type: 'bookmark',
      noun: 'bookmark',
      indexes: (sub, id, bookmark) => siteIndexKeys(sub, 'BOOKMARK', id, bookmark.visibility),
      claims: (sub, bookmark) => [
        {
          key: {
            PK: userPartition(sub),
            SK: `BOOKMARKURL#${createHash('sha256').update(bookmark.url).digest('base64url')}`,
          },
          taken: (holderId) =>
            conflict('BookmarkExists', `You already bookmarked ${bookmark.url} (bookmark ${holderId})`, {
              extensions: { existingId: holderId },
            }),
        },
      ],
    });
  }

  create(sub: string, input: BookmarkFields, idempotency?: IdempotentRequest) {
    return this.bookmarks.create(sub, input, idempotency);
  }

  list(sub: string, query: BookmarkFilterInput & { limit: number; cursor?: string | undefined }) {
    const { tag } = query;
    const keep = tag === undefined ? undefined : (item: Item) => (item.tags as string[]).includes(tag);
    return this.bookmarks.list(this.bookmarks.basePartition(sub), query, keep);
  }

  get(sub: string, id: string) {
    return this.bookmarks.get(sub, id);
  }

  update(sub: string, id: string, version: number | '*', change: ChangeBookmarkInput) {
    return this.bookmarks.update(sub, id, version, change);
  }

  async delete(sub: string, id: string, version: number | '*') {
    await this.bookmarks.delete(sub, id, version);
  }
}
