/**
 * Queries and mutations over HTTP (the GraphQL-over-HTTP spec), straight into `SocialGraph`.
 * graphql-yoga serves the same requests, but its fetch-API pipeline (a web `Request`, envelop's
 * hooks, its executor, a streamed `Response`) cost ~0.7 ms of CPU a request, six times a whole
 * REST read; here a request is one body read, one `execute`, one JSON text (bench/README.md).
 * Subscriptions over SSE stay with yoga, which does them well.
 */
import type { Context } from 'hono';
import type { GraphAuth } from '../apps/social/graphql/auth.ts';
import type { GraphRequest, SocialGraph } from '../apps/social/graphql/graph.ts';
import type { AppEnv } from '../http/context.ts';

/** The spec's media type: with it, a request that never ran (syntax, validation) answers 400. */
const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

/** The spec's name for a request that is not a GraphQL request at all. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 405 | 406 | 415,
  ) {
    super(message);
  }
}

export function graphqlOverHttp(graph: SocialGraph, authOf: (c: Context<AppEnv>) => GraphAuth) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const accept = c.req.header('Accept');
    const mediaType = accept?.includes(GRAPHQL_RESPONSE) ? GRAPHQL_RESPONSE : JSON_TYPE;
    try {
      if (accept && !acceptsJson(accept)) {
        throw new RequestError(`Accept ${JSON_TYPE} or ${GRAPHQL_RESPONSE}: no other answer is made here`, 406);
      }
      const params = c.req.method === 'GET' ? paramsOfUrl(c.req.url) : await paramsOfBody(c);
      const request: GraphRequest = { ...params, auth: authOf(c) };
      if (c.req.method === 'GET' && graph.operationOf(request) === 'mutation') {
        c.header('Allow', 'POST');
        throw new RequestError('Send mutations with POST: a GET must not change anything', 405);
      }
      const result = await graph.execute(request);
      // Under the spec's own media type, a document that never ran is the client's error.
      const status = mediaType === GRAPHQL_RESPONSE && result.data === undefined ? 400 : 200;
      return c.body(JSON.stringify(result), status, { 'Content-Type': `${mediaType}; charset=utf-8` });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      return c.body(JSON.stringify({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] }), {
        status: error.status,
        headers: { 'Content-Type': `${mediaType}; charset=utf-8` },
      });
    }
  };
}

function acceptsJson(accept: string): boolean {
  return /(^|,)\s*(\*\/\*|application\/\*|application\/json|application\/graphql-response\+json)\s*(;|,|$)/i.test(
    accept,
  );
}

type Params = Omit<GraphRequest, 'auth'>;

async function paramsOfBody(c: Context<AppEnv>): Promise<Params> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/(graphql-response\+)?json\s*(;|$)/i.test(type)) {
    throw new RequestError(`Send the request as ${JSON_TYPE}: {"query": "...", "variables": {...}}`, 415);
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new RequestError('The body is not valid JSON', 400);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestError(
      Array.isArray(body) ? 'Send one operation per request: batches are not taken' : 'The body must be a JSON object',
      400,
    );
  }
  const { query, variables, operationName } = body as Record<string, unknown>;
  return checkedParams(query, variables, operationName);
}

function paramsOfUrl(url: string): Params {
  const search = new URL(url).searchParams;
  let variables: unknown;
  try {
    variables = search.has('variables') ? JSON.parse(search.get('variables') as string) : undefined;
  } catch {
    throw new RequestError('variables: not valid JSON', 400);
  }
  return checkedParams(search.get('query') ?? undefined, variables, search.get('operationName') ?? undefined);
}

function checkedParams(query: unknown, variables: unknown, operationName: unknown): Params {
  if (typeof query !== 'string' || query === '') throw new RequestError('query: a GraphQL document is required', 400);
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new RequestError('variables: must be a JSON object', 400);
  }
  if (operationName != null && typeof operationName !== 'string') {
    throw new RequestError('operationName: must be a string', 400);
  }
  return {
    document: query,
    ...(variables ? { variables: variables as Record<string, unknown> } : {}),
    ...(operationName ? { operationName } : {}),
  };
}
