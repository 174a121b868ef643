import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { TestStratus } from '../../../../test/support/stratus.ts';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../../local/graphql.ts';
import type { Table } from '../../../platform/table.ts';

describe('social GraphQL API: auth modes, limits, batched loading, subscriptions over WebSocket and SSE', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ RATE_LIMIT_PER_USER: '1000', RATE_LIMIT_PER_ADDRESS: '1000' });
  });
  after(() => s.stop());

  let count = 0;
  async function newUser(name = 'Someone') {
    count += 1;
    const { accessToken: token } = await s.newUser(`gql${count}@example.com`, undefined, name);
    const me = await s.graphql('{ me { id } }', {}, { token });
    return { token, id: me.body.data.me.id as string };
  }
  const errorOf = (reply: { body: { errors?: { message: string; extensions: { code: string } }[] } }) => {
    const [error] = reply.body.errors ?? [];
    assert.ok(error, `an error was expected: ${JSON.stringify(reply.body)}`);
    return error;
  };

  test('malformed documents, unknown fields and wrong variable types are refused with clear errors', async () => {
    const { token } = await newUser();
    const broken = errorOf(await s.graphql('{ me { id ', {}, { token }));
    assert.equal(broken.extensions.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(broken.message, /Syntax Error/);
    const unknown = errorOf(await s.graphql('{ me { password } }', {}, { token }));
    assert.match(unknown.message, /Cannot query field "password" on type "Profile"/);
    const badVariable = errorOf(
      await s.graphql('query($n: Int) { feed(limit: $n) { nextToken } }', { n: 'ten' }, { token }),
    );
    assert.match(badVariable.message, /Int cannot represent non-integer value: "ten"/);
    const tooMany = errorOf(await s.graphql('{ feed(limit: 51) { nextToken } }', {}, { token }));
    assert.equal(tooMany.extensions.code, 'BAD_USER_INPUT');
    assert.match(tooMany.message, /at most 50/);
    const badToken = errorOf(await s.graphql('{ feed(nextToken: "nope") { nextToken } }', {}, { token }));
    assert.equal(badToken.extensions.code, 'BAD_USER_INPUT');
    const notJson = await s.request('POST', '/graphql', {
      token,
      rawBody: '{"query":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.errors[0].message, /not valid JSON/);
  });

  test('GraphQL over HTTP: GET reads, a mutation over GET is refused unrun, and requests that are not GraphQL get 4xx', async () => {
    const { token } = await newUser();
    const raw = (body: string, headers: Record<string, string> = {}) =>
      s.request('POST', '/graphql', {
        token,
        rawBody: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const read = await s.request('GET', `/graphql?query=${encodeURIComponent('{ me { displayName } }')}`, { token });
    assert.equal(read.status, 200);
    assert.equal(read.body.data.me.displayName, 'Someone');

    const create = encodeURIComponent('mutation { createPost(input: { text: "over GET" }) { id } }');
    const viaGet = await s.request('GET', `/graphql?query=${create}`, { token });
    assert.equal(viaGet.status, 405);
    assert.equal(viaGet.headers.get('allow'), 'POST');
    const mine = await s.graphql('{ me { postCount posts { items { id } } } }', {}, { token });
    assert.deepEqual(mine.body.data.me.posts.items, [], 'the refused mutation wrote nothing');

    assert.equal((await raw('[{"query":"{ me { id } }"}]')).status, 400, 'batches are refused');
    assert.match((await raw('{"query":"{ me { id } }","variables":[1]}')).body.errors[0].message, /variables/);
    assert.match((await raw('{"variables":{}}')).body.errors[0].message, /query: a GraphQL document is required/);
    assert.equal((await raw('{"query":"{ me { id } }"}', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await raw('{"query":"{ me { id } }"}', { accept: 'text/html' })).status, 406);

    // Under the spec's media type, a document that never ran answers 400; under plain JSON, 200 with errors.
    const strict = await raw('{"query":"{ me { password } }"}', { accept: 'application/graphql-response+json' });
    assert.equal(strict.status, 400);
    assert.match(strict.headers.get('content-type') ?? '', /application\/graphql-response\+json/);
    assert.equal((await raw('{"query":"{ me { password } }"}', { accept: 'application/json' })).status, 200);
  });

  test('over-deep, over-costly and alias-flooding queries are refused before anything runs', async () => {
    const { token, id } = await newUser();
    const nest = (levels: number): string => (levels === 0 ? 'id' : `id following { items { ${nest(levels - 1)} } }`);
    const deep = errorOf(await s.graphql(`query($u: ID!) { profile(id: $u) { ${nest(5)} } }`, { u: id }, { token }));
    assert.match(deep.message, /depth limit of 8/i);
    const fields = 'id text createdAt likeCount commentCount viewerHasLiked';
    const wide = Array.from(
      { length: 14 },
      (_, i) =>
        `a${i}: feed(limit: 50) { items { ${fields} author { id posts { items { ${fields} comments { items { id text } } } } } } }`,
    ).join(' ');
    const costly = errorOf(await s.graphql(`{ ${wide} }`, {}, { token }));
    assert.match(costly.message, /Query Cost limit of 2000 exceeded/i);
    const aliases = Array.from({ length: 16 }, (_, i) => `m${i}: me { id }`).join(' ');
    assert.match(errorOf(await s.graphql(`{ ${aliases} }`, {}, { token })).message, /aliases limit of 15/i);
    const tokens = errorOf(await s.graphql(`{ me { ${'id '.repeat(2500)} } }`, {}, { token }));
    assert.match(tokens.message, /token limit|tokens/i);
  });

  test('an API key alone reads public profiles and posts, and nothing else; without any credential 401', async () => {
    const ada = await newUser('Ada');
    const created = await s.request('POST', '/v1/api-keys', { token: ada.token, body: { name: 'public site' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const apiKey = created.body.key as string;
    const named = await s.request('PATCH', '/v1/me', {
      token: ada.token,
      body: { username: 'ada_gql', attributes: { bio: 'Hello' } },
    });
    assert.equal(named.status, 200);
    const { body } = await s.graphql(
      'mutation { createPost(input: { text: "public words" }) { id } }',
      {},
      { token: ada.token },
    );
    const postId = body.data.createPost.id;
    await s.runtime.dispatcher.drain();

    const publicRead = await s.graphql(
      'query($p: ID!) { profileByUsername(username: "ada_gql") { id displayName bio viewerFollows posts { items { id text } } } post(id: $p) { text viewerHasLiked } }',
      { p: postId },
      { apiKey },
    );
    assert.equal(publicRead.body.errors, undefined, JSON.stringify(publicRead.body));
    assert.equal(publicRead.body.data.profileByUsername.bio, 'Hello');
    assert.equal(publicRead.body.data.profileByUsername.posts.items[0].text, 'public words');
    assert.equal(publicRead.body.data.post.viewerHasLiked, false);

    // The same document, allowed for a user just before, is still refused for the key.
    assert.equal((await s.graphql('{ feed { nextToken } }', {}, { token: ada.token })).body.errors, undefined);
    const feed = errorOf(await s.graphql('{ feed { nextToken } }', {}, { apiKey }));
    assert.equal(feed.extensions.code, 'UNAUTHENTICATED');
    assert.match(feed.message, /Query\.feed with an API key/);
    const write = errorOf(await s.graphql('mutation { createPost(input: { text: "x" }) { id } }', {}, { apiKey }));
    assert.equal(write.extensions.code, 'UNAUTHENTICATED');
    const wrongKey = await s.graphql(
      '{ post(id: "01jq00000000000000000000aa") { id } }',
      {},
      { apiKey: 'stk_not-a-key' },
    );
    assert.equal(wrongKey.status, 403);
    const nobody = await s.graphql('{ post(id: "01jq00000000000000000000aa") { id } }');
    assert.equal(nobody.status, 401);
    // The publish mutations are Stratus's own (IAM on AWS): no user may call them.
    const forged = errorOf(
      await s.graphql(
        'mutation { publishLikeChanged(postId: "01jq00000000000000000000aa", likeCount: 99) { likeCount } }',
        {},
        { token: ada.token },
      ),
    );
    assert.equal(forged.extensions.code, 'FORBIDDEN');
    const me = await s.graphql('{ me { email } }', {}, { token: ada.token });
    assert.match(errorOf(me).message, /Cannot query field "email"/, 'no profile field shows an email address');
  });

  test('a feed page reads the table a fixed number of times, however many posts and authors it shows (no N+1)', async () => {
    const reader = await newUser('Reader');
    const authors = await Promise.all(Array.from({ length: 10 }, (_, i) => newUser(`Author ${i}`)));
    for (const author of authors) {
      await s.graphql('mutation($u: ID!) { follow(userId: $u) { id } }', { u: author.id }, { token: reader.token });
      for (let i = 0; i < 4; i++) {
        await s.graphql('mutation { createPost(input: { text: "post" }) { id } }', {}, { token: author.token });
      }
    }
    await s.runtime.dispatcher.drain();
    const query =
      'query($l: Int) { feed(limit: $l) { items { id text likeCount viewerHasLiked author { id displayName viewerFollows } } } }';
    const calls = async (limit: number) => {
      const table = s.runtime.table as Table & Record<string, unknown>;
      const counted = ['get', 'batchGet', 'query'] as const;
      const originals = counted.map((name) => table[name]);
      let n = 0;
      for (const [i, name] of counted.entries()) {
        const original = originals[i] as (...args: unknown[]) => unknown;
        table[name] = ((...args: unknown[]) => {
          n += 1;
          return original.apply(table, args);
        }) as never;
      }
      try {
        const reply = await s.graphql(query, { l: limit }, { token: reader.token });
        assert.equal(reply.body.data.feed.items.length, limit);
      } finally {
        for (const [i, name] of counted.entries()) table[name] = originals[i] as never;
      }
      return n;
    };
    const small = await calls(5);
    const large = await calls(40);
    assert.equal(large, small, `table calls: ${small} for 5 posts, ${large} for 40`);
    assert.ok(large <= 8, `${large} table calls for a page of 40 posts by 10 authors`);
  });

  /** A graphql-ws client trusting the test server's certificate. */
  function wsClient(connectionParams: Record<string, unknown>) {
    const ca = s.tlsCert;
    class TrustingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca });
      }
    }
    return createClient({
      url: `${s.url.replace('https:', 'wss:')}/graphql`,
      webSocketImpl: TrustingWebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
  }

  /** The next `n` results of a subscription, or the error that ended it. */
  function collect(
    client: ReturnType<typeof createClient>,
    query: string,
    variables: Record<string, unknown>,
    n: number,
  ) {
    const results: unknown[] = [];
    let stop = () => {};
    const done = new Promise<unknown[]>((resolve, reject) => {
      stop = client.subscribe(
        { query, variables },
        {
          next: (value) => {
            results.push(value);
            if (results.length === n) resolve(results);
          },
          error: reject,
          complete: () => resolve(results),
        },
      );
    });
    return { done, stop: () => stop() };
  }

  test('over WebSocket: a comment reaches the post’s subscribers live; a bad token is refused; nobody subscribes to another’s feed', async () => {
    const [ada, bob] = [await newUser('Ada'), await newUser('Bob')];
    const { body } = await s.graphql(
      'mutation { createPost(input: { text: "live" }) { id } }',
      {},
      { token: ada.token },
    );
    const postId = body.data.createPost.id;

    const refused = wsClient({ Authorization: 'Bearer not-a-token' });
    await assert.rejects(
      collect(refused, 'subscription { onLikeChanged(postId: "x") { likeCount } }', {}, 1).done,
      (event: { code?: number }) => {
        assert.equal(event.code, 4403, 'closed as Forbidden');
        return true;
      },
    );
    await refused.dispose();

    const client = wsClient({ Authorization: `Bearer ${ada.token}` });
    try {
      const comments = collect(
        client,
        'subscription($p: ID!) { onCommentAdded(postId: $p) { id postId text author { displayName } } }',
        { p: postId },
        1,
      );
      const likes = collect(
        client,
        'subscription($p: ID!) { onLikeChanged(postId: $p) { postId likeCount } }',
        { p: postId },
        1,
      );
      const feed = collect(
        client,
        'subscription($u: ID!) { onFeedPost(userId: $u) { post { id } } }',
        { u: bob.id },
        1,
      );
      // A refused subscription ends at once with its error as its only result.
      const [refusal] = (await feed.done) as { errors?: { message: string; extensions: { code: string } }[] }[];
      assert.match(refusal?.errors?.[0]?.message ?? '', /your own feed only/);
      assert.equal(refusal?.errors?.[0]?.extensions.code, 'FORBIDDEN');
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscriptions are in place
      await s.graphql(
        'mutation($p: ID!) { addComment(postId: $p, text: "hi Ada") { id } }',
        { p: postId },
        { token: bob.token },
      );
      await s.graphql('mutation($p: ID!) { likePost(postId: $p) { liked } }', { p: postId }, { token: bob.token });
      await s.runtime.dispatcher.drain();
      const [comment] = (await comments.done) as { data: { onCommentAdded: Record<string, unknown> } }[];
      assert.ok(comment);
      assert.equal(comment.data.onCommentAdded.text, 'hi Ada');
      assert.deepEqual(comment.data.onCommentAdded.author, { displayName: 'Bob' });
      const [like] = (await likes.done) as { data: { onLikeChanged: unknown } }[];
      assert.deepEqual(like?.data.onLikeChanged, { postId, likeCount: 1 });
    } finally {
      await client.dispose();
    }
  });

  test('over WebSocket: one connection holds at most 50 subscriptions; completing one makes room', async () => {
    const ada = await newUser('Ada');
    const { body } = await s.graphql(
      'mutation { createPost(input: { text: "watched" }) { id } }',
      {},
      { token: ada.token },
    );
    const client = wsClient({ Authorization: `Bearer ${ada.token}` });
    const watch = () =>
      collect(
        client,
        'subscription($p: ID!) { onLikeChanged(postId: $p) { likeCount } }',
        { p: body.data.createPost.id },
        1,
      );
    try {
      const held = Array.from({ length: MAX_SUBSCRIPTIONS_PER_SOCKET }, watch);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscriptions are in place
      await assert.rejects(watch().done, (errors: { message: string; extensions: { code: string } }[]) => {
        assert.equal(errors[0]?.extensions.code, 'TOO_MANY_REQUESTS');
        assert.match(errors[0]?.message ?? '', /At most 50 subscriptions per connection/);
        return true;
      });
      held[0]?.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const room = watch();
      const early = await Promise.race([room.done, new Promise((resolve) => setTimeout(() => resolve('open'), 300))]);
      assert.equal(early, 'open', 'the new subscription is held open, not refused');
    } finally {
      await client.dispose();
    }
  });

  test('over SSE: a follower’s session receives new posts of the accounts it follows', async () => {
    const [ada, bob] = [await newUser('Ada'), await newUser('Bob')];
    await s.graphql('mutation($u: ID!) { follow(userId: $u) { id } }', { u: ada.id }, { token: bob.token });
    await s.runtime.dispatcher.drain();
    const unauthenticated = await s.fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { onFeedPost(userId: "x") { userId } }' }),
    });
    assert.equal(unauthenticated.status, 401);
    await unauthenticated.text();

    const controller = new AbortController();
    const { fetch } = await import('undici');
    const { Agent } = await import('undici');
    const stream = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${bob.token}`,
      },
      body: JSON.stringify({
        query: 'subscription($u: ID!) { onFeedPost(userId: $u) { userId post { text author { displayName } } } }',
        variables: { u: bob.id },
      }),
      signal: controller.signal,
      dispatcher: new Agent({ connect: { ca: s.tlsCert } }),
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await s.graphql('mutation { createPost(input: { text: "to my followers" }) { id } }', {}, { token: ada.token });
    await s.runtime.dispatcher.drain();
    let text = '';
    while (!/event: next\ndata: .*\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const data = JSON.parse(/event: next\ndata: (.*)\n/.exec(text)?.[1] ?? '{}');
    assert.deepEqual(data.data.onFeedPost, {
      userId: bob.id,
      post: { text: 'to my followers', author: { displayName: 'Ada' } },
    });
  });
});
