/**
 * The Live port on AWS: AppSync delivers a subscription from the result of the mutation it
 * listens to (`@aws_subscribe`), so a push is a call to the IAM-only mutation behind it, signed
 * with SigV4 (service `appsync`) as the function's own role:
 * - `likeChanged` → `publishLikeChanged`, which `onLikeChanged` listens to;
 * - `feedPost` → `publishFeedPost`, which `onFeedPost` listens to;
 * - `commentAdded` needs nothing: `addComment` is itself the mutation `onCommentAdded` listens to.
 * Subscribers receive only the fields the mutation selects, so each selection below is what a
 * client can read from its subscription.
 *
 * Best effort, as the port promises: a push that fails (AppSync down or throttling, a network
 * error, a timeout, an error in the GraphQL response) is reported through `onError` and `publish`
 * returns normally. The caller is a DynamoDB stream handler: throwing would fail the batch and run
 * every stream handler on it again (counters, fan-out) for a push that clients do without; they
 * catch up on their next read.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { LiveEvent, LivePublisher } from '../../platform/live.ts';

export const PUBLISH_LIKE_CHANGED =
  'mutation($postId:ID!,$likeCount:Int!){publishLikeChanged(postId:$postId,likeCount:$likeCount){postId likeCount}}';
export const PUBLISH_FEED_POST =
  'mutation($userId:ID!,$postId:ID!){publishFeedPost(userId:$userId,postId:$postId){userId post{ id text createdAt likeCount commentCount author{ id username displayName avatarUrl } photos{ id width height thumbnailUrl url } }}}';

/** How long a push may take before it is given up: a stream batch waits for it. */
const DEFAULT_TIMEOUT_MS = 5000;
/**
 * Pushes in flight at once. A post fans out to every follower's feed at once (one push each, up
 * to the fan-out limit), and a Lambda function has 1,024 file descriptors: the rest wait their turn.
 */
const DEFAULT_MAX_CONCURRENT = 16;

export interface AppSyncLivePublisherOptions {
  /** The API's GraphQL endpoint, `https://<id>.appsync-api.<region>.amazonaws.com/graphql`. */
  url: string;
  /** The API's region, which the signature names. */
  region: string;
  /** The function's credentials (its role); a provider is asked on every push, so rotated ones are used. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  timeoutMs?: number;
  /** Pushes in flight at once; the others wait. */
  maxConcurrent?: number;
  /** A push that did not reach AppSync, or that AppSync refused. */
  onError(error: Error, event: LiveEvent): void;
  /** For tests: the signing time. */
  now?: () => Date;
}

/** What became of one push. */
export type PushOutcome =
  | { status: 'sent' }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: Error };

/** The mutation behind an event, or none when AppSync needs no call for it. */
export function pushRequest(event: LiveEvent): { query: string; variables: Record<string, unknown> } | undefined {
  switch (event.type) {
    case 'likeChanged':
      return { query: PUBLISH_LIKE_CHANGED, variables: { postId: event.postId, likeCount: event.likeCount } };
    case 'feedPost':
      return { query: PUBLISH_FEED_POST, variables: { userId: event.userId, postId: event.postId } };
    case 'commentAdded':
      return undefined;
  }
}

export class AppSyncLivePublisher implements LivePublisher {
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: AppSyncLivePublisherOptions) {
    this.endpoint = new URL(options.url);
    this.signer = new SignatureV4({
      service: 'appsync',
      region: options.region,
      credentials: options.credentials,
      sha256: NodeSha256,
    });
  }

  async publish(event: LiveEvent): Promise<void> {
    const outcome = await this.push(event);
    if (outcome.status === 'failed') this.options.onError(outcome.error, event);
  }

  /** One push, never thrown: what `publish` reports, for callers and tests that want the outcome. */
  async push(event: LiveEvent): Promise<PushOutcome> {
    const request = pushRequest(event);
    if (!request) return { status: 'skipped', reason: `AppSync delivers ${event.type} from its own mutation` };
    await this.acquire();
    try {
      await this.send(JSON.stringify(request));
      return { status: 'sent' };
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < (this.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT)) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resume) => this.waiting.push(resume));
  }

  /** Hands the slot straight to the next waiting push, so a newcomer cannot take it in between. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  private async send(body: string): Promise<void> {
    const { endpoint } = this;
    const signed = await this.signer.sign(
      {
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path: endpoint.pathname,
        query: {},
        // `host` is signed: AppSync checks it against the endpoint it serves.
        headers: { 'content-type': 'application/json', host: endpoint.host },
        body,
      },
      this.options.now ? { signingDate: this.options.now() } : {},
    );
    // fetch sets Host itself (from the URL, the same value); it refuses to be given one.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`AppSync answered ${response.status}: ${text.slice(0, 500)}`);
    const result = parseJson(text) as { errors?: Array<{ message?: string; errorType?: string }> } | undefined;
    const [first] = result?.errors ?? [];
    if (first) throw new Error(`AppSync refused the push: ${first.errorType ?? 'error'}: ${first.message ?? ''}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 (or its HMAC, given a secret) from node:crypto, in the shape the signer takes: the
 * same as @smithy/hash-node, without another package.
 */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof this.secret === 'string' ? this.secret : toBuffer(this.secret));
  }
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}
