/**
 * Reading the home feed and the stories bar.
 *
 * Posts are fanned out on write into each follower's feed partition (`events.ts`), so a feed
 * page is one query. Accounts with very many followers are not fanned out (one post would mean
 * millions of writes): their followers carry a `BIGFOLLOW#` marker per such account, and the
 * read merges those accounts' own post lists in. Every candidate is then checked against the
 * truth before it is shown — the post still exists, and the viewer still follows its author —
 * with one batch of gets, so a deleted post or an unfollow takes effect at once, before the
 * stream handlers have cleaned the feed up.
 */
import { badRequest } from '../../platform/errors.ts';
import type { Item, Table } from '../../platform/table.ts';
import {
  BIG_FOLLOW_PREFIX,
  FEED_PREFIX,
  feedPartition,
  followingKey,
  idAfter,
  POST_REF_PREFIX,
  postKey,
  STORY_PREFIX,
  seenKey,
  storyFeedPartition,
  storyKey,
  userPartition,
} from './keys.ts';
import type { ItemLoader } from './loader.ts';
import type { PageArgs } from './model.ts';
import type { Paged } from './service.ts';

/** A feed page's token is the id of the last post shown: ids sort by time, in every source alike. */
const FEED_TOKEN = /^[0-9a-hjkmnp-tv-z]{26}$/;
/** How many big accounts one viewer's feed merges at most (the newest markers win). */
const MAX_MERGED_ACCOUNTS = 100;

export interface StoryGroup {
  authorId: string;
  stories: Item[];
}

export class FeedReader {
  constructor(private readonly table: Table) {}

  async feed(viewer: string, page: PageArgs, loader: ItemLoader): Promise<Paged<Item>> {
    if (page.nextToken !== undefined && !FEED_TOKEN.test(page.nextToken)) {
      throw badRequest('BadInput', 'nextToken: pass the nextToken of a previous feed page unchanged');
    }
    const merged = await this.bigFollows(viewer);
    const shown: Item[] = [];
    let before = page.nextToken;
    for (;;) {
      // Over-read a little: some candidates may turn out deleted or unfollowed.
      const want = page.limit - shown.length + 5;
      const sources = await Promise.all([
        this.idsBefore(feedPartition(viewer), FEED_PREFIX, before, want),
        ...merged.map((author) => this.idsBefore(userPartition(author), POST_REF_PREFIX, before, want)),
      ]);
      const candidates = [...new Set(sources.flatMap((source) => source.ids))].sort().reverse().slice(0, want);
      const exhausted = sources.every((source) => source.exhausted) && candidates.length < want;
      const visible = await this.visiblePosts(viewer, candidates, loader);
      for (const post of visible) {
        if (shown.length === page.limit) break;
        shown.push(post);
      }
      const last = candidates.at(-1);
      if (shown.length === page.limit) {
        return { items: shown, nextToken: shown.at(-1)?.id as string };
      }
      if (exhausted || !last) return { items: shown };
      before = last;
    }
  }

  /** The posts among `ids` that exist and whose author is the viewer or someone they follow. */
  private async visiblePosts(viewer: string, ids: string[], loader: ItemLoader): Promise<Item[]> {
    const posts = await Promise.all(ids.map((id) => loader.load(postKey(id))));
    const present = posts.filter((post): post is Item => post !== undefined);
    const allowed = await visibleAuthors(viewer, present, loader);
    return present.filter((post) => allowed.has(post.authorId as string));
  }

  private async idsBefore(partition: string, prefix: string, before: string | undefined, limit: number) {
    const page = await this.table.query({
      partition,
      sort: before ? { between: [prefix, `${prefix}${before}`] } : { beginsWith: prefix },
      reverse: true,
      limit: limit + 1,
    });
    const ids = page.items.map((item) => idAfter(item.SK, prefix)).filter((id) => id !== before);
    return { ids: ids.slice(0, limit), exhausted: ids.length <= limit && !page.cursor };
  }

  /** The big accounts the viewer follows, whose posts are merged at read time. */
  async bigFollows(viewer: string): Promise<string[]> {
    const page = await this.table.query({
      partition: userPartition(viewer),
      sort: { beginsWith: BIG_FOLLOW_PREFIX },
      limit: MAX_MERGED_ACCOUNTS,
    });
    return page.items.map((item) => idAfter(item.SK, BIG_FOLLOW_PREFIX));
  }

  /**
   * The stories bar: the viewer's own active stories and those of the accounts they follow,
   * grouped by author, oldest first within a group.
   */
  async stories(viewer: string, loader: ItemLoader): Promise<StoryGroup[]> {
    const [fannedOut, merged] = await Promise.all([
      this.table.query({ partition: storyFeedPartition(viewer), sort: { beginsWith: STORY_PREFIX }, limit: 500 }),
      this.bigFollows(viewer),
    ]);
    const refs = fannedOut.items.map((item) => ({
      authorId: item.authorId as string,
      id: idAfter(item.SK, STORY_PREFIX),
    }));
    const ownAndMerged = await Promise.all(
      [viewer, ...merged].map((author) =>
        this.table.query({ partition: userPartition(author), sort: { beginsWith: STORY_PREFIX }, limit: 200 }),
      ),
    );
    for (const page of ownAndMerged) {
      for (const item of page.items) refs.push({ authorId: item.authorId as string, id: item.id as string });
    }
    const unique = [...new Map(refs.map((ref) => [ref.id, ref])).values()];
    const stories = (await Promise.all(unique.map((ref) => loader.load(storyKey(ref.authorId, ref.id))))).filter(
      (story): story is Item => story !== undefined,
    );
    const allowed = await visibleAuthors(viewer, stories, loader);
    const groups = new Map<string, Item[]>();
    for (const story of stories.sort((a, b) => String(a.id).localeCompare(String(b.id)))) {
      const author = story.authorId as string;
      if (!allowed.has(author)) continue;
      groups.set(author, [...(groups.get(author) ?? []), story]);
    }
    return [...groups].map(([authorId, items]) => ({ authorId, stories: items }));
  }

  async seen(viewer: string, storyId: string, loader: ItemLoader): Promise<boolean> {
    return (await loader.load(seenKey(viewer, storyId))) !== undefined;
  }
}

/** Among the authors of `items`, the viewer and those the viewer follows (one batch of gets). */
async function visibleAuthors(viewer: string, items: Item[], loader: ItemLoader): Promise<Set<string>> {
  const authors = [...new Set(items.map((item) => item.authorId as string))].filter((author) => author !== viewer);
  const followed = await Promise.all(authors.map((author) => loader.load(followingKey(viewer, author))));
  return new Set([viewer, ...authors.filter((_, index) => followed[index] !== undefined)]);
}
