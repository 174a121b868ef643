/**
 * Which app an item of the single table belongs to, by the prefixes of its keys (the names the
 * apps' key modules use): for the operator's data browser and a user's data export.
 */
import type { Item } from '../../platform/table.ts';

/** Which app an item belongs to, by the prefix of its keys (the single-table design's names). */
const APP_BY_PREFIX: [RegExp, string][] = [
  [/^(TODO)#/, 'todos'],
  [/^(NOTE)#/, 'notes'],
  [/^(BOOKMARK|BOOKMARKURL)#/, 'bookmarks'],
  [/^(SITE)#/, 'sites'],
  [/^(FILE|DIR)#/, 'files'],
  [/^(PHOTO|ALBUM|PHOTOALBUM|INALBUM|SHARE|SHARETO)#/, 'photos'],
  [/^(TASK|TASKFILE|TASKVIEW|TASKSTATS|REMINDER|SCHEDULE)#/, 'tasks'],
  [/^(NOTIFICATION)#/, 'notifications'],
  [/^(APIKEY)#/, 'api-keys'],
  [/^(POST|FEED|STORYFEED|STORY|LIKE|LIKER|COMMENT|COMMENTER|FOLLOWER|FOLLOWING|BIGFOLLOW|SEEN|COUNTED)#/, 'social'],
  [/^(FEDFLOW|FEDCODE|FEDLINK|USERNAME|PROFILE|IDEMPOTENCY)(#|$)/, 'accounts'],
  [/^(AUDIT|ENTRY|HEAD)(#|$)/, 'operator'],
];

export function appOf(item: Item): string {
  const keys = [item.SK, item.PK].map(String).map((key) => key.replace(/^USER#[^#]+#?/, ''));
  for (const key of keys) {
    for (const [pattern, app] of APP_BY_PREFIX) if (pattern.test(key)) return app;
  }
  return 'other';
}
