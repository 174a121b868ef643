// What the Social screens read from the GraphQL API (schema: src/apps/social/graphql/schema.graphql)
// and the few rules every part shares: the fields asked for (fragments, so the feed, a profile and
// a post page ask for a post the same way), the screens' addresses, merging pages and live events
// without duplicates, and how counts and times are written.
import { dateTimeFormat } from '../format.ts';

/** The fields shown wherever a person appears (a post's author, a comment's, a follower). */
export interface Person {
  id: string;
  username: string | null;
  displayName: string;
  avatarUrl: string | null;
  isViewer: boolean;
}

export interface Profile extends Person {
  bio: string | null;
  followerCount: number;
  followingCount: number;
  postCount: number;
  viewerFollows: boolean;
}

export interface PostPhoto {
  id: string;
  width: number;
  height: number;
  thumbnailUrl: string;
  url: string;
}

export interface Post {
  id: string;
  author: Person;
  text: string;
  photos: PostPhoto[];
  likeCount: number;
  commentCount: number;
  viewerHasLiked: boolean;
  createdAt: string;
}

export interface Comment {
  id: string;
  postId: string;
  author: Person;
  text: string;
  createdAt: string;
}

export interface Story {
  id: string;
  text: string | null;
  photo: PostPhoto | null;
  createdAt: string;
  seen: boolean;
}

export interface StoryGroup {
  author: Person;
  stories: Story[];
  allSeen: boolean;
}

/** A cursor page: `nextToken` is absent (null) on the last one. */
export interface Connection<T> {
  items: T[];
  nextToken: string | null;
}

export const PERSON_FIELDS = 'id username displayName avatarUrl isViewer';
export const PROFILE_FIELDS = `${PERSON_FIELDS} bio followerCount followingCount postCount viewerFollows`;
const PHOTO_FIELDS = 'id width height thumbnailUrl url';
export const POST_FIELDS = `id text createdAt likeCount commentCount viewerHasLiked author { ${PERSON_FIELDS} } photos { ${PHOTO_FIELDS} }`;
export const COMMENT_FIELDS = `id postId text createdAt author { ${PERSON_FIELDS} }`;
export const STORY_GROUP_FIELDS = `author { ${PERSON_FIELDS} } allSeen stories { id text createdAt seen photo { ${PHOTO_FIELDS} } }`;

/** What the API takes, also checked here so the buttons can say so before sending. */
export const POST_MAX = 2200;
export const COMMENT_MAX = 1000;
export const STORY_MAX = 500;
export const PHOTOS_PER_POST = 4;

export const SOCIAL_HOME = '/social';
export const postPath = (id: string) => `/social/post/${encodeURIComponent(id)}`;
/** A profile's address: by username where there is one (readable), else by id. */
export const profilePath = (person: Pick<Person, 'id' | 'username'>) =>
  `/social/u/${encodeURIComponent(person.username ?? person.id)}`;

/** `items` with `more` added; one already there is replaced, not repeated. */
export function mergeById<T extends { id: string }>(items: T[], more: T[], at: 'start' | 'end' = 'end'): T[] {
  const incoming = new Map(more.map((item) => [item.id, item]));
  const kept = items.map((item) => incoming.get(item.id) ?? item);
  const known = new Set(items.map((item) => item.id));
  const added = more.filter((item) => !known.has(item.id));
  return at === 'start' ? [...added, ...kept] : [...kept, ...added];
}

/** Comments oldest first, whichever way they came (a page, the form, the live feed). */
export const byCreation = <T extends { id: string; createdAt: string }>(a: T, b: T) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

const numberFormat = new Intl.NumberFormat();

/** `1 like`, `1,204 likes`. */
export const countOf = (count: number, one: string, many: string) =>
  `${numberFormat.format(count)} ${count === 1 ? one : many}`;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** "now", "5 min. ago", "3 hr. ago" within a day; the date and time after that. */
export function whenText(iso: string, now = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const minutes = Math.round((now - then) / 60_000);
  if (minutes < 1) return relative.format(0, 'second');
  if (minutes < 60) return relative.format(-minutes, 'minute');
  if (minutes < 24 * 60) return relative.format(-Math.round(minutes / 60), 'hour');
  return dateTimeFormat.format(new Date(iso));
}
