/**
 * The resolvers: thin, each one argument check and one call to the service or the request's
 * batched loader. Objects pass between them as table items; the field resolvers below turn
 * items into the schema's shapes.
 */
import { GraphQLError } from 'graphql';
import type { Clock } from '../../../platform/clock.ts';
import { epochSeconds } from '../../../platform/clock.ts';
import { type MediaUrls, mediaExpiry } from '../../../platform/media.ts';
import type { Item } from '../../../platform/table.ts';
import { photoRenditionKey } from '../../photos/keys.ts';
import type { FeedReader } from '../feed.ts';
import { commentKey, followingKey, likeKey, postKey, profileKey } from '../keys.ts';
import { CommentText, CreatePostInput, CreateStoryInput, Id, PageArgs, parseArgs, UserId } from '../model.ts';
import type { Paged, SocialService, StoredPhoto } from '../service.ts';
import { type GraphContext, viewerOf } from './context.ts';
import type { LiveSubscriptions } from './live.ts';

export interface ResolverDeps {
  social: SocialService;
  feed: FeedReader;
  media: MediaUrls;
  clock: Clock;
  /** Only where this process serves subscriptions itself (one machine); AppSync does on AWS. */
  subscriptions?: LiveSubscriptions;
}

type Args = Record<string, unknown>;

/** The caller's id, for fields the schema already limits to signed-in users. */
function signedIn(context: GraphContext): string {
  const viewer = viewerOf(context);
  if (!viewer) throw new GraphQLError('Sign in to do this', { extensions: { code: 'UNAUTHENTICATED' } });
  return viewer;
}

const PostId = Id('post');
const CommentId = Id('comment');
const StoryId = Id('story');

export function socialResolvers(deps: ResolverDeps) {
  const { social, feed } = deps;

  const profile = async (context: GraphContext, id: string) => context.loader.load(profileKey(id));
  const profiles = async (context: GraphContext, page: Paged<string>) => ({
    items: (await Promise.all(page.items.map((id) => profile(context, id)))).filter(Boolean),
    nextToken: page.nextToken,
  });
  const posts = async (context: GraphContext, page: Paged<string>) => ({
    items: (await Promise.all(page.items.map((id) => context.loader.load(postKey(id))))).filter(Boolean),
    nextToken: page.nextToken,
  });
  const page = (args: Args) => parseArgs(PageArgs, args, 'arguments');

  const photoView = async (authorId: string, photo: StoredPhoto) => {
    const expiresAt = mediaExpiry(epochSeconds(deps.clock));
    const url = (name: string) =>
      deps.media.signed(photoRenditionKey(authorId, photo.id, photo.renditionsVersion, name), expiresAt);
    return {
      id: photo.id,
      width: photo.width,
      height: photo.height,
      thumbnailUrl: await url('s600.jpg'),
      url: await url('l1200.jpg'),
    };
  };

  const Query = {
    me: (_: unknown, __: Args, context: GraphContext) => profile(context, signedIn(context)),
    profile: (_: unknown, args: Args, context: GraphContext) => profile(context, parseArgs(UserId, args.id, 'id')),
    profileByUsername: async (_: unknown, args: Args, context: GraphContext) => {
      const id = await social.profileIdByUsername(String(args.username));
      const item = id ? await profile(context, id) : undefined;
      return item && item.username === String(args.username).trim().toLowerCase() ? item : null;
    },
    post: (_: unknown, args: Args, context: GraphContext) =>
      context.loader.load(postKey(parseArgs(PostId, args.id, 'id'))),
    feed: (_: unknown, args: Args, context: GraphContext) => feed.feed(signedIn(context), page(args), context.loader),
    stories: async (_: unknown, __: Args, context: GraphContext) => {
      const viewer = signedIn(context);
      const groups = await feed.stories(viewer, context.loader);
      const seen = await Promise.all(
        groups.map(async (group) => {
          const marks = await Promise.all(
            group.stories.map((story) => feed.seen(viewer, story.id as string, context.loader)),
          );
          return marks.every(Boolean);
        }),
      );
      // Unseen groups first, each side newest story first; the viewer's own group leads.
      return groups
        .map((group, index) => ({ ...group, allSeen: seen[index] as boolean }))
        .sort(
          (a, b) =>
            Number(b.authorId === viewer) - Number(a.authorId === viewer) ||
            Number(a.allSeen) - Number(b.allSeen) ||
            String(b.stories.at(-1)?.id).localeCompare(String(a.stories.at(-1)?.id)),
        );
    },
  };

  const Mutation = {
    createPost: (_: unknown, args: Args, context: GraphContext) =>
      social.createPost(signedIn(context), parseArgs(CreatePostInput, args.input, 'input')),
    deletePost: async (_: unknown, args: Args, context: GraphContext) => {
      const id = parseArgs(PostId, args.id, 'id');
      await social.deletePost(signedIn(context), id);
      return { id };
    },
    likePost: async (_: unknown, args: Args, context: GraphContext) => {
      const postId = parseArgs(PostId, args.postId, 'postId');
      await social.like(signedIn(context), postId);
      return { postId, liked: true };
    },
    unlikePost: async (_: unknown, args: Args, context: GraphContext) => {
      const postId = parseArgs(PostId, args.postId, 'postId');
      await social.unlike(signedIn(context), postId);
      return { postId, liked: false };
    },
    addComment: (_: unknown, args: Args, context: GraphContext) =>
      social.addComment(
        signedIn(context),
        parseArgs(PostId, args.postId, 'postId'),
        parseArgs(CommentText, args.text, 'text'),
      ),
    deleteComment: async (_: unknown, args: Args, context: GraphContext) => {
      const postId = parseArgs(PostId, args.postId, 'postId');
      const id = parseArgs(CommentId, args.id, 'id');
      await social.deleteComment(signedIn(context), postId, id);
      return { id, postId };
    },
    follow: async (_: unknown, args: Args, context: GraphContext) => {
      const target = parseArgs(UserId, args.userId, 'userId');
      await social.follow(signedIn(context), target);
      return profile(context, target);
    },
    unfollow: async (_: unknown, args: Args, context: GraphContext) => {
      const target = parseArgs(UserId, args.userId, 'userId');
      await social.unfollow(signedIn(context), target);
      return (await profile(context, target)) ?? deletedAccount(target);
    },
    createStory: (_: unknown, args: Args, context: GraphContext) =>
      social.createStory(signedIn(context), parseArgs(CreateStoryInput, args.input, 'input')),
    deleteStory: async (_: unknown, args: Args, context: GraphContext) => {
      const id = parseArgs(StoryId, args.id, 'id');
      await social.deleteStory(signedIn(context), id);
      return { id };
    },
    markStorySeen: async (_: unknown, args: Args, context: GraphContext) => {
      const id = parseArgs(StoryId, args.id, 'id');
      await social.markStorySeen(signedIn(context), parseArgs(UserId, args.authorId, 'authorId'), id);
      return { id, seen: true };
    },
    publishLikeChanged: (_: unknown, args: Args) => ({ postId: args.postId, likeCount: args.likeCount }),
    publishFeedPost: async (_: unknown, args: Args, context: GraphContext) => {
      const post = await context.loader.load(postKey(parseArgs(PostId, args.postId, 'postId')));
      return post ? { userId: args.userId, post } : null;
    },
  };

  const Profile = {
    id: (item: Item) => item.sub,
    username: (item: Item) => item.username ?? null,
    displayName: (item: Item) => item.name,
    bio: (item: Item) => attribute(item, 'bio'),
    avatarUrl: (item: Item) => attribute(item, 'profile_picture_url'),
    preferredUsername: (item: Item) => attribute(item, 'preferred_username'),
    followerCount: (item: Item) => item.followerCount ?? 0,
    followingCount: (item: Item) => item.followingCount ?? 0,
    postCount: (item: Item) => item.postCount ?? 0,
    createdAt: (item: Item) => item.createdAt ?? new Date(0).toISOString(),
    isViewer: (item: Item, _: Args, context: GraphContext) => item.sub === viewerOf(context),
    viewerFollows: async (item: Item, _: Args, context: GraphContext) => {
      const viewer = viewerOf(context);
      if (!viewer || viewer === item.sub) return false;
      return (await context.loader.load(followingKey(viewer, item.sub as string))) !== undefined;
    },
    posts: async (item: Item, args: Args, context: GraphContext) =>
      posts(context, await social.postIdsBy(item.sub as string, page(args))),
    followers: async (item: Item, args: Args, context: GraphContext) =>
      profiles(context, await social.followerIds(item.sub as string, page(args))),
    following: async (item: Item, args: Args, context: GraphContext) =>
      profiles(context, await social.followingIds(item.sub as string, page(args))),
  };

  /** An author whose account is being deleted (its posts go right after). */
  const authorOf = async (item: Item, context: GraphContext) =>
    (await profile(context, item.authorId as string)) ?? deletedAccount(item.authorId as string);

  const Post = {
    author: (item: Item, _: Args, context: GraphContext) => authorOf(item, context),
    photos: (item: Item) =>
      Promise.all(
        ((item.photos ?? []) as unknown as StoredPhoto[]).map((photo) => photoView(item.authorId as string, photo)),
      ),
    viewerHasLiked: async (item: Item, _: Args, context: GraphContext) => {
      const viewer = viewerOf(context);
      return viewer ? (await context.loader.load(likeKey(item.id as string, viewer))) !== undefined : false;
    },
    comments: (item: Item, args: Args) => social.comments(item.id as string, page(args)),
    likes: async (item: Item, args: Args, context: GraphContext) =>
      profiles(context, await social.likerIds(item.id as string, page(args))),
  };

  const Comment = { author: (item: Item, _: Args, context: GraphContext) => authorOf(item, context) };

  const Story = {
    author: (item: Item, _: Args, context: GraphContext) => authorOf(item, context),
    text: (item: Item) => item.text ?? null,
    photo: (item: Item) =>
      item.photo ? photoView(item.authorId as string, item.photo as unknown as StoredPhoto) : null,
    seen: (item: Item, _: Args, context: GraphContext) =>
      feed.seen(signedIn(context), item.id as string, context.loader),
  };

  const StoryGroup = {
    author: (group: { authorId: string }, _: Args, context: GraphContext) =>
      authorOf({ PK: '', SK: '', authorId: group.authorId }, context),
  };

  return {
    Query,
    Mutation,
    Profile,
    Post,
    Comment,
    Story,
    StoryGroup,
    ...(deps.subscriptions ? { Subscription: subscriptionResolvers(deps.subscriptions, social) } : {}),
  };
}

/** What a profile reads as while its account is being deleted (its posts and follows go right after). */
const deletedAccount = (sub: string): Item => ({ PK: '', SK: '', sub, name: 'Deleted account' });

function attribute(item: Item, name: string): string | null {
  const value = (item.attributes as Record<string, string> | undefined)?.[name];
  return value ? value : null;
}

/**
 * `@aws_subscribe` on one machine: each subscription listens to the topic its mutation publishes
 * on, and resolves the event into the subscribed shape with the subscriber's own loader (so
 * `viewerHasLiked` is the subscriber's, not the publisher's).
 */
function subscriptionResolvers(live: LiveSubscriptions, social: SocialService) {
  return {
    onCommentAdded: {
      subscribe: async (_: unknown, args: Args) => {
        const postId = parseArgs(PostId, args.postId, 'postId');
        await social.requirePost(postId);
        return live.subscribe(`commentAdded:${postId}`);
      },
      resolve: (event: { postId: string; commentId: string }, _: Args, context: GraphContext) =>
        fresh(context).load(commentKey(event.postId, event.commentId)),
    },
    onLikeChanged: {
      subscribe: async (_: unknown, args: Args) => {
        const postId = parseArgs(PostId, args.postId, 'postId');
        await social.requirePost(postId);
        return live.subscribe(`likeChanged:${postId}`);
      },
      resolve: (event: { postId: string; likeCount: number }) => event,
    },
    onFeedPost: {
      subscribe: (_: unknown, args: Args, context: GraphContext) => {
        const userId = parseArgs(UserId, args.userId, 'userId');
        if (userId !== signedIn(context)) {
          throw new GraphQLError('You may subscribe to your own feed only', { extensions: { code: 'FORBIDDEN' } });
        }
        return live.subscribe(`feedPost:${userId}`);
      },
      resolve: async (event: { userId: string; postId: string }, _: Args, context: GraphContext) => {
        const post = await fresh(context).load(postKey(event.postId));
        return post ? { userId: event.userId, post } : null;
      },
    },
  };
}

/** A subscription's context lives as long as it does: each event reads the table afresh. */
function fresh(context: GraphContext) {
  return context.loader.clearAll();
}
