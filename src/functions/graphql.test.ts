// The AppSync Lambda entry point with a stand-in social graph that validates and executes on the
// real schema file with graphql-js (root values instead of the app's resolvers): what reaches the
// graph, what goes back to AppSync, and how errors are reported. The translation itself is tested
// in appsync-event.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AppSyncResolverEvent, Context } from 'aws-lambda';
import { execute, GraphQLError, parse, validate } from 'graphql';
import type { GraphRequest } from '../apps/social/graphql/graph.ts';
import { appSyncSchema } from './appsync-event.ts';
import { GraphFieldError, type GraphqlRuntime, graphqlResolver, VALIDATION_FAILED } from './graphql.ts';

const schema = appSyncSchema(readFileSync(new URL('../apps/social/graphql/schema.graphql', import.meta.url), 'utf8'));
const context = { awsRequestId: 'req-1' } as unknown as Context;

/** A graph that runs each request on the schema with `root` as its root value, recording the requests. */
function standInGraph(root: Record<string, unknown>) {
  const requests: GraphRequest[] = [];
  const warnings: Array<{ message: string; extra: Record<string, unknown> }> = [];
  const runtime: GraphqlRuntime = {
    apps: {
      socialGraph: {
        schema,
        execute: async (request) => {
          requests.push(request);
          const document = parse(request.document);
          const invalid = validate(schema, document);
          if (invalid.length > 0) return { errors: invalid };
          return execute({
            schema,
            document,
            rootValue: root,
            ...(request.variables ? { variableValues: request.variables } : {}),
            ...(request.operationName ? { operationName: request.operationName } : {}),
          });
        },
      },
    },
    logger: {
      addContext: () => {},
      warn: (message: string, extra: Record<string, unknown>) => warnings.push({ message, extra }),
    } as unknown as GraphqlRuntime['logger'],
  };
  return { resolve: graphqlResolver(() => runtime), requests, warnings };
}

function postEvent(
  identity: AppSyncResolverEvent<unknown>['identity'],
  selectionSetGraphQL = '{\n  id\n  text\n  likeCount\n}',
): AppSyncResolverEvent<Record<string, unknown>> {
  return {
    arguments: { id: 'p1' },
    identity,
    source: null,
    request: { headers: {}, domainName: null },
    info: {
      fieldName: 'post',
      parentTypeName: 'Query',
      variables: {},
      selectionSetGraphQL,
      selectionSetList: [],
    },
    prev: null,
    stash: {},
  };
}

test('the root field’s value is returned for AppSync to resolve the selection from', async () => {
  const graph = standInGraph({ post: { id: 'p1', text: 'hello', likeCount: 3 } });
  const value = await graph.resolve(postEvent(null), context);
  assert.deepEqual(JSON.parse(JSON.stringify(value)), { id: 'p1', text: 'hello', likeCount: 3 });
  assert.equal(graph.requests.length, 1);
  assert.deepEqual(graph.requests[0]?.auth, { mode: 'apiKey' }, 'no identity: an API key');
  assert.deepEqual(graph.requests[0]?.variables, { id: 'p1' });
});

test('a field that resolves to null returns null, not an error', async () => {
  const graph = standInGraph({ post: null });
  assert.equal(await graph.resolve(postEvent(null), context), null);
});

test('an error with a code is thrown with the graph’s message and the code as its type', async () => {
  const graph = standInGraph({
    post: () => {
      throw new GraphQLError('Post not found', { extensions: { code: 'NOT_FOUND' } });
    },
  });
  await assert.rejects(graph.resolve(postEvent(null), context), (error: unknown) => {
    assert.ok(error instanceof GraphFieldError);
    assert.equal(error.message, 'Post not found');
    assert.equal(error.name, 'NOT_FOUND');
    assert.equal(error.errorType, 'NOT_FOUND');
    return true;
  });
  assert.deepEqual(graph.warnings, [], 'a client error is not logged');
});

test('a document the graph refuses, with no code, is reported as a validation failure and logged', async () => {
  const graph = standInGraph({ post: { id: 'p1' } });
  await assert.rejects(graph.resolve(postEvent(null, '{\n  id\n  title\n}'), context), (error: unknown) => {
    assert.ok(error instanceof GraphFieldError);
    assert.match(error.message, /Cannot query field "title" on type "Post"/);
    assert.equal(error.name, VALIDATION_FAILED);
    return true;
  });
  assert.equal(graph.warnings.length, 1);
  assert.equal(graph.warnings[0]?.extra.field, 'Query.post');
});
