/**
 * The social app's GraphQL endpoint on one machine, `/graphql`, through the HTTP app (behind its
 * headers, CORS and limits): queries and mutations straight into the graph (`graphql-http.ts`),
 * subscriptions over SSE by graphql-yoga, and over WebSocket by graphql-ws on the same path. Both run the same
 * schema, checks and error shaping as the AppSync data source (`SocialGraph`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import { useServer as serveGraphqlOverWebSocket } from 'graphql-ws/use/ws';
import { createYoga } from 'graphql-yoga';
import type { MiddlewareHandler } from 'hono';
import { WebSocketServer } from 'ws';
import type { GraphAuth } from '../apps/social/graphql/auth.ts';
import type { SocialGraph } from '../apps/social/graphql/graph.ts';
import { graphAuthOf } from '../apps/social/guard.ts';
import type { AppEnv } from '../http/context.ts';
import { graphqlOverHttp } from './graphql-http.ts';

export const GRAPHQL_PATH = '/graphql';
/** A subscribe message is small; nothing a client sends needs more. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * Each subscription holds a listener on the live bus for as long as the socket lives: a page
 * needs a handful (a post's comments and likes, the feed), so a client asking for more is stuck.
 */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;

export interface GraphqlServerOptions {
  graph: SocialGraph;
  guard: MiddlewareHandler<AppEnv>;
  /** Checks an access token (signature, expiry, revocation) and names its user. */
  authenticate(accessToken: string): Promise<{ sub: string }>;
  /** Browsers' WebSocket connections are accepted from these origins only (as CORS does for HTTP). */
  origins: string[];
}

export interface GraphqlServer {
  routes: OpenAPIHono<AppEnv>;
  /** For the HTTPS server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export function createGraphqlServer(options: GraphqlServerOptions): GraphqlServer {
  const { graph } = options;
  const yoga = createYoga<{ auth: GraphAuth }>({
    schema: graph.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: ({ auth }) => graph.contextFor(auth),
    plugins: graph.plugins,
    // The graph parses and validates with its own cache, which knows that validity depends on the auth mode.
    parserAndValidationCache: false,
    maskedErrors: { maskError: (error) => graph.clientError(error) },
    // GraphiQL loads from a CDN, which neither this page's CSP nor an offline machine allows.
    graphiql: false,
    landingPage: false,
    logging: false,
    // The HTTP app answers CORS for every route alike.
    cors: false,
    // Node's own Request and Response, which the HTTP server writes out directly; yoga's
    // ponyfills would be streamed out piece by piece.
    fetchAPI: { Request, Response, Headers, ReadableStream, TextEncoder, TextDecoder, URL, URLSearchParams },
  });

  const routes = new OpenAPIHono<AppEnv>();
  const queriesAndMutations = graphqlOverHttp(graph, graphAuthOf);
  routes.on(['GET', 'POST'], GRAPHQL_PATH, options.guard, (c) =>
    c.req.header('Accept')?.includes('text/event-stream')
      ? yoga.fetch(c.req.raw, { auth: graphAuthOf(c) })
      : queriesAndMutations(c),
  );

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const authOf = new WeakMap<object, GraphAuth>();
  serveGraphqlOverWebSocket(
    {
      // A connection must start with a valid access token (browsers cannot set headers on one).
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization;
        const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
        if (!token) return false;
        try {
          const { sub } = await options.authenticate(token);
          authOf.set(ctx.extra.socket, { mode: 'user', sub });
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const auth = authOf.get(ctx.extra.socket);
        if (!auth) return [new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } })];
        // This subscription is already counted among the socket's.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [
            new GraphQLError(
              `At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection: complete one you no longer need`,
              { extensions: { code: 'TOO_MANY_REQUESTS' } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ auth });
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (error) {
          return [graph.clientError(error)];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
    },
    sockets,
  );

  return {
    routes,
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'https://localhost').pathname;
      const origin = request.headers.origin;
      if (path !== GRAPHQL_PATH || (origin !== undefined && !options.origins.includes(origin))) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
    },
    async close() {
      for (const client of sockets.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
