/**
 * The social app's table keys. Each access pattern is one query or one batch of gets on a key
 * below; `README.md` beside this file lists them. Ids are ULIDs, so key order is time order.
 */
import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';

export { profileKey, usernameKey, userPartition } from '../users/profile.ts';

export const postPartition = (postId: string): string => `POST#${postId}`;
/** The post itself, with its counts: one get reads a post. */
export const postKey = (postId: string): Key => ({ PK: postPartition(postId), SK: 'METADATA' });
/** The author's list of posts (newest first by reversing the query). */
export const POST_REF_PREFIX = 'POST#';
export const postRefKey = (authorId: string, postId: string): Key => ({
  PK: userPartition(authorId),
  SK: `${POST_REF_PREFIX}${postId}`,
});

export const LIKE_PREFIX = 'LIKE#USER#';
export const likeKey = (postId: string, sub: string): Key => ({
  PK: postPartition(postId),
  SK: `${LIKE_PREFIX}${sub}`,
});
/** GSI1: the posts a user likes, so a deleted account's likes can be found and taken back. */
export const likerPartition = (sub: string): string => `LIKER#${sub}`;

export const COMMENT_PREFIX = 'COMMENT#';
export const commentKey = (postId: string, commentId: string): Key => ({
  PK: postPartition(postId),
  SK: `${COMMENT_PREFIX}${commentId}`,
});
/** GSI1: a user's comments, for a deleted account. */
export const commenterPartition = (sub: string): string => `COMMENTER#${sub}`;

export const FOLLOWING_PREFIX = 'FOLLOWING#';
export const FOLLOWER_PREFIX = 'FOLLOWER#';
/** Who `follower` follows: in the follower's partition. */
export const followingKey = (follower: string, target: string): Key => ({
  PK: userPartition(follower),
  SK: `${FOLLOWING_PREFIX}${target}`,
});
/** Who follows `target`: in the target's partition, so fan-out reads one partition. */
export const followerKey = (target: string, follower: string): Key => ({
  PK: userPartition(target),
  SK: `${FOLLOWER_PREFIX}${follower}`,
});
/**
 * Marks that `follower` follows a big account (one whose posts are not fanned out): the feed
 * read merges the posts of each such account, and these markers say which ones.
 */
export const BIG_FOLLOW_PREFIX = 'BIGFOLLOW#';
export const bigFollowKey = (follower: string, author: string): Key => ({
  PK: userPartition(follower),
  SK: `${BIG_FOLLOW_PREFIX}${author}`,
});

export const feedPartition = (sub: string): string => `FEED#${sub}`;
export const FEED_PREFIX = 'POST#';
export const feedKey = (sub: string, postId: string): Key => ({
  PK: feedPartition(sub),
  SK: `${FEED_PREFIX}${postId}`,
});

export const STORY_PREFIX = 'STORY#';
export const storyKey = (authorId: string, storyId: string): Key => ({
  PK: userPartition(authorId),
  SK: `${STORY_PREFIX}${storyId}`,
});
/** Stories fanned out like posts, with the story's expiry as their TTL. */
export const storyFeedPartition = (sub: string): string => `STORYFEED#${sub}`;
export const storyFeedKey = (sub: string, storyId: string): Key => ({
  PK: storyFeedPartition(sub),
  SK: `${STORY_PREFIX}${storyId}`,
});
export const seenKey = (viewer: string, storyId: string): Key => ({ PK: userPartition(viewer), SK: `SEEN#${storyId}` });

/** Marks a stream record as counted, so a redelivered record is not counted twice. */
export const countedKey = (eventId: string): Key => ({ PK: `COUNTED#${eventId}`, SK: 'COUNTED' });

/** The id after a key's prefix. */
export const idAfter = (sk: string, prefix: string): string => sk.slice(prefix.length);
