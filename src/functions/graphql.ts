// Lambda entry point: the AppSync GraphQL API's Lambda data source, with a direct Lambda resolver
// (no mapping template) on every Query and Mutation field (infra/constructs/graphql.ts). Each
// invocation is one root field: the event is turned back into a one-field GraphQL request
// (./appsync-event.ts) and run by the social graph, the same schema, resolvers and checks as
// /graphql on one machine. AppSync resolves the nested fields itself from the returned value.
//
// Errors: a direct Lambda resolver can only return the field's value or fail the invocation.
// A failure reaches the client as a GraphQL error whose `message` is the thrown error's message;
// Node's Lambda runtime reports the error's `name` as its `errorType`, so the graph's error code
// (extensions.code: BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, ...) is put there. The graph's errors
// are already fit for clients (an unexpected one is reported by the graph and masked), so the
// message is passed on as it is. A document the graph's rules refuse carries no code: it gets
// GRAPHQL_VALIDATION_FAILED, as graphql-yoga names it, and is logged, since the document is
// rebuilt here and a refusal may be a translation bug rather than the client's.
import type { Context } from 'aws-lambda';
import type { GraphQLError } from 'graphql';
import type { SocialGraph } from '../apps/social/graphql/graph.ts';
import { type AppSyncEvent, graphRequest } from './appsync-event.ts';
import { runtimeFromEnvironment } from './environment.ts';
import type { AwsRuntime } from './runtime.ts';

/** What the resolver uses of the runtime: narrow enough to be given plain objects in tests. */
export interface GraphqlRuntime {
  apps: { socialGraph: Pick<SocialGraph, 'execute' | 'schema'> };
  logger: Pick<AwsRuntime['logger'], 'addContext' | 'warn'>;
}

/** The type of an error without a code: the graph's validation rules refused the document. */
export const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';

/**
 * A field that failed, as AppSync shows it: `message` to the client, the code as `errorType`
 * (the Lambda runtime serializes `name` as `errorType`; `errorType` is set too for readers of the
 * error object itself).
 */
export class GraphFieldError extends Error {
  constructor(
    message: string,
    readonly errorType: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

export function graphqlResolver(runtime: () => GraphqlRuntime) {
  return async (event: AppSyncEvent, context: Context): Promise<unknown> => {
    const { apps, logger } = runtime();
    logger.addContext(context);
    const graph = apps.socialGraph;
    const request = graphRequest(event, graph.schema);
    const result = await graph.execute(request);
    const [first, ...rest] = result.errors ?? [];
    // A nested error with partial data is still a failure: AppSync would show the rest without it.
    if (first) throw fieldError(first, rest.length, event, logger);
    return result.data?.[event.info.fieldName] ?? null;
  };
}

function fieldError(
  error: GraphQLError,
  others: number,
  event: AppSyncEvent,
  logger: GraphqlRuntime['logger'],
): GraphFieldError {
  const code = error.extensions?.code;
  if (typeof code === 'string') return new GraphFieldError(error.message, code);
  logger.warn('graphql document refused', {
    field: `${event.info.parentTypeName}.${event.info.fieldName}`,
    message: error.message,
    otherErrors: others,
  });
  return new GraphFieldError(error.message, VALIDATION_FAILED);
}

export const handler = graphqlResolver(runtimeFromEnvironment);
