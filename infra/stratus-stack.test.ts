// Two synths in one file on purpose: the second reuses the first one's loaded CloudFormation schemas (10 s → 3 s).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Kind, parse as parseGraphql } from 'graphql';
import { cognitoAttributeName } from '../src/adapters/aws/cognito-attributes.ts';
import { tableDefinition } from '../src/adapters/aws/dynamo-schema.ts';
import { defaultUsagePlans } from '../src/apps/api-keys/plans.ts';
import { PASSWORD_MIN } from '../src/apps/users/passwords.ts';
import { eventFunctions, httpFunctions } from '../src/functions/catalog.ts';
import { customAttributeNames } from '../src/platform/identity.ts';
import { PUBLIC_MEDIA_PATH_PATTERN } from '../src/platform/media.ts';
import { ACCESS_TOKEN_SCOPE, isPublic } from './constructs/api.ts';
import { PUBLIC_MEDIA_FUNCTION_CODE } from './constructs/cdn.ts';
import { SCHEMA_FILE } from './constructs/graphql.ts';
import {
  type CloudFormationTemplate,
  findCycle,
  methodPaths,
  referencedIds,
  resourcesOfType,
  type Synthesized,
  synthesize,
} from './test-support.ts';

type Json = Record<string, unknown>;
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
};

const allFunctions = [...httpFunctions, ...eventFunctions];

/** The logical id of a catalog function's `AWS::Lambda::Function`. */
function functionId(s: Synthesized, name: string): string {
  const fn = s.stack.functions.get(name).fn;
  return s.stack.resolve((fn.node.defaultChild as CfnElement).logicalId) as string;
}

function statementsOf(json: CloudFormationTemplate): Array<{ id: string; statement: Statement }> {
  const policies = [...resourcesOfType(json, 'AWS::IAM::Policy'), ...resourcesOfType(json, 'AWS::IAM::ManagedPolicy')];
  const roles = resourcesOfType(json, 'AWS::IAM::Role').flatMap(([id, props]) =>
    ((props.Policies as Array<{ PolicyDocument: Json }> | undefined) ?? []).map((p) => [id, p] as [string, Json]),
  );
  return [...policies, ...roles].flatMap(([id, props]) =>
    ((props.PolicyDocument as { Statement: Statement[] }).Statement ?? []).map((statement) => ({ id, statement })),
  );
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

describe('the Stratus stack (dev stage, default settings)', () => {
  let s: Synthesized;
  before(() => {
    s = synthesize();
  });
  after(() => s?.cleanup());

  test('cdk-nag AwsSolutions leaves no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    const open = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} on ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    assert.deepEqual(open, []);
  });

  test('the template has no dependency cycle CloudFormation would refuse', () => {
    assert.equal(findCycle(s.json), undefined);
  });

  test('the table has the shared key schema, on demand, PITR, TTL, a full-image stream and deletion protection', () => {
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
    assert.equal(tableDefinition.ttlAttribute, 'ttl');
  });

  test('every bucket is encrypted, blocks public access, refuses plain HTTP and is kept when the stack goes', () => {
    const buckets = resourcesOfType(s.json, 'AWS::S3::Bucket');
    assert.equal(buckets.length, 3);
    for (const [id, props] of buckets) {
      assert.deepEqual(
        props.PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        id,
      );
      assert.ok((props.BucketEncryption as Json).ServerSideEncryptionConfiguration, `${id} is encrypted`);
      assert.equal(s.json.Resources[id]?.DeletionPolicy, 'Retain', id);
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the user-data and web-assets buckets are versioned and log their access to the log bucket', () => {
    const logBucket = { Ref: logicalIdOf(s, 'Storage/Logs/Resource') };
    for (const path of ['Storage/UserData/Resource', 'Storage/WebAssets/Resource']) {
      const props = s.json.Resources[logicalIdOf(s, path)]?.Properties as Json;
      assert.deepEqual(props.VersioningConfiguration, { Status: 'Enabled' }, path);
      assert.deepEqual((props.LoggingConfiguration as Json).DestinationBucketName, logBucket, path);
    }
  });

  test('browsers may POST uploads to the user-data bucket from the web origin only', () => {
    const props = s.json.Resources[logicalIdOf(s, 'Storage/UserData/Resource')]?.Properties as Json;
    const rules = (props.CorsConfiguration as { CorsRules: Json[] }).CorsRules;
    assert.equal(rules.length, 1);
    assert.deepEqual(rules[0]?.AllowedMethods, ['POST', 'GET', 'HEAD']);
    assert.deepEqual(rules[0]?.AllowedOrigins, [
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(s, 'Cdn/Web/Resource'), 'DomainName'] }]] },
    ]);
  });

  test('the user pool signs in by email with the local password policy, optional TOTP only and both triggers', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: PASSWORD_MIN,
          RequireLowercase: false,
          RequireUppercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      LambdaConfig: {
        PreSignUp: { 'Fn::GetAtt': [functionId(s, 'cognito-pre-sign-up'), 'Arn'] },
        PostConfirmation: { 'Fn::GetAtt': [functionId(s, 'cognito-post-confirmation'), 'Arn'] },
      },
    });
  });

  test('each profile attribute is declared where the Cognito adapter stores it, and the client may read and write it', () => {
    const pool = resourcesOfType(s.json, 'AWS::Cognito::UserPool')[0]?.[1] ?? {};
    const schema = pool.Schema as Array<{ Name: string; AttributeDataType?: string }>;
    const client = resourcesOfType(s.json, 'AWS::Cognito::UserPoolClient')[0]?.[1] ?? {};
    for (const name of customAttributeNames) {
      const cognitoName = cognitoAttributeName(name);
      // A custom attribute is declared without its custom: prefix; a standard one as itself.
      const declared = schema.find((a) => a.Name === cognitoName.replace(/^custom:/, ''));
      assert.ok(declared, `${name} is declared`);
      assert.equal(declared.AttributeDataType === 'String', cognitoName.startsWith('custom:'), name);
      assert.ok((client.ReadAttributes as string[]).includes(cognitoName), `${cognitoName} readable`);
      assert.ok((client.WriteAttributes as string[]).includes(cognitoName), `${cognitoName} writable`);
    }
  });

  test('the app client allows only password sign-in and refresh, has no secret and hides whether a user exists', () => {
    s.template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    s.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false,
      WriteAttributes: Match.not(Match.arrayWith(['email_verified'])),
    });
  });

  test("the identity pool's signed-in role reaches only the caller's own private/ prefix", () => {
    s.template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
    const roleId = logicalIdOf(s, 'Identity/IdentityPool/AuthenticatedRole/Resource');
    const statements = statementsOf(s.json).filter(({ id }) => attachedTo(s, id, roleId));
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(s, 'Storage/UserData/Resource'), 'Arn'] };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written out as IAM must see it
    const ownPrefix = 'private/${cognito-identity.amazonaws.com:sub}/';
    assert.deepEqual(
      statements.map(({ statement }) => statement),
      [
        {
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [bucketArn, `/${ownPrefix}*`]] },
        },
        {
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': [`${ownPrefix}*`] } },
          Effect: 'Allow',
          Resource: bucketArn,
        },
      ],
    );
    s.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              StringEquals: { 'cognito-identity.amazonaws.com:aud': Match.anyValue() },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
            },
          }),
        ],
      },
    });
  });

  test('the Cognito authorizer guards every private route and no public one', () => {
    const methods = methodPaths(s.json).filter((m) => m.props.HttpMethod !== 'OPTIONS');
    const publicPaths = httpFunctions.flatMap((f) => f.publicPaths);
    assert.equal(methods.length, httpFunctions.flatMap((f) => f.paths).length * 2);
    for (const { path, props } of methods) {
      const base = path.replace(/\/\{proxy\+\}$/, '');
      if (isPublic(base, publicPaths)) {
        assert.equal(props.AuthorizationType, 'NONE', path);
        assert.equal(props.AuthorizerId, undefined, path);
      } else {
        assert.equal(props.AuthorizationType, 'COGNITO_USER_POOLS', path);
        assert.deepEqual(props.AuthorizerId, { Ref: logicalIdOf(s, 'Api/Authorizer/Resource') }, path);
        assert.deepEqual(props.AuthorizationScopes, [ACCESS_TOKEN_SCOPE], path);
      }
    }
    // Only the catalog's public paths are open: sign-up/sign-in, public sites and shared photo links.
    const open = methods.filter((m) => m.props.AuthorizationType === 'NONE').map((m) => m.path);
    assert.deepEqual(open.sort(), [
      '/v1/auth',
      '/v1/auth/{proxy+}',
      '/v1/shared',
      '/v1/shared/{proxy+}',
      '/v1/sites',
      '/v1/sites/{proxy+}',
    ]);
    s.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [logicalIdOf(s, 'Identity/UserPool/Resource'), 'Arn'] }],
    });
  });

  test('each catalog path and everything below it goes to its own function', () => {
    const methods = methodPaths(s.json);
    for (const entry of httpFunctions) {
      for (const path of entry.paths) {
        for (const target of [path, `${path}/{proxy+}`]) {
          const method = methods.find((m) => m.path === target && m.props.HttpMethod === 'ANY');
          assert.ok(method, `ANY ${target}`);
          const integration = method.props.Integration as Json;
          assert.equal(integration.Type, 'AWS_PROXY', target);
          assert.ok(referencedIds(integration.Uri).has(functionId(s, entry.name)), `${target} → ${entry.name}`);
        }
      }
    }
  });

  test('the photos function serves photos, albums and shares to signed-in users, and shared links to anyone', () => {
    const methods = methodPaths(s.json).filter((m) => m.props.HttpMethod === 'ANY');
    const photos = functionId(s, 'photos');
    for (const path of ['/v1/photos', '/v1/albums', '/v1/shares', '/v1/shared']) {
      for (const target of [path, `${path}/{proxy+}`]) {
        const method = methods.find((m) => m.path === target);
        assert.ok(method, `ANY ${target}`);
        assert.ok(referencedIds((method.props.Integration as Json).Uri).has(photos), `${target} → photos`);
        assert.equal(method.props.AuthorizationType, path === '/v1/shared' ? 'NONE' : 'COGNITO_USER_POOLS', target);
      }
    }
    // The profile picture's upload grant is an account route, served by auth.
    const me = methods.find((m) => m.path === '/v1/me/{proxy+}');
    assert.ok(me, 'ANY /v1/me/{proxy+}');
    assert.ok(referencedIds((me.props.Integration as Json).Uri).has(functionId(s, 'auth')), '/v1/me/avatar → auth');
  });

  test('the stage traces, logs access as JSON, logs errors, throttles and compresses; usage plans mirror the app', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      MinimumCompressionSize: 1024,
      ApiKeySourceType: 'HEADER',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    s.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    s.template.resourceCountIs('AWS::ApiGateway::UsagePlan', defaultUsagePlans.length);
    for (const plan of defaultUsagePlans) {
      s.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: plan.ratePerSecond, BurstLimit: plan.burst },
        Quota: { Limit: plan.dailyQuota, Period: 'DAY' },
      });
    }
  });

  test('CORS preflights and gateway refusals name only the web origin', () => {
    const webOrigin = ["'https://", { 'Fn::GetAtt': [logicalIdOf(s, 'Cdn/Web/Resource'), 'DomainName'] }, "'"];
    for (const { path, props } of methodPaths(s.json).filter((m) => m.props.HttpMethod === 'OPTIONS')) {
      assert.equal(props.AuthorizationType, 'NONE', path);
      const [response] = (props.Integration as { IntegrationResponses: Json[] }).IntegrationResponses;
      const parameters = response?.ResponseParameters as Json;
      assert.deepEqual(parameters['method.response.header.Access-Control-Allow-Origin'], {
        'Fn::Join': ['', webOrigin],
      });
    }
    s.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
  });

  test("the gateway's own refusals are problem+json documents with the functions' codes", () => {
    const responses = resourcesOfType(s.json, 'AWS::ApiGateway::GatewayResponse').map(([, p]) => p);
    assert.ok(responses.length >= 5);
    for (const response of responses) {
      const template = (response.ResponseTemplates as Json)['application/json'] as string;
      // API Gateway renders $context.error.messageString as a quoted JSON string.
      const problem = JSON.parse(template.replace('$context.error.messageString', '"Invalid request"')) as Json;
      assert.match(String(problem.type), /^urn:stratus:problem:/);
      assert.equal(typeof problem.detail, 'string');
      if (response.StatusCode) assert.equal(problem.status, Number(response.StatusCode));
      assert.equal(
        (response.ResponseParameters as Json)['gatewayresponse.header.Content-Type'],
        "'application/problem+json'",
      );
    }
    const unknownRoute = responses.find((r) => r.ResponseType === 'MISSING_AUTHENTICATION_TOKEN');
    assert.equal(unknownRoute?.StatusCode, '404');
  });

  test('every function runs Node.js 22 on ARM64 with X-Ray, JSON logs in its own log group kept 30 days', () => {
    const functions = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Functions'));
    assert.equal(functions.length, allFunctions.length);
    for (const [id, props] of functions) {
      assert.equal(props.Runtime, 'nodejs22.x', id);
      assert.deepEqual(props.Architectures, ['arm64'], id);
      assert.equal(props.Handler, 'index.handler', id);
      assert.deepEqual(props.TracingConfig, { Mode: 'Active' }, id);
      const logging = props.LoggingConfig as { LogFormat: string; LogGroup: { Ref: string } };
      assert.equal(logging.LogFormat, 'JSON', id);
      assert.equal(s.json.Resources[logging.LogGroup.Ref]?.Properties?.RetentionInDays, 30, id);
    }
    for (const [id, props] of resourcesOfType(s.json, 'AWS::Logs::LogGroup')) {
      assert.equal(props.RetentionInDays, 30, `${id} has a retention period`);
    }
  });

  test('object-created, which decodes photos with sharp, gets 2048 MB; the others keep their kind’s size', () => {
    for (const { name } of allFunctions) {
      const props = s.json.Resources[functionId(s, name)]?.Properties as Json;
      const kind = httpFunctions.some((f) => f.name === name)
        ? 'http'
        : name.startsWith('cognito-')
          ? 'trigger'
          : 'event';
      const expected = name === 'object-created' ? 2048 : kind === 'http' ? 1024 : 512;
      assert.equal(props.MemorySize, expected, name);
      assert.equal(props.Timeout, kind === 'http' ? 20 : kind === 'trigger' ? 5 : 60, name);
    }
  });

  test('functions get the table, bucket, origins and user pool through the environment; the triggers not the pool', () => {
    for (const { name } of allFunctions) {
      const env = environmentOf(s, functionId(s, name));
      assert.deepEqual(env.TABLE_NAME, { Ref: logicalIdOf(s, 'Data/Table/Resource') }, name);
      assert.deepEqual(env.BUCKET_NAME, { Ref: logicalIdOf(s, 'Storage/UserData/Resource') }, name);
      assert.equal(env.STAGE, 'dev');
      assert.ok(env.CORS_ORIGINS, name);
      const trigger = name.startsWith('cognito-');
      assert.equal('USER_POOL_ID' in env, !trigger, name);
      assert.equal('USER_POOL_CLIENT_ID' in env, !trigger, name);
    }
  });

  test('the functions that hand out profile pictures’ URLs get the media distribution; with the placeholder key none signs', () => {
    const mediaUrl = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(s, 'Cdn/Media/Resource'), 'DomainName'] }]],
    };
    for (const { name } of allFunctions) {
      const env = environmentOf(s, functionId(s, name));
      if (['auth', 'photos', 'object-created', 'graphql'].includes(name)) {
        assert.deepEqual(env.MEDIA_URL, mediaUrl, name);
      } else assert.equal(env.MEDIA_URL, undefined, name);
      // No URL signed with a key whose private half was discarded would open: photos pre-signs S3 GETs.
      assert.equal(env.MEDIA_KEY_PAIR_ID, undefined, name);
      assert.equal(env.MEDIA_SIGNING_KEY_SECRET, undefined, name);
    }
  });

  test('no policy grants every action, every action of a service, or an administrator policy', () => {
    for (const { id, statement } of statementsOf(s.json)) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of list(statement.Action)) {
        assert.notEqual(action, '*', `${id} allows *`);
        assert.doesNotMatch(action, /^[a-z0-9-]+:\*$/, `${id} allows ${action}`);
        assert.notEqual(action, 'iam:PassRole', `${id} may pass roles`);
      }
    }
    for (const [id, props] of resourcesOfType(s.json, 'AWS::IAM::Role')) {
      const managed = JSON.stringify(props.ManagedPolicyArns ?? []);
      assert.doesNotMatch(managed, /AdministratorAccess|PowerUserAccess|FullAccess/, id);
    }
  });

  test('a resource wildcard appears only where the service has no resource-level permission', () => {
    const wildcards = statementsOf(s.json).filter(
      ({ statement }) => statement.Effect === 'Allow' && JSON.stringify(statement.Resource) === '"*"',
    );
    const actions = new Set(wildcards.flatMap(({ statement }) => list(statement.Action)));
    assert.deepEqual(
      [...actions].sort(),
      // X-Ray writes, DynamoDB ListStreams (stream mapping); and the CDK's web deployment, which
      // grants its invalidations on any distribution (it runs only while deploying).
      [
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
        'dynamodb:ListStreams',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ],
    );
  });

  test('only the functions that need them may touch users’ objects or administer accounts', () => {
    const bucketRef = logicalIdOf(s, 'Storage/UserData/Resource');
    const poolRef = logicalIdOf(s, 'Identity/UserPool/Resource');
    for (const { name } of allFunctions) {
      const roleId = logicalIdOf(s, `Functions/${s.stack.functions.get(name).role.node.id}/Resource`);
      const statements = statementsOf(s.json).filter(({ id }) => attachedTo(s, id, roleId));
      const touches = (ref: string) => statements.some(({ statement }) => referencedIds(statement.Resource).has(ref));
      assert.equal(
        touches(bucketRef),
        ['auth', 'files', 'tasks', 'photos', 'object-created', 'table-stream', 'graphql'].includes(name),
        `${name} → bucket`,
      );
      assert.equal(touches(poolRef), ['auth', 'object-created', 'admin'].includes(name), `${name} → user pool`);
    }
  });

  test('tasks may reach users’ objects as files does (pre-signed uploads and downloads), and table-stream may delete them', () => {
    const bucketRef = logicalIdOf(s, 'Storage/UserData/Resource');
    const bucketStatements = (name: string) =>
      roleStatements(s, name)
        .filter((statement) => referencedIds(statement.Resource).has(bucketRef))
        .map(({ Action, Resource, Condition }) => ({ Action, Resource, Condition }));
    const files = bucketStatements('files');
    assert.deepEqual(
      files.map((statement) => statement.Action),
      [['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], 's3:ListBucket'],
    );
    assert.match(JSON.stringify(files[0]?.Resource), /\/users\/\*"/);
    assert.deepEqual(bucketStatements('tasks'), files);
    const stream = bucketStatements('table-stream');
    assert.ok(
      stream.some((statement) => list(statement.Action as string | string[]).includes('s3:DeleteObject')),
      'table-stream deletes objects',
    );
    assert.deepEqual(stream, files);
  });

  test('Cognito admin rights: auth administers accounts; auth and object-created set profile attributes, on the pool only', () => {
    const poolArn = { 'Fn::GetAtt': [logicalIdOf(s, 'Identity/UserPool/Resource'), 'Arn'] };
    const cognitoActions = (name: string) => {
      const roleId = logicalIdOf(s, `Functions/${s.stack.functions.get(name).role.node.id}/Resource`);
      const statements = statementsOf(s.json)
        .filter(({ id }) => attachedTo(s, id, roleId))
        .map(({ statement }) => statement)
        .filter((statement) => list(statement.Action).some((a) => a.startsWith('cognito-idp:')));
      for (const statement of statements) assert.deepEqual(statement.Resource, poolArn, name);
      return [...new Set(statements.flatMap((statement) => list(statement.Action)))].sort();
    };
    const setAttributes = [
      'cognito-idp:AdminDeleteUserAttributes',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminUpdateUserAttributes',
    ];
    assert.deepEqual(cognitoActions('object-created'), setAttributes);
    assert.deepEqual(
      cognitoActions('auth'),
      [...setAttributes, 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminUserGlobalSignOut'].sort(),
    );
    assert.deepEqual(
      cognitoActions('admin'),
      [
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:AdminDisableUser',
        'cognito-idp:AdminEnableUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:AdminUserGlobalSignOut',
        'cognito-idp:ListUsers',
      ],
      'the operator console manages users, nothing else of the pool',
    );
  });

  test('the operator console: its function behind the authorizer at /v1/admin, and the admins group its members are in', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'admins',
      UserPoolId: { Ref: logicalIdOf(s, 'Identity/UserPool/Resource') },
    });
    s.template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'admin' });
  });

  test('the media signing key is a secret only photos and graphql (posts’ photos) may read, and only its value', () => {
    const secretId = logicalIdOf(s, 'Cdn/MediaSigningKey/Resource');
    s.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    assert.equal(s.json.Resources[secretId]?.DeletionPolicy, 'Delete', 'a dev stage’s key goes with the stack');
    const readers = statementsOf(s.json).filter(({ statement }) => referencedIds(statement.Resource).has(secretId));
    assert.equal(readers.length, 2);
    for (const name of ['photos', 'graphql']) {
      const role = logicalIdOf(s, `Functions/${s.stack.functions.get(name).role.node.id}/Resource`);
      const reader = readers.find(({ id }) => attachedTo(s, id, role));
      assert.ok(reader, `${name} reads it`);
      assert.deepEqual(reader.statement.Action, 'secretsmanager:GetSecretValue');
    }
  });

  test('the stream function takes batches with partial failures, bisects, retries 5 times, then dead-letters', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(s, 'Data/Table/Resource'), 'StreamArn'] },
      FunctionName: { Ref: functionId(s, 'table-stream') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('object-created events go S3 → SQS → Lambda, with partial batch failures and a dead-letter queue', () => {
    const queueId = logicalIdOf(s, 'Events/ObjectCreatedQueue/Resource');
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'users/' }] } },
            QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          },
        ],
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId(s, 'object-created') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(s, 'Events/ObjectCreatedDeadLetters/Resource'), 'Arn'] },
        maxReceiveCount: 5,
      },
      VisibilityTimeout: 360,
    });
  });

  test('every queue is encrypted and refuses plain HTTP', () => {
    const queues = resourcesOfType(s.json, 'AWS::SQS::Queue');
    assert.ok(queues.length >= 2);
    for (const [id, props] of queues) {
      assert.equal(props.SqsManagedSseEnabled, true, id);
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('the scheduler runs once a minute from an EventBridge rule; a failed tick is not retried but dead-lettered', () => {
    const scheduled = eventFunctions.filter((f) => f.source.startsWith('schedule:'));
    assert.deepEqual(
      scheduled.map((f) => f.name),
      ['scheduler'],
    );
    s.template.resourceCountIs('AWS::Events::Rule', 1);
    const scheduler = functionId(s, 'scheduler');
    const deadLetters = { 'Fn::GetAtt': [logicalIdOf(s, 'Events/SchedulerDeadLetters/Resource'), 'Arn'] };
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [scheduler, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
          DeadLetterConfig: { Arn: deadLetters },
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [scheduler, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: scheduler },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnFailure: { Destination: deadLetters } },
    });
    const props = s.json.Resources[scheduler]?.Properties as Json;
    assert.deepEqual([props.Timeout, props.MemorySize], [60, 512]);
  });

  test('only the notifications and scheduler functions may send SMS, and without a sender no function may mail', () => {
    for (const { name } of allFunctions) {
      const actions = roleActions(s, name);
      assert.equal(actions.includes('sns:Publish'), ['notifications', 'scheduler'].includes(name), name);
      assert.ok(!actions.some((a) => a.startsWith('ses:')), `${name} may not mail`);
      assert.equal(environmentOf(s, functionId(s, name)).SMS_SENDER_ID, undefined, name);
    }
  });

  test('the web distribution serves the private assets bucket through OAC with security headers and SPA fallback', () => {
    const web = s.json.Resources[logicalIdOf(s, 'Cdn/Web/Resource')]?.Properties as {
      DistributionConfig: Json & { Origins: Json[]; DefaultCacheBehavior: Json };
    };
    const config = web.DistributionConfig;
    assert.equal(config.DefaultRootObject, 'index.html');
    assert.ok(config.Origins[0]?.OriginAccessControlId, 'origin access control');
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.deepEqual(
      (config.CustomErrorResponses as Json[]).map((r) => [r.ErrorCode, r.ResponseCode, r.ResponsePagePath]),
      [
        [403, 200, '/index.html'],
        [404, 200, '/index.html'],
      ],
    );
    assert.ok((config.Logging as Json).Bucket, 'access logs');
    s.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ContentSecurityPolicy: {
            ContentSecurityPolicy: {
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp("^default-src 'self'; script-src 'self'")])],
            },
            Override: true,
          },
        },
      },
    });
  });

  test('the media distribution answers only URLs signed by its key group, over HTTPS', () => {
    const media = s.json.Resources[logicalIdOf(s, 'Cdn/Media/Resource')]?.Properties as {
      DistributionConfig: { Origins: Json[]; DefaultCacheBehavior: Json };
    };
    const behavior = media.DistributionConfig.DefaultCacheBehavior;
    assert.deepEqual(behavior.TrustedKeyGroups, [{ Ref: logicalIdOf(s, 'Cdn/MediaKeyGroup/Resource') }]);
    assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
    assert.deepEqual(behavior.AllowedMethods, ['GET', 'HEAD']);
    assert.equal(media.DistributionConfig.Origins.length, 1, 'one origin for both behaviours');
    assert.ok(media.DistributionConfig.Origins[0]?.OriginAccessControlId, 'origin access control');
    s.template.hasResourceProperties('AWS::CloudFront::PublicKey', {
      PublicKeyConfig: { EncodedKey: Match.stringLikeRegexp('^-----BEGIN PUBLIC KEY-----') },
    });
  });

  test('profile pictures’ renditions are public on the media distribution: unsigned, GET/HEAD, cached, HTTPS only', () => {
    const media = s.json.Resources[logicalIdOf(s, 'Cdn/Media/Resource')]?.Properties as {
      DistributionConfig: { DefaultCacheBehavior: Json; CacheBehaviors: Json[] };
    };
    const behaviors = media.DistributionConfig.CacheBehaviors;
    assert.equal(behaviors.length, 1);
    const avatars = behaviors[0] as Json;
    assert.equal(avatars.PathPattern, PUBLIC_MEDIA_PATH_PATTERN);
    assert.equal(avatars.TrustedKeyGroups, undefined, 'no signature needed');
    assert.equal(avatars.ViewerProtocolPolicy, 'https-only');
    assert.deepEqual(avatars.AllowedMethods, ['GET', 'HEAD']);
    assert.equal(avatars.CachePolicyId, media.DistributionConfig.DefaultCacheBehavior.CachePolicyId);
    assert.equal(avatars.CachePolicyId, '658327ea-f89d-4fab-a63d-7e88639e58f6', 'CachingOptimized');
    assert.equal(avatars.TargetOriginId, media.DistributionConfig.DefaultCacheBehavior.TargetOriginId);
    // The pattern's * also matches private keys (it crosses /): a viewer-request function admits only renditions.
    const functionId = logicalIdOf(s, 'Cdn/PublicMediaOnly/Resource');
    assert.deepEqual(avatars.FunctionAssociations, [
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
    s.template.hasResourceProperties('AWS::CloudFront::Function', {
      AutoPublish: true,
      FunctionCode: PUBLIC_MEDIA_FUNCTION_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  test('alarms on API 5xx rate, p99 latency, each function’s throttles and each dead-letter queue go to an encrypted topic', () => {
    const topic = { Ref: logicalIdOf(s, 'Monitoring/Alarms/Resource') };
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, p]) => p);
    for (const alarm of alarms) assert.deepEqual(alarm.AlarmActions, [topic]);
    const named = (metric: string) => alarms.filter((a) => a.MetricName === metric);
    assert.equal(named('5XXError')[0]?.Statistic, 'Average');
    assert.equal(named('Latency')[0]?.ExtendedStatistic, 'p99');
    assert.equal(named('Throttles').length, allFunctions.length);
    assert.equal(
      named('ApproximateNumberOfMessagesVisible').length,
      resourcesOfType(s.json, 'AWS::SQS::Queue').filter(([id]) => id.includes('DeadLetters')).length,
    );
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the GraphQL API signs users in through the stack’s user pool by default, and also takes an API key (expiring) and IAM', () => {
    s.template.resourceCountIs('AWS::AppSync::GraphQLApi', 1);
    s.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      Name: 'stratus-dev',
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      UserPoolConfig: { UserPoolId: { Ref: logicalIdOf(s, 'Identity/UserPool/Resource') }, DefaultAction: 'ALLOW' },
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }, { AuthenticationType: 'AWS_IAM' }],
    });
    const [[, key]] = resourcesOfType(s.json, 'AWS::AppSync::ApiKey') as [[string, Json]];
    assert.deepEqual(key.ApiId, { 'Fn::GetAtt': [logicalIdOf(s, 'Graphql/Api/Resource'), 'ApiId'] });
    const days = ((key.Expires as number) * 1000 - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365, `the key expires in a year (${days.toFixed(1)} days), renewed by each deploy`);
  });

  test('every Query and Mutation field of the schema has a direct Lambda resolver on the graphql function', () => {
    const schema = parseGraphql(readFileSync(SCHEMA_FILE, 'utf8'));
    const rootFields = schema.definitions.flatMap((d) =>
      d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation')
        ? (d.fields ?? []).map((f) => `${d.name.value}.${f.name.value}`)
        : [],
    );
    assert.ok(rootFields.length >= 19, 'the schema’s queries and mutations');
    const [[, lambdaSource]] = resourcesOfType(s.json, 'AWS::AppSync::DataSource').filter(
      ([, p]) => p.Type === 'AWS_LAMBDA',
    ) as [[string, Json]];
    assert.deepEqual(lambdaSource.LambdaConfig, {
      LambdaFunctionArn: { 'Fn::GetAtt': [functionId(s, 'graphql'), 'Arn'] },
    });
    const resolvers = resourcesOfType(s.json, 'AWS::AppSync::Resolver').map(([, p]) => p);
    const rootResolvers = resolvers.filter((r) => r.TypeName === 'Query' || r.TypeName === 'Mutation');
    assert.deepEqual(rootResolvers.map((r) => `${r.TypeName}.${r.FieldName}`).sort(), [...rootFields].sort());
    for (const resolver of rootResolvers) {
      const field = `${resolver.TypeName}.${resolver.FieldName}`;
      assert.equal(resolver.DataSourceName, lambdaSource.Name, field);
      assert.equal(resolver.Kind, 'UNIT', field);
      // Direct: no VTL mapping template and no JavaScript code between AppSync and the function.
      for (const absent of ['RequestMappingTemplate', 'ResponseMappingTemplate', 'Code', 'Runtime']) {
        assert.equal(resolver[absent], undefined, `${field}: ${absent}`);
      }
    }
  });

  test('of the subscriptions only onFeedPost has a resolver: JavaScript on no data source, refusing another user’s feed', () => {
    const resolvers = resourcesOfType(s.json, 'AWS::AppSync::Resolver')
      .map(([, p]) => p)
      .filter((r) => r.TypeName === 'Subscription');
    assert.equal(resolvers.length, 1);
    const [resolver] = resolvers as [Json];
    assert.equal(resolver.FieldName, 'onFeedPost');
    assert.deepEqual(resolver.Runtime, { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
    assert.match(String(resolver.Code), /ctx\.args\.userId !== ctx\.identity\.sub/);
    assert.match(String(resolver.Code), /util\.unauthorized\(\)/);
    const source = resourcesOfType(s.json, 'AWS::AppSync::DataSource').find(
      ([, p]) => p.Name === resolver.DataSourceName,
    );
    assert.equal(source?.[1].Type, 'NONE');
  });

  test('the stream function is told the GraphQL endpoint and may call the two publish mutations, and nothing else of it', () => {
    const apiId = logicalIdOf(s, 'Graphql/Api/Resource');
    for (const { name } of allFunctions) {
      const env = environmentOf(s, functionId(s, name));
      const appsyncActions = roleActions(s, name).filter((action) => action.startsWith('appsync:'));
      if (name === 'table-stream') {
        assert.deepEqual(env.APPSYNC_URL, { 'Fn::GetAtt': [apiId, 'GraphQLUrl'] });
        assert.deepEqual(appsyncActions, ['appsync:GraphQL']);
      } else {
        assert.equal(env.APPSYNC_URL, undefined, name);
        assert.deepEqual(appsyncActions, [], name);
      }
    }
    const [statement] = roleStatements(s, 'table-stream').filter((st) => list(st.Action).includes('appsync:GraphQL'));
    const fields = (list(statement?.Resource as string | string[]) as unknown[]).map(
      (resource) => JSON.stringify(resource).match(/types\/Mutation\/fields\/(\w+)/)?.[1],
    );
    assert.deepEqual(fields.sort(), ['publishFeedPost', 'publishLikeChanged']);
    assert.ok(referencedIds(statement?.Resource).has(apiId), 'on this API');
  });

  test('the API traces with X-Ray and logs errors, without verbose content, to its own log group kept 30 days', () => {
    const api = s.json.Resources[logicalIdOf(s, 'Graphql/Api/Resource')]?.Properties as Json;
    assert.equal(api.XrayEnabled, true);
    const logsRole = logicalIdOf(s, 'Graphql/LogsRole/Resource');
    assert.deepEqual(api.LogConfig, {
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [logsRole, 'Arn'] },
      FieldLogLevel: 'ERROR',
      ExcludeVerboseContent: true,
    });
    const logGroupId = logicalIdOf(s, 'Graphql/Logs/Resource');
    const logGroup = s.json.Resources[logGroupId]?.Properties as Json;
    assert.deepEqual(logGroup.LogGroupName, {
      'Fn::Join': ['', ['/aws/appsync/apis/', { 'Fn::GetAtt': [logicalIdOf(s, 'Graphql/Api/Resource'), 'ApiId'] }]],
    });
    assert.equal(logGroup.RetentionInDays, 30);
    // AppSync writes as a role that reaches this log group only (not AWS's managed policy on every group).
    const roleProps = s.json.Resources[logsRole]?.Properties as Json;
    assert.equal(roleProps.ManagedPolicyArns, undefined);
    const statements = statementsOf(s.json).filter(({ id }) => attachedTo(s, id, logsRole));
    assert.deepEqual(
      statements.map(({ statement }) => statement.Resource),
      [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }],
    );
  });

  test('the graphql function reads users’ objects (GetObject only) and the table, as the app functions do', () => {
    const bucketRef = logicalIdOf(s, 'Storage/UserData/Resource');
    const bucket = roleStatements(s, 'graphql').filter((st) => referencedIds(st.Resource).has(bucketRef));
    assert.deepEqual(
      bucket.map((st) => st.Action),
      ['s3:GetObject'],
    );
    assert.match(JSON.stringify(bucket[0]?.Resource), /\/users\/\*"/);
    const tableRef = logicalIdOf(s, 'Data/Table/Resource');
    const tableActions = (name: string) =>
      roleStatements(s, name)
        .filter((st) => referencedIds(st.Resource).has(tableRef))
        .flatMap((st) => list(st.Action))
        .sort();
    assert.deepEqual(tableActions('graphql'), tableActions('todos'));
    // AppSync's data source may invoke the graphql function (and its versions), no other.
    const sourceRole = logicalIdOf(s, 'Graphql/Api/Resolver/ServiceRole/Resource');
    const invokes = statementsOf(s.json).filter(({ id }) => attachedTo(s, id, sourceRole));
    assert.deepEqual(
      invokes.map(({ statement }) => statement.Action),
      ['lambda:InvokeFunction'],
    );
    assert.deepEqual([...referencedIds(invokes[0]?.statement.Resource)], [functionId(s, 'graphql')]);
  });

  test('the GraphQL outputs give the endpoint and the API key’s id, never the key itself', () => {
    const outputs = s.json.Outputs ?? {};
    assert.deepEqual(outputs.GraphqlUrl?.Value, {
      'Fn::GetAtt': [logicalIdOf(s, 'Graphql/Api/Resource'), 'GraphQLUrl'],
    });
    const keyId = logicalIdOf(s, 'Graphql/Api/PublicApiKey');
    assert.deepEqual(outputs.GraphqlApiKeyId?.Value, { 'Fn::GetAtt': [keyId, 'ApiKeyId'] });
    assert.doesNotMatch(JSON.stringify(outputs), new RegExp(`"${keyId}","ApiKey"`));
  });

  test('the outputs carry what the web app and an operator need', () => {
    const outputs = Object.keys(s.json.Outputs ?? {});
    for (const name of [
      'ApiUrl',
      'Region',
      'UserPoolId',
      'UserPoolClientId',
      'IdentityPoolId',
      'UserDataBucketName',
      'WebAssetsBucketName',
      'WebDistributionId',
      'WebUrl',
      'MediaUrl',
      'MediaKeyPairId',
      'MediaSigningKeySecret',
      'TableName',
      'AlarmTopicArn',
      'GraphqlUrl',
      'GraphqlApiKeyId',
    ]) {
      assert.ok(outputs.includes(name), name);
    }
    assert.ok(outputs.includes('MediaKeyNotice'), 'the placeholder media key is called out');
  });
});

/**
 * The other side of each switch, in one synth: the prod stage, DAX on (functions in a VPC),
 * S3 invoking the object-created function directly, strict CORS origins, SES mail, an alarm
 * subscriber and a real media key.
 */
describe('the Stratus stack (prod, DAX, direct object events, own origins, SES, own media key)', () => {
  let s: Synthesized;
  let keyDir: string;
  let publicKey: string;
  before(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'stratus-media-key-'));
    const keyFile = join(keyDir, 'media.pub.pem');
    // A fresh RSA public key in PEM, as an operator would make with openssl.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    publicKey = readFileSync(keyFile, 'utf8').trim();
    s = synthesize({
      stage: 'prod',
      dax: 'true',
      objectEvents: 'direct',
      corsOrigins: 'https://app.example.com,https://www.example.com',
      mailFrom: 'no-reply@example.com',
      smsSenderId: 'Stratus',
      alarmEmail: 'ops@example.com',
      mediaPublicKeyFile: keyFile,
      federationProviders: JSON.stringify([
        {
          id: 'acme',
          name: 'Acme SSO',
          issuer: 'https://sso.acme.example.com',
          clientId: 'stratus-prod',
          clientSecretName: 'stratus/prod/acme-client-secret',
        },
        { id: 'corp', name: 'Corp SSO', protocol: 'saml', metadataUrl: 'https://idp.corp.example/metadata' },
      ]),
      authDomainPrefix: 'stratus-prod-example',
      authCallbackUrls: 'https://app.example.com/signin/federated',
    });
  });
  after(() => {
    s?.cleanup();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test('outside providers: OIDC with its secret only as a Secrets Manager reference, SAML by its metadata URL; the hosted domain, a code-flow client', () => {
    s.template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 2);
    const providers = resourcesOfType(s.json, 'AWS::Cognito::UserPoolIdentityProvider');
    const [idpId, idp] = providers.find(([, p]) => p.ProviderType === 'OIDC') ?? ['', {}];
    const [samlId, saml] = providers.find(([, p]) => p.ProviderType === 'SAML') ?? ['', {}];
    assert.equal(saml.ProviderName, 'corp');
    assert.deepEqual(saml.ProviderDetails, { IDPSignout: false, MetadataURL: 'https://idp.corp.example/metadata' });
    assert.deepEqual(saml.AttributeMapping, { email: 'email', name: 'displayName' });
    assert.equal(idp.ProviderName, 'acme');
    assert.equal(idp.ProviderType, 'OIDC');
    const details = idp.ProviderDetails as Record<string, unknown>;
    assert.equal(details.client_id, 'stratus-prod');
    assert.equal(details.oidc_issuer, 'https://sso.acme.example.com');
    assert.equal(details.authorize_scopes, 'openid email profile');
    const secret = JSON.stringify(details.client_secret);
    assert.match(secret, /\{\{resolve:secretsmanager:/, 'a dynamic reference, resolved at deploy');
    assert.match(secret, /stratus\/prod\/acme-client-secret/);
    assert.deepEqual(idp.AttributeMapping, { email: 'email', email_verified: 'email_verified', name: 'name' });
    s.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'stratus-prod-example' });
    s.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
      CallbackURLs: ['https://app.example.com/signin/federated'],
      SupportedIdentityProviders: ['COGNITO', { Ref: idpId }, { Ref: samlId }],
      GenerateSecret: false,
    });
  });

  test('cdk-nag AwsSolutions leaves no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    const open = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} on ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    assert.deepEqual(open, []);
  });

  test('the template has no dependency cycle', () => {
    assert.equal(findCycle(s.json), undefined);
  });

  test('asking for DAX warns at synth that the functions do not read through it yet', () => {
    Annotations.fromStack(s.stack).hasWarning('*', Match.stringLikeRegexp('do not read through DAX'));
  });

  test('prod keeps the user pool (deletion protection), logs a year and the stack has termination protection', () => {
    assert.equal(s.stack.stackName, 'Stratus-prod');
    assert.equal(s.stack.terminationProtection, true);
    s.template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: { DeletionProtection: 'ACTIVE' },
    });
    for (const [id, props] of resourcesOfType(s.json, 'AWS::Logs::LogGroup')) {
      assert.equal(props.RetentionInDays, 365, id);
    }
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 })],
    });
  });

  test('the DAX cluster is encrypted at rest and in transit, and only the functions may reach it', () => {
    s.template.hasResourceProperties('AWS::DAX::Cluster', {
      SSESpecification: { SSEEnabled: true },
      ClusterEndpointEncryptionType: 'TLS',
      ReplicationFactor: 3,
    });
    const ingress = resourcesOfType(s.json, 'AWS::EC2::SecurityGroupIngress').map(([, p]) => p);
    assert.equal(ingress.length, 1);
    assert.equal(ingress[0]?.FromPort, 9111);
    assert.equal(ingress[0]?.ToPort, 9111);
    assert.ok(ingress[0]?.SourceSecurityGroupId, 'from a security group, not an address range');
    s.template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  test('with DAX every function runs in the VPC and is told the cluster endpoint', () => {
    const functions = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Functions'));
    assert.equal(functions.length, httpFunctions.length + eventFunctions.length);
    for (const [id, props] of functions) {
      assert.ok((props.VpcConfig as Json | undefined)?.SubnetIds, `${id} is in the VPC`);
      const env = (props.Environment as { Variables: Json }).Variables;
      assert.match(JSON.stringify(env.DAX_ENDPOINT), /ClusterDiscoveryEndpointURL/, id);
    }
  });

  test('S3 invokes the object-created function directly, which retries twice and then dead-letters', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'users/' }] } },
          }),
        ],
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
    });
  });

  test('the configured origins, and only they, may call the API and upload to the bucket', () => {
    const origins = ['https://app.example.com', 'https://www.example.com'];
    const bucket = resourcesOfType(s.json, 'AWS::S3::Bucket').find(([, p]) => p.CorsConfiguration)?.[1] ?? {};
    const [rule] = (bucket.CorsConfiguration as { CorsRules: Json[] }).CorsRules;
    assert.deepEqual(rule?.AllowedOrigins, origins);
    for (const [id, props] of resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('FunctionsAuth'),
    )) {
      assert.equal((props.Environment as { Variables: Json }).Variables.CORS_ORIGINS, origins.join(','), id);
    }
    const preflight = JSON.stringify(
      resourcesOfType(s.json, 'AWS::ApiGateway::Method').find(([, p]) => p.HttpMethod === 'OPTIONS')?.[1],
    );
    for (const origin of origins) assert.ok(preflight.includes(origin), origin);
    assert.doesNotMatch(preflight, /'\*'/);
  });

  test('Cognito mails through SES from the configured sender; alarms reach the configured address', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'no-reply@example.com',
        SourceArn: Match.anyValue(),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('with a sender, the notifications and scheduler functions, and only they, may mail through SES and send SMS', () => {
    for (const { name } of allFunctions) {
      const actions = roleActions(s, name);
      const notifies = ['notifications', 'scheduler'].includes(name);
      for (const action of ['ses:SendEmail', 'ses:SendRawEmail', 'sns:Publish']) {
        assert.equal(actions.includes(action), notifies, `${name}: ${action}`);
      }
      const env = environmentOf(s, functionId(s, name));
      assert.equal(env.SMS_SENDER_ID, notifies ? 'Stratus' : undefined, `${name}: SMS_SENDER_ID`);
      assert.equal(env.MAIL_FROM, 'no-reply@example.com', `${name}: MAIL_FROM`);
    }
    const ses = roleStatements(s, 'scheduler').find((statement) => list(statement.Action).includes('ses:SendEmail'));
    assert.match(JSON.stringify(ses?.Resource), /identity\/no-reply@example\.com/);
  });

  test('the media distribution trusts the configured public key, and no placeholder notice is output', () => {
    s.template.hasResourceProperties('AWS::CloudFront::PublicKey', { PublicKeyConfig: { EncodedKey: publicKey } });
    assert.equal(s.json.Outputs?.MediaKeyNotice, undefined);
  });

  test('with a real key, photos and graphql, and only they, sign media URLs: the key’s id and the secret holding its private half', () => {
    const keyId = logicalIdOf(s, 'Cdn/MediaKey/Resource');
    const secretId = logicalIdOf(s, 'Cdn/MediaSigningKey/Resource');
    for (const { name } of allFunctions) {
      const env = environmentOf(s, functionId(s, name));
      if (name === 'photos' || name === 'graphql') {
        assert.deepEqual(env.MEDIA_KEY_PAIR_ID, { Ref: keyId });
        assert.deepEqual(env.MEDIA_SIGNING_KEY_SECRET, { Ref: secretId });
        assert.ok(env.MEDIA_URL, 'signs against the media distribution');
      } else {
        assert.equal(env.MEDIA_KEY_PAIR_ID, undefined, name);
        assert.equal(env.MEDIA_SIGNING_KEY_SECRET, undefined, name);
      }
    }
    assert.equal(s.json.Resources[secretId]?.DeletionPolicy, 'Retain', 'prod keeps its signing key');
  });
});

/** Whether an IAM policy (by logical id) is attached to a role (by logical id). */
function attachedTo(s: Synthesized, policyId: string, roleId: string): boolean {
  const roles = s.json.Resources[policyId]?.Properties?.Roles as Array<{ Ref: string }> | undefined;
  return roles?.some((r) => r.Ref === roleId) ?? false;
}

/** The statements of the policies attached to a catalog function's role. */
function roleStatements(s: Synthesized, name: string): Statement[] {
  const roleId = logicalIdOf(s, `Functions/${s.stack.functions.get(name).role.node.id}/Resource`);
  return statementsOf(s.json)
    .filter(({ id }) => attachedTo(s, id, roleId))
    .map(({ statement }) => statement);
}

/** Every action a catalog function's role is allowed. */
function roleActions(s: Synthesized, name: string): string[] {
  return roleStatements(s, name)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => list(statement.Action));
}

/** A function's environment variables, by logical id. */
function environmentOf(s: Synthesized, functionLogicalId: string): Json {
  const props = s.json.Resources[functionLogicalId]?.Properties as { Environment?: { Variables: Json } } | undefined;
  return props?.Environment?.Variables ?? {};
}

/** The logical id of the CloudFormation resource at a construct path below the stack. */
function logicalIdOf(s: Synthesized, path: string): string {
  const construct = s.stack.node.findAll().find((c) => c.node.path === `${s.stack.stackName}/${path}`);
  if (!construct) throw new Error(`No construct at ${path}`);
  return s.stack.resolve((construct as CfnElement).logicalId) as string;
}
