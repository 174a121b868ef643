// The GraphQL construct's own logic, without a synth: which fields get a resolver, and what the
// onFeedPost subscription resolver lets through. The API as deployed is checked in
// infra/stratus-stack.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { ON_FEED_POST_RESOLVER, resolvedFields, SCHEMA_FILE } from './graphql.ts';

describe('the fields that get a direct Lambda resolver', () => {
  test('are every Query and Mutation field of the schema file', () => {
    const fields = resolvedFields();
    const names = fields.map((f) => `${f.typeName}.${f.fieldName}`);
    for (const expected of ['Query.me', 'Query.feed', 'Mutation.createPost', 'Mutation.publishFeedPost']) {
      assert.ok(names.includes(expected), expected);
    }
    assert.ok(!names.some((name) => name.startsWith('Subscription.')), 'subscriptions are AppSync’s own');
    assert.equal(new Set(names).size, names.length);
  });

  test('follow the schema: a field added to it is resolved at the next synth', () => {
    const sdl = readFileSync(SCHEMA_FILE, 'utf8').replace(
      'type Query {',
      'type Query {\n  trending(limit: Int): PostConnection! @aws_api_key',
    );
    const before = resolvedFields().length;
    const after = resolvedFields(sdl);
    assert.equal(after.length, before + 1);
    assert.ok(after.some((f) => f.typeName === 'Query' && f.fieldName === 'trending'));
  });
});

describe('the onFeedPost subscription resolver', () => {
  /** The resolver's request handler, run as AppSync's JavaScript runtime would, with its `util`. */
  const request = (() => {
    const source = ON_FEED_POST_RESOLVER.replace(/^import .*$/m, '').replace(/^export function/gm, 'function');
    const util = {
      unauthorized: () => {
        throw new Error('Unauthorized');
      },
    };
    return runInNewContext(`${source}\nrequest`, { util }) as (ctx: {
      args: Record<string, unknown>;
      identity: { sub?: string } | null;
    }) => unknown;
  })();

  test('lets a signed-in user subscribe to their own feed', () => {
    // Through JSON: the object comes from the resolver's own realm, with its own Object prototype.
    const result = request({ args: { userId: 'user-1' }, identity: { sub: 'user-1' } });
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { payload: null });
  });

  test('refuses a subscription to anyone else’s feed', () => {
    assert.throws(() => request({ args: { userId: 'user-2' }, identity: { sub: 'user-1' } }), /Unauthorized/);
  });

  test('refuses a caller without a user pool identity', () => {
    assert.throws(() => request({ args: { userId: 'user-1' }, identity: null }), /Unauthorized/);
    assert.throws(() => request({ args: { userId: 'user-1' }, identity: {} }), /Unauthorized/);
  });

  test('imports util from AppSync’s utils and exports both handlers, as the APPSYNC_JS runtime requires', () => {
    assert.match(ON_FEED_POST_RESOLVER, /^import \{ util \} from '@aws-appsync\/utils';$/m);
    assert.match(ON_FEED_POST_RESOLVER, /^export function request\(ctx\)/m);
    assert.match(ON_FEED_POST_RESOLVER, /^export function response\(ctx\)/m);
  });
});
