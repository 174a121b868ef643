// The AppSync event → GraphQL request translation, on events shaped as AppSync sends them to a
// direct Lambda resolver, against the real schema file. Each rebuilt document is also validated
// against that schema, and some are executed on it, to show the values land where AppSync reads them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { AppSyncIdentity, AppSyncResolverEvent } from 'aws-lambda';
import { execute, parse, print, validate } from 'graphql';
import { type AppSyncEvent, appSyncSchema, graphAuth, graphRequest, UnsupportedEventError } from './appsync-event.ts';

const schema = appSyncSchema(readFileSync(new URL('../apps/social/graphql/schema.graphql', import.meta.url), 'utf8'));

const cognito: AppSyncIdentity = {
  sub: '7d8ca528-4931-4254-9273-ea5ee853f271',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI',
  username: '7d8ca528-4931-4254-9273-ea5ee853f271',
  claims: { sub: '7d8ca528-4931-4254-9273-ea5ee853f271', token_use: 'access', scope: 'aws.cognito.signin.user.admin' },
  sourceIp: ['203.0.113.7'],
  defaultAuthStrategy: 'ALLOW',
  groups: null,
};

const streamFunction: AppSyncIdentity = {
  accountId: '123456789012',
  cognitoIdentityPoolId: '',
  cognitoIdentityId: '',
  sourceIp: ['198.51.100.4'],
  username: 'AROAEXAMPLEROLEID:Stratus-dev-FunctionsTableStream',
  userArn:
    'arn:aws:sts::123456789012:assumed-role/Stratus-dev-FunctionsTableStreamRole/Stratus-dev-FunctionsTableStream',
  cognitoIdentityAuthType: '',
  cognitoIdentityAuthProvider: '',
};

/** An event as AppSync sends it to a direct Lambda resolver (no request mapping template). */
function appSyncEvent(
  parentTypeName: string,
  fieldName: string,
  options: {
    arguments?: Record<string, unknown>;
    identity?: AppSyncIdentity;
    selectionSetGraphQL?: string;
    selectionSetList?: string[];
    variables?: Record<string, unknown>;
  } = {},
): AppSyncResolverEvent<Record<string, unknown>> {
  return {
    arguments: options.arguments ?? {},
    identity: options.identity === undefined ? cognito : options.identity,
    source: null,
    request: {
      headers: {
        'content-type': 'application/json',
        host: 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com',
        'x-amzn-requestid': 'c9f6a6a2-4b2f-4a8e-9d1c-2b1f0e8b7a11',
      },
      domainName: null,
    },
    info: {
      fieldName,
      parentTypeName,
      variables: options.variables ?? {},
      selectionSetGraphQL: options.selectionSetGraphQL ?? '',
      selectionSetList: options.selectionSetList ?? [],
    },
    prev: null,
    stash: {},
  };
}

/** The document as graphql-js prints it, for comparing with a hand-written one. */
const normalized = (document: string) => print(parse(document));

function assertValid(document: string): void {
  assert.deepEqual(
    validate(schema, parse(document)).map((e) => e.message),
    [],
  );
}

describe('an AppSync event becomes a one-field GraphQL request', () => {
  test('a query keeps its nested selection set, and its arguments become variables typed as in the schema', () => {
    const event = appSyncEvent('Query', 'feed', {
      arguments: { limit: 20, nextToken: 'eyJQSyI6IlVTRVIjMSJ9' },
      selectionSetGraphQL:
        '{\n  items {\n    id\n    text\n    createdAt\n    author {\n      id\n      username\n      avatarUrl\n    }\n    photos {\n      id\n      thumbnailUrl\n    }\n  }\n  nextToken\n}',
      selectionSetList: [
        'items',
        'items/id',
        'items/text',
        'items/createdAt',
        'items/author',
        'items/author/id',
        'items/author/username',
        'items/author/avatarUrl',
        'items/photos',
        'items/photos/id',
        'items/photos/thumbnailUrl',
        'nextToken',
      ],
    });
    const request = graphRequest(event, schema);
    assert.equal(
      normalized(request.document),
      normalized(`query feed($limit: Int, $nextToken: String) {
        feed(limit: $limit, nextToken: $nextToken) {
          items { id text createdAt author { id username avatarUrl } photos { id thumbnailUrl } }
          nextToken
        }
      }`),
    );
    assert.deepEqual(request.variables, { limit: 20, nextToken: 'eyJQSyI6IlVTRVIjMSJ9' });
    assert.equal(request.operationName, 'feed');
    assert.deepEqual(request.auth, { mode: 'user', sub: cognito?.sub });
    assertValid(request.document);
  });

  test('only the arguments the client sent are declared, so an omitted one stays omitted', () => {
    const request = graphRequest(appSyncEvent('Query', 'feed', { selectionSetGraphQL: '{\n  nextToken\n}' }), schema);
    assert.equal(normalized(request.document), normalized('query feed { feed { nextToken } }'));
    assert.deepEqual(request.variables, {});
    assertValid(request.document);
  });

  test('a mutation with an input object and a list passes them whole as one typed variable', () => {
    const input = { text: 'Sunset over the bay', photoIds: ['01JBX2K9Q4', '01JBX2K9Q5'] };
    const request = graphRequest(
      appSyncEvent('Mutation', 'createPost', {
        arguments: { input },
        selectionSetGraphQL: '{\n  id\n  text\n  likeCount\n  photos {\n    id\n    width\n    height\n    url\n  }\n}',
      }),
      schema,
    );
    assert.equal(
      normalized(request.document),
      normalized(`mutation createPost($input: CreatePostInput!) {
        createPost(input: $input) { id text likeCount photos { id width height url } }
      }`),
    );
    assert.deepEqual(request.variables, { input });
    assertValid(request.document);
  });

  test('a field with several required arguments declares each with its non-null type', () => {
    const request = graphRequest(
      appSyncEvent('Mutation', 'markStorySeen', {
        arguments: { id: '01JBX3', authorId: 'a1b2' },
        selectionSetGraphQL: '{\n  id\n  seen\n}',
      }),
      schema,
    );
    assert.match(request.document, /^mutation markStorySeen\(\$id: ID!, \$authorId: ID!\)/);
    assert.match(request.document, /markStorySeen\(id: \$id, authorId: \$authorId\)/);
    assertValid(request.document);
  });

  test('aliases are dropped, so each value comes back under the field name AppSync reads it by', async () => {
    const request = graphRequest(
      appSyncEvent('Query', 'post', {
        arguments: { id: 'p1' },
        selectionSetGraphQL: '{\n  id\n  body: text\n  writer: author {\n    handle: username\n  }\n}',
        selectionSetList: ['id', 'body', 'writer', 'writer/handle'],
      }),
      schema,
    );
    assert.doesNotMatch(request.document, /body|writer|handle/);
    const result = await execute({
      schema,
      document: parse(request.document),
      variableValues: request.variables,
      rootValue: { post: { id: 'p1', text: 'hello', author: { username: 'ana' } } },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(result.data)), {
      post: { id: 'p1', text: 'hello', author: { username: 'ana' } },
    });
  });

  test('variables used further down are written in as literals of their schema type; an unsent one drops its argument', () => {
    const request = graphRequest(
      appSyncEvent('Query', 'profile', {
        arguments: { id: 'u42' },
        selectionSetGraphQL:
          '{\n  id\n  posts(limit: $postCount, nextToken: $after) {\n    items {\n      id\n      comments(limit: $commentCount) {\n        items {\n          id\n          text\n        }\n      }\n    }\n  }\n  bio @include(if: $withBio)\n}',
        // `id` is a variable of the client's too: written in, it cannot clash with the root field's $id.
        variables: { id: 'u42', postCount: 5, commentCount: 2, withBio: true },
      }),
      schema,
    );
    assert.equal(
      normalized(request.document),
      normalized(`query profile($id: ID!) {
        profile(id: $id) {
          id
          posts(limit: 5) { items { id comments(limit: 2) { items { id text } } } }
          bio @include(if: true)
        }
      }`),
    );
    assert.deepEqual(request.variables, { id: 'u42' });
    assertValid(request.document);
  });

  test('inline fragments, which is how AppSync passes named fragments on, are kept', () => {
    const request = graphRequest(
      appSyncEvent('Query', 'me', {
        selectionSetGraphQL: '{\n  id\n  ... on Profile {\n    displayName\n    followerCount\n  }\n  __typename\n}',
      }),
      schema,
    );
    assert.equal(
      normalized(request.document),
      normalized('query me { me { id ... on Profile { displayName followerCount } __typename } }'),
    );
    assertValid(request.document);
  });

  test('a selection set given wrapped in the root field itself is unwrapped', () => {
    const request = graphRequest(
      appSyncEvent('Query', 'post', {
        arguments: { id: 'p1' },
        selectionSetGraphQL: '{\n  post(id: $postId) {\n    id\n    likeCount\n  }\n}',
        variables: { postId: 'p1' },
      }),
      schema,
    );
    assert.equal(normalized(request.document), normalized('query post($id: ID!) { post(id: $id) { id likeCount } }'));
  });

  test('the IAM-only publish mutations keep the stream function as an IAM caller', () => {
    const request = graphRequest(
      appSyncEvent('Mutation', 'publishLikeChanged', {
        arguments: { postId: 'p1', likeCount: 3 },
        identity: streamFunction,
        selectionSetGraphQL: '{\n  postId\n  likeCount\n}',
      }),
      schema,
    );
    assert.deepEqual(request.auth, { mode: 'iam' });
    assert.deepEqual(request.variables, { postId: 'p1', likeCount: 3 });
    assert.match(request.document, /^mutation publishLikeChanged\(\$postId: ID!, \$likeCount: Int!\)/);
  });

  test('only root Query and Mutation fields of the schema are accepted', () => {
    for (const [parent, field] of [
      ['Subscription', 'onFeedPost'],
      ['Profile', 'posts'],
      ['Query', 'notAField'],
    ] as const) {
      assert.throws(
        () => graphRequest(appSyncEvent(parent, field), schema),
        UnsupportedEventError,
        `${parent}.${field}`,
      );
    }
  });
});

describe('the caller AppSync names becomes the graph’s auth mode', () => {
  test('a user pool identity is that user, by sub', () => {
    assert.deepEqual(graphAuth(cognito), { mode: 'user', sub: '7d8ca528-4931-4254-9273-ea5ee853f271' });
  });

  test('no identity (null or absent) is an API key holder', () => {
    assert.deepEqual(graphAuth(null), { mode: 'apiKey' });
    assert.deepEqual(graphAuth(undefined), { mode: 'apiKey' });
    const event: AppSyncEvent = { ...appSyncEvent('Query', 'post'), identity: null };
    assert.deepEqual(graphRequest({ ...event, arguments: { id: 'p1' } }, schema).auth, { mode: 'apiKey' });
  });

  test('an IAM principal, without a sub, is IAM', () => {
    assert.deepEqual(graphAuth(streamFunction), { mode: 'iam' });
  });

  test('an identity of no known kind is refused rather than guessed', () => {
    assert.throws(() => graphAuth({ resolverContext: {} } as AppSyncIdentity), UnsupportedEventError);
  });
});
