// The social app's GraphQL client, in two small parts rather than a GraphQL library (Apollo, urql):
// the screens need one request shape and three subscriptions, not a normalised cache.
//
// Queries and mutations are POSTs to /graphql through `session.call`, so they carry the access
// token, refresh it, and sign out on a 401 like every other call. GraphQL answers refusals with
// 200 and `{errors: [{message, extensions: {code}}]}`; `gql` turns the first into a GraphQLError,
// which is an ApiError, so `errorText` shows the API's own words as it does for REST refusals.
//
// Subscriptions go over one WebSocket for the whole page (graphql-ws, the graphql-transport-ws
// protocol). It opens with the first subscription and closes with the last (`lazy`), sends the
// access token in its first message (browsers cannot set headers on a WebSocket), asks the session
// for it again on each reconnect (so a refreshed token is used), and reconnects after any close,
// the client re-subscribing what was live. Signing out drops the socket at once.
import { type Client, createClient } from 'graphql-ws';
import { ApiError } from './api.ts';
import { session } from './session.ts';

/** A refusal in GraphQL's words: `code` is `extensions.code` (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND…). */
export class GraphQLError extends ApiError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(200, { title: code, status: 200, detail: message, code });
  }
}

interface GraphQLErrorEntry {
  message: string;
  extensions?: { code?: string };
}

interface GraphQLReply<T> {
  data?: T | null;
  errors?: GraphQLErrorEntry[];
}

const firstError = (errors: readonly GraphQLErrorEntry[]) =>
  new GraphQLError(errors[0]?.message ?? 'The request failed', errors[0]?.extensions?.code ?? 'UNKNOWN');

/** Runs one query or mutation; resolves with `data`, rejects with the first error (GraphQLError). */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const reply = await session.call<GraphQLReply<T>>('/graphql', { method: 'POST', body: { query, variables } });
  if (reply.errors && reply.errors.length > 0) throw firstError(reply.errors);
  if (!reply.data) throw new GraphQLError('The API answered without data', 'UNKNOWN');
  return reply.data;
}

/** The socket's address: the API's origin (the page's own on one machine), as ws:// or wss://. */
function socketUrl(): string {
  const apiBase = document.querySelector<HTMLMetaElement>('meta[name="stratus-api"]')?.content || location.origin;
  const url = new URL(`${apiBase.replace(/\/$/, '')}/graphql`);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  return url.href;
}

let client: Client | undefined;

function liveClient(): Client {
  client ??= createClient({
    url: socketUrl(),
    lazy: true,
    connectionParams: async () => ({ Authorization: `Bearer ${await session.currentToken()}` }),
    // Every close is worth another try (a server restart, a phone that slept); the wait grows.
    shouldRetry: () => true,
    retryAttempts: Number.POSITIVE_INFINITY,
  });
  return client;
}

session.subscribe((state) => {
  if (state.status === 'signedOut' && client) {
    void client.dispose();
    client = undefined;
  }
});

/**
 * Starts a subscription; `onData` hears each event's `data`, `onError` a refusal (in GraphQL's
 * words) after which the subscription has ended. Returns the function that ends it.
 */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError?: (error: Error) => void,
): () => void {
  return liveClient().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors && result.errors.length > 0) onError?.(firstError(result.errors));
        else if (result.data) onData(result.data as T);
      },
      error: (error) => {
        if (Array.isArray(error)) onError?.(firstError(error as GraphQLErrorEntry[]));
        else onError?.(error instanceof Error ? error : new Error('The live connection closed'));
      },
      complete: () => {},
    },
  );
}
