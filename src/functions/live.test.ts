// The Live port as the Lambda runtime wires it (runtime.ts `livePublisher`): dropped without
// APPSYNC_URL, pushed to AppSync with the function's credentials (here from the environment,
// as Lambda gives them) when set, and never thrown. A stand-in on 127.0.0.1 plays AppSync; the
// publisher itself is tested in src/adapters/aws/appsync-publisher.test.ts.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { LiveEvent } from '../platform/live.ts';
import type { AwsConfig } from './config.ts';
import { livePublisher } from './runtime.ts';

// Lambda hands a function its role's credentials in these variables.
process.env.AWS_ACCESS_KEY_ID = 'ASIALAMBDAROLEKEY000';
process.env.AWS_SECRET_ACCESS_KEY = 'lambda-role-secret';
process.env.AWS_SESSION_TOKEN = 'lambda-role-session-token';

const arrived: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  arrived.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
});
let url = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = (appsyncUrl?: string) => ({ region: 'eu-west-1', ...(appsyncUrl ? { appsyncUrl } : {}) }) as AwsConfig;
const like: LiveEvent = { type: 'likeChanged', postId: 'p1', likeCount: 7 };

test('without APPSYNC_URL a push is dropped, quietly', async () => {
  const failures: unknown[] = [];
  await livePublisher(config(), (error) => failures.push(error)).publish(like);
  assert.deepEqual(failures, []);
  assert.equal(arrived.length, 0);
});

test('with APPSYNC_URL a push reaches AppSync, signed with the function’s own credentials', async () => {
  const failures: unknown[] = [];
  await livePublisher(config(url), (error) => failures.push(error)).publish(like);
  assert.deepEqual(failures, []);
  assert.equal(arrived.length, 1);
  assert.match(
    String(arrived[0]?.headers.authorization),
    /Credential=ASIALAMBDAROLEKEY000\/\d{8}\/eu-west-1\/appsync\//,
  );
  assert.equal(arrived[0]?.headers['x-amz-security-token'], 'lambda-role-session-token');
  assert.deepEqual(JSON.parse(arrived[0]?.body ?? '{}').variables, { postId: 'p1', likeCount: 7 });
});

test('a push that cannot be delivered is reported with its event and not thrown', async () => {
  const failures: Array<{ error: unknown; event: LiveEvent }> = [];
  const closed = 'http://127.0.0.1:9/graphql';
  await livePublisher(config(closed), (error, event) => failures.push({ error, event })).publish(like);
  assert.equal(failures.length, 1);
  assert.deepEqual(failures[0]?.event, like);
});
