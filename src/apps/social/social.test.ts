import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { smallPng } from '../../../test/support/images.ts';
import { TestStratus } from '../../../test/support/stratus.ts';
import { postKey } from './keys.ts';

/** Accounts with 3 or more followers are merged at read time, so the tests can reach the limit. */
const FANOUT_LIMIT = 3;

describe('social: posts, likes, comments, follows, feeds and stories', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start(
      { SOCIAL_FANOUT_LIMIT: String(FANOUT_LIMIT), RATE_LIMIT_PER_USER: '1000', RATE_LIMIT_PER_ADDRESS: '1000' },
      { queue: { baseDelayMs: 10, pollMs: 20 } },
    );
  });
  after(() => s.stop());

  let users = 0;
  interface User {
    id: string;
    email: string;
    token: string;
    /** Runs a query or mutation as this user; fails the test on any GraphQL error. */
    // biome-ignore lint/suspicious/noExplicitAny: replies are arbitrary JSON; each test asserts on the shape it expects
    ok(query: string, variables?: Record<string, unknown>): Promise<any>;
    /** Runs it expecting a refusal with `code`; returns the message. */
    refused(code: string, query: string, variables?: Record<string, unknown>): Promise<string>;
  }

  async function newUser(name = 'Someone'): Promise<User> {
    users += 1;
    const email = `social${users}@example.com`;
    const { accessToken: token } = await s.newUser(email, undefined, name);
    const run = (query: string, variables: Record<string, unknown> = {}) => s.graphql(query, variables, { token });
    const user: User = {
      id: '',
      email,
      token,
      async ok(query, variables) {
        const reply = await run(query, variables);
        assert.equal(reply.body.errors, undefined, JSON.stringify(reply.body.errors));
        return reply.body.data;
      },
      async refused(code, query, variables) {
        const reply = await run(query, variables);
        const [error] = reply.body.errors ?? [];
        assert.equal(error?.extensions?.code, code, JSON.stringify(reply.body));
        return error.message as string;
      },
    };
    user.id = (await user.ok('{ me { id } }')).me.id;
    return user;
  }

  /** The stream handlers and the queue, until nothing is left. */
  async function settle() {
    for (let i = 0; i < 3; i++) {
      await s.runtime.queue.drain();
      await s.runtime.dispatcher.drain();
    }
  }

  const post = async (author: User, text: string, photoIds?: string[]) =>
    (
      await author.ok('mutation($input: CreatePostInput!) { createPost(input: $input) { id text createdAt } }', {
        input: { text, ...(photoIds ? { photoIds } : {}) },
      })
    ).createPost as { id: string; text: string };
  const follow = (who: User, whom: User) => who.ok('mutation($u: ID!) { follow(userId: $u) { id } }', { u: whom.id });
  const unfollow = (who: User, whom: User) =>
    who.ok('mutation($u: ID!) { unfollow(userId: $u) { id } }', { u: whom.id });

  /** Every post of the viewer's feed, page by page (small pages, to cross page boundaries). */
  async function wholeFeed(viewer: User, limit = 2): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | null = null;
    do {
      const { feed }: { feed: { items: { id: string }[]; nextToken: string | null } } = await viewer.ok(
        'query($l: Int, $t: String) { feed(limit: $l, nextToken: $t) { items { id } nextToken } }',
        {
          l: limit,
          t: nextToken,
        },
      );
      ids.push(...feed.items.map((item: { id: string }) => item.id));
      nextToken = feed.nextToken;
    } while (nextToken);
    return ids;
  }

  async function counts(user: User) {
    const { profile } = await user.ok(
      'query($id: ID!) { profile(id: $id) { followerCount followingCount postCount } }',
      {
        id: user.id,
      },
    );
    return profile;
  }

  async function uploadPhoto(owner: User): Promise<string> {
    const body = await smallPng();
    const started = await s.request('POST', '/v1/photos/uploads', {
      token: owner.token,
      body: { filename: 'p.png', contentType: 'image/png', size: body.length },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const { upload: grant } = started.body;
    const put = await s.fetch(grant.url, { method: grant.method, headers: grant.headers, body });
    assert.equal(put.status, 200);
    await settle();
    return started.body.photo.id;
  }

  test('a post with photos from the photo pipeline shows in followers’ feeds with signed image URLs; counts follow', async () => {
    const [ada, bob] = [await newUser('Ada'), await newUser('Bob')];
    await follow(bob, ada);
    const photoId = await uploadPhoto(ada);
    const created = await post(ada, 'Sunset 🌅', [photoId]);
    await settle();
    const { feed } = await bob.ok(
      '{ feed { items { id text author { displayName } photos { id width height thumbnailUrl url } likeCount commentCount viewerHasLiked } } }',
    );
    assert.equal(feed.items.length, 1);
    const [item] = feed.items;
    assert.equal(item.id, created.id);
    assert.equal(item.author.displayName, 'Ada');
    assert.equal(item.photos[0].id, photoId);
    assert.deepEqual([item.photos[0].width, item.photos[0].height], [320, 200]);
    const image = await s.fetch(item.photos[0].thumbnailUrl);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(await counts(ada), { followerCount: 1, followingCount: 0, postCount: 1 });
    assert.deepEqual(await counts(bob), { followerCount: 0, followingCount: 1, postCount: 0 });
  });

  test('refused posts change nothing: too long, too many photos, another user’s photo, a photo not ready, empty', async () => {
    const [ada, eve] = [await newUser('Ada'), await newUser('Eve')];
    const create = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
    const tooLong = await ada.refused('BAD_USER_INPUT', create, { input: { text: 'x'.repeat(2201) } });
    assert.match(tooLong, /input\.text: must be at most 2,200 characters/);
    // 2,200 emoji are 2,200 characters, not 8,800 bytes' worth.
    await ada.ok(create, { input: { text: '🙂'.repeat(2200) } });
    const ids = Array.from({ length: 5 }, (_, i) => `01jq0000000000000000000${i}aa`);
    assert.match(
      await ada.refused('BAD_USER_INPUT', create, { input: { text: 'hi', photoIds: ids } }),
      /at most 4 photos/,
    );
    const evesPhoto = await uploadPhoto(eve);
    assert.match(
      await ada.refused('BAD_USER_INPUT', create, { input: { text: 'mine?', photoIds: [evesPhoto] } }),
      /no photo .* in your library/,
    );
    assert.match(await ada.refused('BAD_USER_INPUT', create, { input: { text: '  ' } }), /needs text, photos, or both/);
    const pending = await s.request('POST', '/v1/photos/uploads', {
      token: ada.token,
      body: { filename: 'p.png', contentType: 'image/png', size: 10 },
    });
    assert.match(
      await ada.refused('BAD_USER_INPUT', create, { input: { text: 'wait', photoIds: [pending.body.photo.id] } }),
      /is pending, not ready yet/,
    );
    await settle();
    assert.equal((await counts(ada)).postCount, 1, 'only the good post was written');
  });

  test('only the author deletes a post; a deleted post leaves every feed at once, and its likes and comments go', async () => {
    const [ada, bob] = [await newUser('Ada'), await newUser('Bob')];
    await follow(bob, ada);
    const { id } = await post(ada, 'Short-lived');
    await settle();
    await bob.ok('mutation($p: ID!) { likePost(postId: $p) { liked } }', { p: id });
    await bob.ok('mutation($p: ID!) { addComment(postId: $p, text: "nice") { id } }', { p: id });
    await settle();
    await bob.refused('FORBIDDEN', 'mutation($p: ID!) { deletePost(id: $p) { id } }', { p: id });
    assert.deepEqual(await wholeFeed(bob), [id], 'still there after the refused delete');
    await ada.ok('mutation($p: ID!) { deletePost(id: $p) { id } }', { p: id });
    assert.deepEqual(await wholeFeed(bob), [], 'gone from the feed before any cleanup ran');
    assert.equal((await bob.ok('query($p: ID!) { post(id: $p) { id } }', { p: id })).post, null);
    await bob.refused('NOT_FOUND', 'mutation($p: ID!) { likePost(postId: $p) { liked } }', { p: id });
    await settle();
    const left = await s.runtime.table.query({ partition: postKey(id).PK });
    assert.deepEqual(left.items, [], 'the likes and comments were deleted with the post');
    assert.equal((await counts(ada)).postCount, 0);
  });

  test('likes are idempotent and the count converges to a recount after concurrent likes and unlikes', async () => {
    const author = await newUser('Author');
    const { id } = await post(author, 'Like me');
    const fans = await Promise.all(Array.from({ length: 8 }, (_, i) => newUser(`Fan ${i}`)));
    const like = (fan: User) => fan.ok('mutation($p: ID!) { likePost(postId: $p) { liked } }', { p: id });
    const unlike = (fan: User) => fan.ok('mutation($p: ID!) { unlikePost(postId: $p) { liked } }', { p: id });
    // Each fan likes twice at once; half of them then unlike (twice, at once), all concurrently.
    await Promise.all(fans.flatMap((fan) => [like(fan), like(fan)]));
    await Promise.all(fans.slice(0, 4).flatMap((fan) => [unlike(fan), unlike(fan), like(fans[7] as User)]));
    await settle();
    const recount = (await s.runtime.table.query({ partition: postKey(id).PK, sort: { beginsWith: 'LIKE#' } })).items
      .length;
    const { post: seen } = await author.ok(
      'query($p: ID!) { post(id: $p) { likeCount likes(limit: 50) { items { id } } } }',
      {
        p: id,
      },
    );
    assert.equal(recount, 4);
    assert.equal(seen.likeCount, recount);
    assert.deepEqual(
      seen.likes.items.map((p: { id: string }) => p.id).sort(),
      fans
        .slice(4)
        .map((fan) => fan.id)
        .sort(),
    );
    const { post: mine } = await (fans[5] as User).ok('query($p: ID!) { post(id: $p) { viewerHasLiked } }', { p: id });
    assert.equal(mine.viewerHasLiked, true);
  });

  test('comments: add, list oldest first; the author deletes their own, the post’s author any, nobody else', async () => {
    const [ada, bob, eve] = [await newUser('Ada'), await newUser('Bob'), await newUser('Eve')];
    const { id } = await post(ada, 'Discuss');
    const add = (who: User, text: string) =>
      who.ok('mutation($p: ID!, $t: String!) { addComment(postId: $p, text: $t) { id postId text author { id } } }', {
        p: id,
        t: text,
      });
    const first = (await add(bob, 'first')).addComment;
    const second = (await add(eve, 'second')).addComment;
    await add(bob, 'third');
    const del = 'mutation($p: ID!, $c: ID!) { deleteComment(postId: $p, id: $c) { id } }';
    await eve.refused('FORBIDDEN', del, { p: id, c: first.id });
    await bob.ok(del, { p: id, c: first.id });
    await ada.ok(del, { p: id, c: second.id });
    assert.match(
      await bob.refused(
        'BAD_USER_INPUT',
        'mutation($p: ID!, $t: String!) { addComment(postId: $p, text: $t) { id } }',
        {
          p: id,
          t: 'y'.repeat(1001),
        },
      ),
      /at most 1,000 characters/,
    );
    await bob.refused('NOT_FOUND', del, { p: id, c: first.id });
    await settle();
    const { post: read } = await eve.ok(
      'query($p: ID!) { post(id: $p) { commentCount comments { items { text } } } }',
      {
        p: id,
      },
    );
    assert.deepEqual(
      read.comments.items.map((c: { text: string }) => c.text),
      ['third'],
    );
    assert.equal(read.commentCount, 1);
  });

  test('follows: not yourself, idempotent both ways, unknown accounts refused; lists and counts agree', async () => {
    const [ada, bob] = [await newUser('Ada'), await newUser('Bob')];
    assert.match(
      await ada.refused('BAD_USER_INPUT', 'mutation($u: ID!) { follow(userId: $u) { id } }', { u: ada.id }),
      /cannot follow yourself/,
    );
    await ada.refused('NOT_FOUND', 'mutation($u: ID!) { follow(userId: $u) { id } }', {
      u: '00000000-0000-4000-8000-000000000000',
    });
    await Promise.all([follow(bob, ada), follow(bob, ada)]);
    await follow(bob, ada);
    await settle();
    assert.equal((await counts(ada)).followerCount, 1);
    const { profile } = await bob.ok(
      'query($u: ID!) { profile(id: $u) { viewerFollows followers { items { id } } } }',
      { u: ada.id },
    );
    assert.equal(profile.viewerFollows, true);
    assert.deepEqual(
      profile.followers.items.map((p: { id: string }) => p.id),
      [bob.id],
    );
    await Promise.all([unfollow(bob, ada), unfollow(bob, ada)]);
    await settle();
    assert.deepEqual(await counts(ada), { followerCount: 0, followingCount: 0, postCount: 0 });
    assert.deepEqual(await counts(bob), { followerCount: 0, followingCount: 0, postCount: 0 });
  });

  test('feeds match a recomputation from follows and posts, across fan-out, a big account merged at read, unfollows and deletions', async () => {
    const people = await Promise.all(['Ann', 'Ben', 'Cat', 'Dan', 'Eli'].map((name) => newUser(name)));
    const [ann, ben, cat, dan, eli] = people as [User, User, User, User, User];
    const follows = new Set<string>();
    const doFollow = async (a: User, b: User) => {
      await follow(a, b);
      follows.add(`${a.id}>${b.id}`);
    };
    // Cat gets 3 followers: a big account from then on, whose posts are merged at read time.
    await doFollow(ann, ben);
    await doFollow(ann, cat);
    await doFollow(ben, cat);
    await doFollow(dan, cat);
    await doFollow(eli, ann);
    await settle();
    const posts: { id: string; author: string }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const author of people) posts.push({ id: (await post(author, `${round}`)).id, author: author.id });
    }
    await settle();
    const { profile } = await ann.ok('query($u: ID!) { profile(id: $u) { followerCount } }', { u: cat.id });
    assert.equal(profile.followerCount, 3);
    await doFollow(eli, cat); // follows a big account after it became big
    await unfollow(ann, ben);
    follows.delete(`${ann.id}>${ben.id}`);
    const deleted = posts.splice(3, 1)[0] as { id: string }; // Dan's first post
    await dan.ok('mutation($p: ID!) { deletePost(id: $p) { id } }', { p: deleted.id });
    posts.push({ id: (await post(cat, 'late')).id, author: cat.id });
    await settle();

    for (const viewer of people) {
      const expected = posts
        .filter((p) => p.author === viewer.id || follows.has(`${viewer.id}>${p.author}`))
        .map((p) => p.id)
        .sort()
        .reverse();
      assert.deepEqual(await wholeFeed(viewer), expected, `the feed of ${viewer.id}`);
    }
    const big = await s.runtime.table.get({ PK: `USER#${cat.id}`, SK: 'PROFILE' });
    assert.equal(big?.bigAccount, true, 'Cat became a big account');
  });

  test('stories: followers see them with a seen marker; after 24 hours they are gone from reads at once', async () => {
    const [ada, bob, eve] = [await newUser('Ada'), await newUser('Bob'), await newUser('Eve')];
    await follow(bob, ada);
    const { createStory } = await ada.ok(
      'mutation { createStory(input: { text: "Morning" }) { id expiresAt author { id } } }',
    );
    await settle();
    const bar = '{ stories { author { id } allSeen stories { id text seen } } }';
    const before = (await bob.ok(bar)).stories;
    assert.deepEqual(before, [
      { author: { id: ada.id }, allSeen: false, stories: [{ id: createStory.id, text: 'Morning', seen: false }] },
    ]);
    assert.deepEqual((await eve.ok(bar)).stories, [], 'not shown to someone who does not follow');
    await eve.refused('NOT_FOUND', 'mutation($s: ID!, $a: ID!) { markStorySeen(id: $s, authorId: $a) { seen } }', {
      s: createStory.id,
      a: ada.id,
    });
    await bob.ok('mutation($s: ID!, $a: ID!) { markStorySeen(id: $s, authorId: $a) { seen } }', {
      s: createStory.id,
      a: ada.id,
    });
    assert.equal((await bob.ok(bar)).stories[0].allSeen, true);
    await bob.refused('BAD_USER_INPUT', 'mutation { createStory(input: {}) { id } }');
    s.clock.advance(24 * 3600 * 1000 + 1000);
    // The access tokens have expired meanwhile: sign in again.
    const signIn = await s.request('POST', '/v1/auth/signin', {
      body: { email: bob.email, password: 'a long and unusual passphrase' },
    });
    const stories = await s.graphql(bar, {}, { token: signIn.body.accessToken });
    assert.deepEqual(stories.body.data.stories, [], 'expired: gone before any sweep');
  });
});
