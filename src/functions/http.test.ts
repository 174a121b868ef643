import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdminAddUserToGroupCommand, AdminRemoveUserFromGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type CognitoLocal, startCognitoLocal } from '../../test/support/cognito-local.ts';
import { type RunningDynalite, startDynalite } from '../../test/support/dynalite.ts';
import type { RouteGroupName } from '../apps/index.ts';
import { ConfigError } from '../apps/settings.ts';
import { handler as postConfirmation } from './cognito-post-confirmation.ts';
import { handler as preSignUp } from './cognito-pre-sign-up.ts';
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
function restEvent(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: {
      Host: 'abc123.execute-api.us-east-1.amazonaws.com',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
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

describe('HTTP functions end to end: a user of a Cognito pool (cognito-local) signs up and keeps to-dos in DynamoDB (dynalite)', () => {
  let dynalite: RunningDynalite;
  let cognito: CognitoLocal;
  let runtime: AwsRuntime;
  const table = 'stratus-functions-e2e';

  before(async () => {
    dynalite = await startDynalite();
    await dynalite.createTable(table);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    // The triggers are the deployed entry points, reading the table from their environment.
    process.env.AWS_REGION = environment.AWS_REGION;
    process.env.TABLE_NAME = table;
    cognito = await startCognitoLocal({ triggers: { PreSignUp: preSignUp, PostConfirmation: postConfirmation } });
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = cognito.endpoint;
    const config = loadAwsConfig({
      ...environment,
      LOG_LEVEL: 'error',
      TABLE_NAME: table,
      USER_POOL_ID: cognito.userPoolId,
      USER_POOL_CLIENT_ID: cognito.clientId,
    });
    runtime = createAwsRuntime(config, { issuer: cognito.issuer, jwksCache: cognito.jwksCache });
  });
  after(async () => {
    await runtime.apps.close();
    await cognito.close();
    await dynalite.close();
  });

  const invoke = async (group: RouteGroupName, event: APIGatewayProxyEvent) => {
    const response = (await httpFunction(group, () => runtime)(event as never, lambdaContext)) as APIGatewayProxyResult;
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
  };
  const signedInUser = async (email: string): Promise<string> => {
    const password = 'a long enough passphrase';
    const signUp = await invoke(
      'auth',
      restEvent('POST', '/v1/auth/signup', {}, { email, password, name: email.split('@')[0] }),
    );
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    const code = cognito.latestCode(email);
    assert.ok(code, 'Cognito mailed a confirmation code');
    assert.equal((await invoke('auth', restEvent('POST', '/v1/auth/confirm', {}, { email, code }))).status, 200);
    const signIn = await invoke('auth', restEvent('POST', '/v1/auth/signin', {}, { email, password }));
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    return signIn.body.accessToken as string;
  };

  test('sign up, confirm and sign in through the auth function; the pool’s token is accepted by the other functions', async () => {
    const ada = await signedInUser('ada@example.com');
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const me = await invoke('auth', restEvent('GET', '/v1/me', bearer(ada)));
    assert.equal(me.status, 200, 'the post-confirmation trigger made the profile');
    assert.equal(me.body.email, 'ada@example.com');
    const renamed = await invoke('auth', restEvent('PATCH', '/v1/me', bearer(ada), { name: 'Ada L.' }));
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'Ada L.');

    // Creating a to-do is a DynamoDB transaction, which dynalite lacks (docs/aws.md): reads only here.
    const todos = await invoke('todos', restEvent('GET', '/v1/todos', bearer(ada)));
    assert.equal(todos.status, 200);
    assert.deepEqual(todos.body.items, []);

    const bob = await signedInUser('bob@example.com');
    const bobs = await invoke('auth', restEvent('GET', '/v1/me', bearer(bob)));
    assert.equal(bobs.body.email, 'bob@example.com', 'each token reads its own profile');
    assert.equal(bobs.body.name, 'bob', 'and Ada’s change did not touch it');
    const forged = await invoke('todos', restEvent('GET', '/v1/todos', bearer(`${ada.slice(0, -4)}AAAA`)));
    assert.equal(forged.status, 401);
  });

  test('the admin function: users read from the pool and the audit log, for members of its admins group only (checked on the pool at each request)', async () => {
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const olive = await signedInUser('olive.operator@example.com');
    const listing = restEvent('GET', '/v1/admin/users', bearer(olive));
    const refused = await invoke('admin', listing);
    assert.equal(refused.status, 403, 'not an admin yet');
    const oliveSub = (await invoke('auth', restEvent('GET', '/v1/me', bearer(olive)))).body.sub as string;
    await cognito.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: cognito.userPoolId, Username: oliveSub, GroupName: 'admins' }),
    );
    const users = await invoke('admin', listing);
    assert.equal(users.status, 200, JSON.stringify(users.body));
    const olives = users.body.users.find((u: { email: string }) => u.email === 'olive.operator@example.com');
    assert.deepEqual(olives.groups, ['admins']);
    assert.equal(olives.enabled, true);
    const audit = await invoke('admin', restEvent('GET', '/v1/admin/audit', bearer(olive)));
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    await cognito.client.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: cognito.userPoolId, Username: oliveSub, GroupName: 'admins' }),
    );
    assert.equal((await invoke('admin', listing)).status, 403, 'a revoke counts at once, with the same token');
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
