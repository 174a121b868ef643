/**
 * The social app's stream handlers: what follows from each write, done after it, at least once.
 *
 * - `countSocialChanges` keeps the counts (posts, followers, following, likes, comments). Each
 *   record is counted in one transaction with a marker named after the record's event id, so a
 *   redelivered record is not counted twice; the count is the number of items that exist.
 * - `spreadSocialChanges` fans posts and stories out to followers' feeds, backfills a feed on
 *   follow and empties it on unfollow, and cleans up after deletions (a post's likes and
 *   comments, a deleted account's likes, comments and follows).
 *
 * Every step is idempotent (puts and deletes of known keys), so redelivery is harmless.
 */

import type { Clock } from '../../platform/clock.ts';
import { epochSeconds } from '../../platform/clock.ts';
import type { LivePublisher } from '../../platform/live.ts';
import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import {
  ConditionFailedError,
  type Item,
  type Key,
  type QueryInput,
  type Table,
  TransactionCanceledError,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import {
  bigFollowKey,
  COMMENT_PREFIX,
  commenterPartition,
  countedKey,
  FOLLOWER_PREFIX,
  FOLLOWING_PREFIX,
  feedKey,
  feedPartition,
  followerKey,
  followingKey,
  idAfter,
  LIKE_PREFIX,
  likerPartition,
  POST_REF_PREFIX,
  postKey,
  postPartition,
  profileKey,
  STORY_PREFIX,
  storyFeedKey,
  storyFeedPartition,
  userPartition,
} from './keys.ts';

export interface FanOutOptions {
  /** Accounts with at least this many followers are merged at read time instead of fanned out. */
  fanOutLimit: number;
  /** How many of an account's newest posts a new follower's feed receives. */
  backfillPosts: number;
}

export const defaultFanOut: FanOutOptions = { fanOutLimit: 10_000, backfillPosts: 50 };

/** Markers live past DynamoDB Streams' 24 hours of retention: no record comes back after that. */
const MARKER_SECONDS = 2 * 24 * 3600;

type Kind = 'post' | 'postRef' | 'like' | 'comment' | 'following' | 'follower' | 'story' | 'profile';

/** What a change is about, from its keys alone (the images may be absent or partial). */
function kindOf({ PK, SK }: Key): Kind | undefined {
  if (PK.startsWith('POST#')) {
    if (SK === 'METADATA') return 'post';
    if (SK.startsWith(LIKE_PREFIX)) return 'like';
    if (SK.startsWith(COMMENT_PREFIX)) return 'comment';
    return undefined;
  }
  if (!PK.startsWith('USER#')) return undefined;
  if (SK === 'PROFILE') return 'profile';
  if (SK.startsWith(POST_REF_PREFIX)) return 'postRef';
  if (SK.startsWith(FOLLOWING_PREFIX)) return 'following';
  if (SK.startsWith(FOLLOWER_PREFIX)) return 'follower';
  if (SK.startsWith(STORY_PREFIX)) return 'story';
  return undefined;
}

const subOf = (partition: string) => partition.slice('USER#'.length);
const postIdOf = (partition: string) => partition.slice('POST#'.length);

// ------------------------------------------------------------------ counts

export function countSocialChanges(
  table: Table,
  clock: Clock,
  live: LivePublisher,
  options: FanOutOptions = defaultFanOut,
): StreamHandler {
  const counts = new Counts(table, clock);
  return {
    name: 'social.count-changes',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        const { Keys } = record.dynamodb;
        const kind = kindOf(Keys);
        const step = record.eventName === 'INSERT' ? 1 : record.eventName === 'REMOVE' ? -1 : 0;
        if (!kind || step === 0) return;
        switch (kind) {
          case 'postRef':
            return counts.add(record, [[profileKey(subOf(Keys.PK)), 'postCount', step]]);
          case 'comment':
            return counts.add(record, [[postKey(postIdOf(Keys.PK)), 'commentCount', step]]);
          case 'like': {
            const postId = postIdOf(Keys.PK);
            await counts.add(record, [[postKey(postId), 'likeCount', step]]);
            const post = await table.get(postKey(postId), { consistent: true });
            if (post) await live.publish({ type: 'likeChanged', postId, likeCount: post.likeCount as number });
            return;
          }
          case 'following': {
            const follower = subOf(Keys.PK);
            const target = idAfter(Keys.SK, FOLLOWING_PREFIX);
            await counts.add(record, [
              [profileKey(follower), 'followingCount', step],
              [profileKey(target), 'followerCount', step],
            ]);
            if (step > 0) await promoteIfBig(table, target, options);
            return;
          }
        }
      }),
  };
}

type CountChange = [key: Key, attribute: string, amount: number];

class Counts {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  /**
   * Applies the changes once per record. A counted item that is gone (a deleted post or
   * account) is left out rather than recreated.
   */
  async add(record: ChangeRecord, changes: CountChange[]): Promise<void> {
    const marker: WriteOp = {
      put: { ...countedKey(record.eventID), ttl: epochSeconds(this.clock) + MARKER_SECONDS },
      condition: when.notExists(),
    };
    let left = changes;
    while (left.length > 0) {
      const ops: WriteOp[] = left.map(([key, attribute, amount]) => ({
        update: key,
        changes: { add: { [attribute]: amount } },
        condition: when.exists(),
      }));
      try {
        await this.table.transact([marker, ...ops]);
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledError)) throw error;
        if (error.reasons[0] === 'ConditionalCheckFailed') return; // counted before
        const gone = new Set(
          error.reasons.flatMap((reason, i) => (i > 0 && reason === 'ConditionalCheckFailed' ? [i - 1] : [])),
        );
        if (gone.size === 0) throw error;
        left = left.filter((_, i) => !gone.has(i));
      }
    }
  }
}

/**
 * An account that reaches the fan-out limit becomes big: its new posts are no longer fanned out,
 * so each follower gets a marker telling the feed read to merge its posts in. It stays big
 * (follower counts swing around the limit; switching back and forth would be work for nothing).
 */
async function promoteIfBig(table: Table, target: string, options: FanOutOptions): Promise<void> {
  const profile = await table.get(profileKey(target), { consistent: true });
  if (!profile || profile.bigAccount === true || (profile.followerCount as number) < options.fanOutLimit) return;
  await forEachFollowerPage(table, target, (followers) =>
    table.batchWrite({ puts: followers.map((sub) => ({ ...bigFollowKey(sub, target), type: 'bigFollow' })) }),
  );
  try {
    await table.update(profileKey(target), { set: { bigAccount: true } }, { condition: when.exists() });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error; // the account went meanwhile
  }
}

// ------------------------------------------------------------------ fan-out and cleanup

export function spreadSocialChanges(
  table: Table,
  live: LivePublisher,
  options: FanOutOptions = defaultFanOut,
): StreamHandler {
  const isBig = async (sub: string) => (await table.get(profileKey(sub), { consistent: true }))?.bigAccount === true;

  /** Everyone whose feed gets `author`'s posts: its followers and itself (nobody when big). */
  async function eachRecipientPage(author: string, work: (recipients: string[]) => Promise<void>) {
    await work([author]);
    if (await isBig(author)) return;
    await forEachFollowerPage(table, author, work);
  }

  async function postCreated(post: Item) {
    const id = post.id as string;
    const author = post.authorId as string;
    await eachRecipientPage(author, async (recipients) => {
      await table.batchWrite({
        puts: recipients.map((sub) => ({ ...feedKey(sub, id), type: 'feed', postId: id, authorId: author })),
      });
      await Promise.all(recipients.map((userId) => live.publish({ type: 'feedPost', userId, postId: id })));
    });
  }

  async function postDeleted(postId: string, author: string) {
    await deleteAll(table, { partition: postPartition(postId) });
    await forEachFollowerPage(table, author, (followers) =>
      table.batchWrite({ deletes: followers.map((sub) => feedKey(sub, postId)) }),
    );
    await table.delete(feedKey(author, postId));
  }

  async function followed(follower: string, target: string) {
    if (await isBig(target)) {
      await table.put({ ...bigFollowKey(follower, target), type: 'bigFollow' });
      return;
    }
    const recent = await table.query({
      partition: userPartition(target),
      sort: { beginsWith: POST_REF_PREFIX },
      reverse: true,
      limit: options.backfillPosts,
    });
    await table.batchWrite({
      puts: recent.items.map((item) => {
        const postId = idAfter(item.SK, POST_REF_PREFIX);
        return { ...feedKey(follower, postId), type: 'feed', postId, authorId: target };
      }),
    });
  }

  async function unfollowed(follower: string, target: string) {
    // Followed again since: the newer follow stands (its INSERT comes after this record).
    if (await table.get(followingKey(follower, target), { consistent: true })) return;
    // Also when `follower`'s account was deleted: the mirror item goes too.
    await table.delete(followerKey(target, follower));
    await table.delete(bigFollowKey(follower, target));
    await forEachPage(table, { partition: userPartition(target), sort: { beginsWith: POST_REF_PREFIX } }, (items) =>
      table.batchWrite({ deletes: items.map((item) => feedKey(follower, idAfter(item.SK, POST_REF_PREFIX))) }),
    );
  }

  async function storyCreated(story: Item) {
    const author = story.authorId as string;
    await eachRecipientPage(author, (recipients) =>
      table.batchWrite({
        puts: recipients
          .filter((sub) => sub !== author) // the author's own stories are read from their partition
          .map((sub) => ({
            ...storyFeedKey(sub, story.id as string),
            type: 'storyFeed',
            authorId: author,
            ttl: story.ttl as number,
          })),
      }),
    );
  }

  async function storyDeleted(record: ChangeRecord, story: Item) {
    if (record.userIdentity) return; // expired: the feed entries expire at the same time
    await forEachFollowerPage(table, story.authorId as string, (followers) =>
      table.batchWrite({ deletes: followers.map((sub) => storyFeedKey(sub, story.id as string)) }),
    );
  }

  /** A deleted account's traces outside its own partition (which the users app empties). */
  async function accountRemoved(sub: string) {
    await deleteAll(table, { index: 'GSI1', partition: likerPartition(sub) });
    await deleteAll(table, { index: 'GSI1', partition: commenterPartition(sub) });
    await deleteAll(table, { partition: feedPartition(sub) });
    await deleteAll(table, { partition: storyFeedPartition(sub) });
  }

  return {
    name: 'social.spread-changes',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        const { Keys, NewImage, OldImage } = record.dynamodb;
        const kind = kindOf(Keys);
        if (!kind) return;
        const inserted = record.eventName === 'INSERT' ? NewImage : undefined;
        const removed = record.eventName === 'REMOVE' ? OldImage : undefined;
        switch (kind) {
          case 'post':
            if (inserted) await postCreated(inserted);
            if (removed) await postDeleted(postIdOf(Keys.PK), removed.authorId as string);
            return;
          case 'postRef':
            // A post's author list entry goes with its account: the post goes with it.
            if (record.eventName === 'REMOVE') await table.delete(postKey(idAfter(Keys.SK, POST_REF_PREFIX)));
            return;
          case 'following':
            if (record.eventName === 'INSERT') await followed(subOf(Keys.PK), idAfter(Keys.SK, FOLLOWING_PREFIX));
            if (record.eventName === 'REMOVE') await unfollowed(subOf(Keys.PK), idAfter(Keys.SK, FOLLOWING_PREFIX));
            return;
          case 'follower':
            // When the followed account is deleted, its followers stop following it.
            if (record.eventName === 'REMOVE' && !(await table.get(profileKey(subOf(Keys.PK)), { consistent: true }))) {
              await table.delete(followingKey(idAfter(Keys.SK, FOLLOWER_PREFIX), subOf(Keys.PK)));
            }
            return;
          case 'story':
            if (inserted) await storyCreated(inserted);
            if (removed) await storyDeleted(record, removed);
            return;
          case 'profile':
            if (record.eventName === 'REMOVE') await accountRemoved(subOf(Keys.PK));
            return;
        }
      }),
  };
}

/** `author`'s followers, a page of ids at a time. */
function forEachFollowerPage(table: Table, author: string, work: (followers: string[]) => Promise<void>) {
  return forEachPage(table, { partition: userPartition(author), sort: { beginsWith: FOLLOWER_PREFIX } }, (items) =>
    work(items.map((item) => idAfter(item.SK, FOLLOWER_PREFIX))),
  );
}

async function forEachPage(
  table: Table,
  input: Omit<QueryInput, 'cursor' | 'limit'>,
  work: (items: Item[]) => Promise<void>,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await table.query({ ...input, limit: 100, ...(cursor ? { cursor } : {}) });
    if (page.items.length > 0) await work(page.items);
    cursor = page.cursor;
  } while (cursor);
}

/** Deletes every item a query finds (base-table keys, also when found through an index). */
async function deleteAll(table: Table, input: Omit<QueryInput, 'cursor' | 'limit'>): Promise<void> {
  await forEachPage(table, input, (items) => table.batchWrite({ deletes: items.map(({ PK, SK }) => ({ PK, SK })) }));
}
