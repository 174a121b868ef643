/**
 * The social app's use cases. Writes touch only the items the caller owns or is allowed to
 * touch, in one conditional transaction each; everything derived from them (counts, feeds,
 * cleanup after a deletion) is done by the stream handlers in `events.ts`, at least once and
 * idempotently, the same on one machine and on AWS.
 */
import type { Clock } from '../../platform/clock.ts';
import { epochSeconds } from '../../platform/clock.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import type { LivePublisher } from '../../platform/live.ts';
import {
  ConditionFailedError,
  type Item,
  type Key,
  type Table,
  TransactionCanceledError,
  when,
} from '../../platform/table.ts';
import { newSortableId } from '../common/ids.ts';
import type { PhotoService } from '../photos/service.ts';
import {
  COMMENT_PREFIX,
  commenterPartition,
  commentKey,
  FOLLOWER_PREFIX,
  FOLLOWING_PREFIX,
  followerKey,
  followingKey,
  idAfter,
  LIKE_PREFIX,
  likeKey,
  likerPartition,
  POST_REF_PREFIX,
  postKey,
  postPartition,
  postRefKey,
  profileKey,
  STORY_PREFIX,
  seenKey,
  storyKey,
  usernameKey,
  userPartition,
} from './keys.ts';
import type { PageArgs } from './model.ts';

export const STORY_SECONDS = 24 * 3600;

/** A post photo as stored on the post: enough to sign its renditions' URLs without reading the photo. */
export interface StoredPhoto {
  id: string;
  width: number;
  height: number;
  renditionsVersion: string;
}

export interface Paged<T> {
  items: T[];
  nextToken?: string;
}

export class SocialService {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly photos: PhotoService,
    private readonly live: LivePublisher,
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  // ------------------------------------------------------------------ posts

  async createPost(sub: string, input: { text: string; photoIds: string[] }): Promise<Item> {
    const photos = await this.readyPhotos(sub, input.photoIds, 'input.photoIds');
    const id = newSortableId(this.clock);
    const createdAt = this.now();
    const post: Item = {
      ...postKey(id),
      type: 'post',
      id,
      authorId: sub,
      text: input.text,
      photos: photos.map((photo) => ({ ...photo })),
      likeCount: 0,
      commentCount: 0,
      createdAt,
    };
    await this.table.transact([
      { put: post, condition: when.notExists() },
      { put: { ...postRefKey(sub, id), type: 'postRef', postId: id, createdAt }, condition: when.notExists() },
    ]);
    return post;
  }

  /** The caller's own photos, processed and ready, in the order given. */
  private async readyPhotos(sub: string, ids: string[], field: string): Promise<StoredPhoto[]> {
    if (ids.length === 0) return [];
    const found = await this.photos.many(sub, ids);
    return ids.map((id, index) => {
      const photo = found.get(id);
      if (!photo) {
        throw badRequest('UnknownPhoto', `${field}.${index}: there is no photo ${id} in your library`);
      }
      if (photo.status !== 'ready' || !photo.renditionsVersion) {
        throw new AppError(422, 'PhotoNotReady', `${field}.${index}: photo ${id} is ${photo.status}, not ready yet`);
      }
      return {
        id,
        width: photo.width as number,
        height: photo.height as number,
        renditionsVersion: photo.renditionsVersion,
      };
    });
  }

  async deletePost(sub: string, id: string): Promise<void> {
    const post = await this.requirePost(id);
    if (post.authorId !== sub) throw forbidden('Only its author may delete a post');
    try {
      await this.table.transact([
        { delete: postKey(id), condition: when.equals('authorId', sub) },
        { delete: postRefKey(sub, id) },
      ]);
    } catch (error) {
      if (error instanceof TransactionCanceledError) throw notFound(`There is no post ${id}`);
      throw error;
    }
  }

  async requirePost(id: string): Promise<Item> {
    const post = await this.table.get(postKey(id));
    if (!post) throw notFound(`There is no post ${id}`);
    return post;
  }

  /** An author's posts, newest first. */
  async postIdsBy(authorId: string, page: PageArgs): Promise<Paged<string>> {
    return this.pageOf(
      { partition: userPartition(authorId), sort: { beginsWith: POST_REF_PREFIX }, reverse: true },
      page,
      (item) => idAfter(item.SK, POST_REF_PREFIX),
    );
  }

  // ------------------------------------------------------------------ likes

  /** Idempotent: a like that exists stays as it is (and is counted once). */
  async like(sub: string, postId: string): Promise<void> {
    try {
      await this.table.transact([
        { check: postKey(postId), condition: when.exists() },
        {
          put: {
            ...likeKey(postId, sub),
            type: 'like',
            sub,
            postId,
            createdAt: this.now(),
            GSI1PK: likerPartition(sub),
            GSI1SK: postId,
          },
          condition: when.notExists(),
        },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCanceledError)) throw error;
      if (error.reasons[0] === 'ConditionalCheckFailed') throw notFound(`There is no post ${postId}`);
    }
  }

  async unlike(sub: string, postId: string): Promise<void> {
    await this.requirePost(postId);
    await this.deleteIfPresent(likeKey(postId, sub));
  }

  /** Who likes a post, in account-id order. */
  async likerIds(postId: string, page: PageArgs): Promise<Paged<string>> {
    return this.pageOf({ partition: postPartition(postId), sort: { beginsWith: LIKE_PREFIX } }, page, (item) =>
      idAfter(item.SK, LIKE_PREFIX),
    );
  }

  // ------------------------------------------------------------------ comments

  async addComment(sub: string, postId: string, text: string): Promise<Item> {
    const id = newSortableId(this.clock);
    const comment: Item = {
      ...commentKey(postId, id),
      type: 'comment',
      id,
      postId,
      authorId: sub,
      text,
      createdAt: this.now(),
      GSI1PK: commenterPartition(sub),
      GSI1SK: `${postId}#${id}`,
    };
    try {
      await this.table.transact([
        { check: postKey(postId), condition: when.exists() },
        { put: comment, condition: when.notExists() },
      ]);
    } catch (error) {
      if (error instanceof TransactionCanceledError) throw notFound(`There is no post ${postId}`);
      throw error;
    }
    await this.live.publish({ type: 'commentAdded', postId, commentId: id });
    return comment;
  }

  /** The comment's author, or the post's author, may delete it. */
  async deleteComment(sub: string, postId: string, id: string): Promise<void> {
    const comment = await this.table.get(commentKey(postId, id));
    if (!comment) throw notFound(`There is no comment ${id} on post ${postId}`);
    if (comment.authorId !== sub) {
      const post = await this.table.get(postKey(postId));
      if (post?.authorId !== sub) {
        throw forbidden('You may delete your own comments, and any comment on your own posts');
      }
    }
    await this.deleteIfPresent(commentKey(postId, id));
  }

  /** A post's comments, oldest first. */
  async comments(postId: string, page: PageArgs): Promise<Paged<Item>> {
    return this.pageOf(
      { partition: postPartition(postId), sort: { beginsWith: COMMENT_PREFIX } },
      page,
      (item) => item,
    );
  }

  // ------------------------------------------------------------------ follows

  /** Idempotent; following yourself is refused. */
  async follow(sub: string, target: string): Promise<void> {
    if (target === sub) throw badRequest('CannotFollowSelf', 'userId: you cannot follow yourself');
    const createdAt = this.now();
    try {
      await this.table.transact([
        { check: profileKey(target), condition: when.exists() },
        {
          put: { ...followingKey(sub, target), type: 'following', followerId: sub, targetId: target, createdAt },
          condition: when.notExists(),
        },
        { put: { ...followerKey(target, sub), type: 'follower', followerId: sub, targetId: target, createdAt } },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCanceledError)) throw error;
      if (error.reasons[0] === 'ConditionalCheckFailed') throw notFound(`There is no account ${target}`);
    }
  }

  async unfollow(sub: string, target: string): Promise<void> {
    if (target === sub) throw badRequest('CannotFollowSelf', 'userId: you cannot unfollow yourself');
    try {
      await this.table.transact([
        { delete: followingKey(sub, target), condition: when.exists() },
        { delete: followerKey(target, sub) },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCanceledError)) throw error;
    }
  }

  async followerIds(sub: string, page: PageArgs): Promise<Paged<string>> {
    return this.pageOf({ partition: userPartition(sub), sort: { beginsWith: FOLLOWER_PREFIX } }, page, (item) =>
      idAfter(item.SK, FOLLOWER_PREFIX),
    );
  }

  async followingIds(sub: string, page: PageArgs): Promise<Paged<string>> {
    return this.pageOf({ partition: userPartition(sub), sort: { beginsWith: FOLLOWING_PREFIX } }, page, (item) =>
      idAfter(item.SK, FOLLOWING_PREFIX),
    );
  }

  // ------------------------------------------------------------------ profiles

  async profileIdByUsername(username: string): Promise<string | undefined> {
    const claim = await this.table.get(usernameKey(username.trim().toLowerCase()));
    return typeof claim?.holderId === 'string' ? claim.holderId : undefined;
  }

  // ------------------------------------------------------------------ stories

  async createStory(sub: string, input: { text?: string | undefined; photoId?: string | undefined }): Promise<Item> {
    const [photo] = await this.readyPhotos(sub, input.photoId ? [input.photoId] : [], 'input.photoId');
    const id = newSortableId(this.clock);
    const now = epochSeconds(this.clock);
    const story: Item = {
      ...storyKey(sub, id),
      type: 'story',
      id,
      authorId: sub,
      ...(input.text ? { text: input.text } : {}),
      ...(photo ? { photo: { ...photo } } : {}),
      createdAt: this.now(),
      expiresAt: new Date((now + STORY_SECONDS) * 1000).toISOString(),
      ttl: now + STORY_SECONDS,
    };
    await this.table.put(story, { condition: when.notExists() });
    return story;
  }

  async deleteStory(sub: string, id: string): Promise<void> {
    const story = await this.table.get(storyKey(sub, id));
    if (!story) throw notFound(`You have no story ${id}`);
    await this.deleteIfPresent(storyKey(sub, id));
  }

  /** The viewer may mark a story seen if it is theirs or they follow its author. */
  async markStorySeen(viewer: string, authorId: string, id: string): Promise<void> {
    const [story, follows] = await Promise.all([
      this.table.get(storyKey(authorId, id)),
      authorId === viewer ? Promise.resolve(true) : this.table.get(followingKey(viewer, authorId)).then(Boolean),
    ]);
    if (!story || !follows) throw notFound(`There is no story ${id} of ${authorId} that you can see`);
    await this.table.put({ ...seenKey(viewer, id), type: 'seen', storyId: id, ttl: story.ttl as number });
  }

  /** An author's active stories, oldest first (expired ones are hidden by their TTL). */
  async storiesOf(authorId: string): Promise<Item[]> {
    const page = await this.table.query({
      partition: userPartition(authorId),
      sort: { beginsWith: STORY_PREFIX },
      limit: 200,
    });
    return page.items;
  }

  // ------------------------------------------------------------------ shared

  private async pageOf<T>(
    query: { partition: string; sort: { beginsWith: string }; reverse?: boolean },
    page: PageArgs,
    map: (item: Item) => T,
  ): Promise<Paged<T>> {
    const result = await this.table.query({
      ...query,
      limit: page.limit,
      ...(page.nextToken ? { cursor: page.nextToken } : {}),
    });
    return { items: result.items.map(map), ...(result.cursor ? { nextToken: result.cursor } : {}) };
  }

  private async deleteIfPresent(key: Key): Promise<void> {
    try {
      await this.table.delete(key, { condition: when.exists() });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
}
