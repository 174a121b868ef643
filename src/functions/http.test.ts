import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type RunningDynalite, startDynalite } from '../../test/support/dynalite.ts';
import { ConfigError } from '../apps/settings.ts';
import { loadAwsConfig } from './config.ts';
import { httpFunction } from './http.ts';
import { type AwsRuntime, createAwsRuntime } from './runtime.ts';

const ORIGIN = 'https://app.example.com';
const environment = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'stratus-functions-test',
  BUCKET_NAME: 'stratus-user-data',
  USER_POOL_ID: 'us-east-1_TESTPOOL',
  USER_POOL_CLIENT_ID: 'test-client',
  CORS_ORIGINS: ORIGIN,
  LOG_LEVEL: 'silent',
};

/** An API Gateway REST API proxy event, as Lambda receives it (trimmed to the fields Hono reads). */
function restEvent(method: string, path: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      httpMethod: method,
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_795_000_000_000,
      resourceId: 'x1y2z3',
      resourcePath: '/{proxy+}',
      stage: 'prod',
      identity: { sourceIp: '203.0.113.7', userAgent: 'curl/8' },
      authorizer: null,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** A response header, from `headers` or `multiValueHeaders` (where REST API events get them). */
const header = (response: APIGatewayProxyResult, name: string): string | undefined =>
  (response.headers?.[name] as string | undefined) ?? response.multiValueHeaders?.[name]?.join(', ');

const lambdaContext = { functionName: 'stratus-sites', awsRequestId: 'req-1' } as unknown as Context;

describe('HTTP functions: the same routes behind the Lambda adapter, on DynamoDB (dynalite)', () => {
  let dynalite: RunningDynalite;
  let runtime: AwsRuntime;

  before(async () => {
    dynalite = await startDynalite();
    await dynalite.createTable(environment.TABLE_NAME);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    runtime = createAwsRuntime(loadAwsConfig(environment));
  });
  after(async () => {
    await runtime.apps.close();
    await dynalite.close();
  });

  const invoke = async (group: 'sites' | 'todos', event: APIGatewayProxyEvent) =>
    (await httpFunction(group, () => runtime)(event as never, lambdaContext)) as APIGatewayProxyResult;

  test('an unknown public site is a 404 problem+json read from the table, with the secure headers', async () => {
    const response = await invoke('sites', restEvent('GET', '/v1/sites/nobody', { Origin: ORIGIN }));
    assert.equal(response.statusCode, 404);
    assert.equal(header(response, 'content-type'), 'application/problem+json');
    assert.match(JSON.parse(response.body).detail, /nobody/);
    assert.equal(header(response, 'strict-transport-security'), 'max-age=63072000; includeSubDomains');
    assert.equal(header(response, 'access-control-allow-origin'), ORIGIN);
  });

  test('a signed-in route without a token is a 401 that says how to sign in', async () => {
    const response = await invoke('todos', restEvent('GET', '/v1/todos'));
    assert.equal(response.statusCode, 401);
    assert.match(JSON.parse(response.body).detail, /Bearer/);
  });

  test('another origin gets no CORS headers', async () => {
    const response = await invoke('sites', restEvent('GET', '/v1/sites/nobody', { Origin: 'https://evil.example' }));
    assert.equal(header(response, 'access-control-allow-origin'), undefined);
  });

  test('a route of another group is not served by this function', async () => {
    const response = await invoke('sites', restEvent('GET', '/v1/todos'));
    assert.equal(response.statusCode, 404);
  });
});

describe('Function configuration', () => {
  test('a missing setting fails the cold start naming the variable and what it is', () => {
    const { TABLE_NAME: _, ...rest } = environment;
    assert.throws(
      () => loadAwsConfig(rest),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /TABLE_NAME: is required: the DynamoDB table/);
        return true;
      },
    );
  });

  test('CORS origins must be named on AWS, and each must be a bare origin', () => {
    assert.throws(() => loadAwsConfig({ ...environment, CORS_ORIGINS: '' }), /CORS_ORIGINS: is required/);
    assert.throws(() => loadAwsConfig({ ...environment, CORS_ORIGINS: 'https://app.example.com/' }), /CORS_ORIGINS/);
  });

  test('the apps settings are read as on one machine', () => {
    const config = loadAwsConfig({ ...environment, FILES_QUOTA_MB: '10', USAGE_PLANS: 'basic:1:2:100' });
    assert.equal(config.fileLimits.quotaBytes, 10 * 1024 ** 2);
    assert.deepEqual(config.usagePlans, [{ name: 'basic', ratePerSecond: 1, burst: 2, dailyQuota: 100 }]);
  });
});
