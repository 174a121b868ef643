import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { conflict } from '../../platform/errors.ts';
import type { Table } from '../../platform/table.ts';
import { OwnedCollection } from '../common/collection.ts';
import { siteIndexKeys } from '../common/public.ts';
import { hasTag, RecordService } from '../common/record-service.ts';
import { userPartition } from '../users/profile.ts';
import type { BookmarkFields, BookmarkFilterInput, ChangeBookmarkInput } from './model.ts';

/**
 * Bookmarks: `USER#<sub>` / `BOOKMARK#<ulid>`, newest first. One bookmark per URL per user:
 * a claim item `USER#<sub>` / `BOOKMARKURL#<sha256 of the URL>` is written in the same
 * transaction as the bookmark, so two creates of one URL cannot both succeed.
 */
export class BookmarkService extends RecordService<BookmarkFields, ChangeBookmarkInput, BookmarkFilterInput> {
  constructor(table: Table, clock: Clock) {
    super(
      new OwnedCollection<BookmarkFields>(table, clock, {
        type: 'bookmark',
        noun: 'bookmark',
        indexes: (sub, id, bookmark) => siteIndexKeys(sub, 'BOOKMARK', id, bookmark.visibility),
        claims: (sub, bookmark) => [
          {
            key: { PK: userPartition(sub), SK: `BOOKMARKURL#${sha256(bookmark.url)}` },
            taken: (holderId) =>
              conflict('BookmarkExists', `You already bookmarked ${bookmark.url} (bookmark ${holderId})`, {
                extensions: { existingId: holderId },
              }),
          },
        ],
      }),
    );
  }

  list(sub: string, query: BookmarkFilterInput & { limit: number; cursor?: string | undefined }) {
    return this.records.list(this.records.basePartition(sub), query, hasTag(query.tag));
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
