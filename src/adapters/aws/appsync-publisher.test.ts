// The AppSync live publisher against a small stand-in for AppSync's GraphQL endpoint on
// 127.0.0.1, which records each request as it arrived. The real signer signs; the test checks the
// signature on its own, recomputing SigV4 from what reached the server (method, path, the signed
// headers, the body) with node:crypto, so a request AppSync would refuse fails here too. AppSync
// itself (its IAM check, the subscriptions it then delivers) is not run.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LiveEvent } from '../../platform/live.ts';
import { AppSyncLivePublisher, PUBLISH_FEED_POST, PUBLISH_LIKE_CHANGED } from './appsync-publisher.ts';

interface Arrived {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; body: string; delayMs?: number } | 'hang';

class AppSyncStandIn {
  readonly arrived: Arrived[] = [];
  /** Answers for the next requests, in order; then `{"data":{...}}` with 200. */
  readonly answers: Answer[] = [];
  /** Requests being answered now, and the most there were at once. */
  open = 0;
  mostOpen = 0;
  private server?: Server;
  url = '';
  host = '';

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.arrived.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = this.answers.shift() ?? { status: 200, body: '{"data":{"publishLikeChanged":{}}}' };
      if (answer === 'hang') return;
      this.open += 1;
      this.mostOpen = Math.max(this.mostOpen, this.open);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      this.open -= 1;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}/graphql`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const credentials = {
  accessKeyId: 'ASIAEXAMPLEKEY123456',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
};
const signingTime = new Date('2025-03-14T09:26:53Z');
const REGION = 'eu-west-1';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4 recomputed from the request as it arrived, for the secret the signer was given. */
function expectedSignature(request: Arrived, secretAccessKey: string): { signature: string; authorization: string } {
  const authorization = String(request.headers.authorization);
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  assert.ok(match, `Authorization has the SigV4 shape: ${authorization}`);
  const [, , date, region, service, signedHeaders] = match as unknown as string[];
  const amzDate = String(request.headers['x-amz-date']);
  const canonicalHeaders = (signedHeaders as string)
    .split(';')
    .map((name) => `${name}:${String(request.headers[name]).trim()}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.path,
    '',
    canonicalHeaders,
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date as string), region as string), service as string),
    'aws4_request',
  );
  return { signature: createHmac('sha256', key).update(stringToSign).digest('hex'), authorization };
}

describe('AppSyncLivePublisher', () => {
  const appsync = new AppSyncStandIn();
  let failures: Array<{ error: Error; event: LiveEvent }>;
  const publisher = (options: { timeoutMs?: number; url?: string } = {}) =>
    new AppSyncLivePublisher({
      url: options.url ?? appsync.url,
      region: REGION,
      credentials,
      now: () => signingTime,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      onError: (error, event) => failures.push({ error, event }),
    });

  before(() => appsync.start());
  after(() => appsync.close());
  beforeEach(() => {
    appsync.arrived.length = 0;
    appsync.answers.length = 0;
    appsync.mostOpen = 0;
    failures = [];
  });

  test('a like change is POSTed as the publishLikeChanged mutation, signed with SigV4 for appsync in the region', async () => {
    await publisher().publish({ type: 'likeChanged', postId: '01JBX2POST', likeCount: 42 });
    assert.deepEqual(failures, []);
    assert.equal(appsync.arrived.length, 1);
    const [request] = appsync.arrived as [Arrived];
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/graphql');
    assert.equal(request.headers.host, appsync.host);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      query: PUBLISH_LIKE_CHANGED,
      variables: { postId: '01JBX2POST', likeCount: 42 },
    });

    assert.equal(request.headers['x-amz-date'], '20250314T092653Z');
    assert.equal(request.headers['x-amz-security-token'], credentials.sessionToken);
    const { signature, authorization } = expectedSignature(request, credentials.secretAccessKey);
    assert.ok(
      authorization.startsWith(
        `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20250314/${REGION}/appsync/aws4_request, `,
      ),
      authorization,
    );
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    for (const name of ['content-type', 'host', 'x-amz-date', 'x-amz-security-token']) {
      assert.ok(signedHeaders.includes(name), `${name} is signed`);
    }
    assert.ok(authorization.endsWith(`Signature=${signature}`), 'the signature matches the request as it arrived');
  });

  test('a post reaching a feed is POSTed as publishFeedPost, selecting what onFeedPost subscribers read', async () => {
    await publisher().publish({ type: 'feedPost', userId: 'follower-1', postId: '01JBX2POST' });
    assert.deepEqual(failures, []);
    const [request] = appsync.arrived as [Arrived];
    const body = JSON.parse(request.body) as { query: string; variables: unknown };
    assert.equal(body.query, PUBLISH_FEED_POST);
    assert.deepEqual(body.variables, { userId: 'follower-1', postId: '01JBX2POST' });
    assert.match(body.query, /author\{ id username displayName avatarUrl \}/);
    assert.match(body.query, /photos\{ id width height thumbnailUrl url \}/);
    const { signature, authorization } = expectedSignature(request, credentials.secretAccessKey);
    assert.ok(authorization.endsWith(`Signature=${signature}`));
  });

  test('a new comment sends nothing: AppSync delivers onCommentAdded from addComment itself', async () => {
    const outcome = await publisher().push({ type: 'commentAdded', postId: 'p1', commentId: 'c1' });
    assert.equal(outcome.status, 'skipped');
    assert.equal(appsync.arrived.length, 0);
    assert.deepEqual(failures, []);
  });

  test('credentials from a provider are asked for on each push, so rotated ones sign the next', async () => {
    const keys = [
      { accessKeyId: 'ASIAFIRSTKEY00000000', secretAccessKey: 'first-secret' },
      { accessKeyId: 'ASIASECONDKEY0000000', secretAccessKey: 'second-secret' },
    ];
    let asked = 0;
    const rotating = new AppSyncLivePublisher({
      url: appsync.url,
      region: REGION,
      credentials: async () => keys[Math.min(asked++, 1)] as (typeof keys)[number],
      onError: (error, event) => failures.push({ error, event }),
    });
    await rotating.publish({ type: 'likeChanged', postId: 'p1', likeCount: 1 });
    await rotating.publish({ type: 'likeChanged', postId: 'p1', likeCount: 2 });
    assert.deepEqual(failures, []);
    const [first, second] = appsync.arrived as [Arrived, Arrived];
    assert.match(String(first.headers.authorization), /Credential=ASIAFIRSTKEY00000000\//);
    assert.match(String(second.headers.authorization), /Credential=ASIASECONDKEY0000000\//);
    assert.ok(
      String(second.headers.authorization).endsWith(
        `Signature=${expectedSignature(second, 'second-secret').signature}`,
      ),
    );
    assert.equal(second.headers['x-amz-security-token'], undefined, 'no session token, none sent');
  });

  test('a fan-out to many feeds keeps a bounded number of pushes in flight, and delivers them all', async () => {
    const slow = { status: 200, body: '{"data":{}}', delayMs: 30 };
    appsync.answers.push(...Array.from({ length: 12 }, () => slow));
    const limited = new AppSyncLivePublisher({
      url: appsync.url,
      region: REGION,
      credentials,
      maxConcurrent: 3,
      onError: (error, event) => failures.push({ error, event }),
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limited.publish({ type: 'feedPost', userId: `follower-${i}`, postId: 'p1' }),
      ),
    );
    assert.deepEqual(failures, []);
    assert.equal(appsync.arrived.length, 12);
    assert.equal(appsync.mostOpen, 3);
    const userIds = appsync.arrived.map(
      (r) => (JSON.parse(r.body) as { variables: { userId: string } }).variables.userId,
    );
    assert.deepEqual(userIds.sort(), Array.from({ length: 12 }, (_, i) => `follower-${i}`).sort());
  });

  describe('a push that fails is reported, never thrown', () => {
    const event: LiveEvent = { type: 'likeChanged', postId: 'p1', likeCount: 3 };

    test('AppSync answering with an error status', async () => {
      appsync.answers.push({ status: 401, body: '{"errors":[{"errorType":"UnauthorizedException"}]}' });
      await publisher().publish(event);
      assert.equal(failures.length, 1);
      assert.match(failures[0]?.error.message ?? '', /AppSync answered 401/);
      assert.deepEqual(failures[0]?.event, event);
    });

    test('AppSync answering 200 with a GraphQL error (e.g. the role may not call the field)', async () => {
      appsync.answers.push({
        status: 200,
        body: JSON.stringify({
          data: { publishLikeChanged: null },
          errors: [
            { errorType: 'Unauthorized', message: 'Not Authorized to access publishLikeChanged on type Mutation' },
          ],
        }),
      });
      const outcome = await publisher().push(event);
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.status === 'failed' ? outcome.error.message : '', /Unauthorized: Not Authorized/);
    });

    test('AppSync not answering within the timeout', async () => {
      appsync.answers.push('hang');
      const started = Date.now();
      await publisher({ timeoutMs: 200 }).publish(event);
      assert.ok(Date.now() - started < 2000, 'gave up at the timeout');
      assert.equal(failures.length, 1);
      assert.match(failures[0]?.error.name ?? '', /TimeoutError|AbortError/);
    });

    test('nothing listening at the address', async () => {
      const closed = new AppSyncStandIn();
      await closed.start();
      const url = closed.url;
      await closed.close();
      await publisher({ url }).publish(event);
      assert.equal(failures.length, 1);
      assert.match(failures[0]?.error.message ?? '', /fetch failed/);
    });
  });
});
