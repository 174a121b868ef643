import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { filesPrefix } from '../../src/apps/files/keys.ts';
import { avatarOriginalKey, avatarRenditionKey, photoRenditionKey } from '../../src/apps/photos/keys.ts';
import type { EventFunction } from '../../src/functions/catalog.ts';
import { isPublicMediaKey, PUBLIC_MEDIA_PATH_PATTERN } from '../../src/platform/media.ts';
import { findCycle } from '../test-support.ts';
import { grantNotify } from './access.ts';
import { isPublic } from './api.ts';
import { PUBLIC_MEDIA_FUNCTION_CODE } from './cdn.ts';
import { EventWiring, tickLifetime } from './events.ts';
import type { StratusFunction } from './functions.ts';
import { USER_OBJECTS_PREFIX } from './storage.ts';

/** A throwaway stack with one inline function: these checks need no bundles and no full synth. */
function smallStack() {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Small');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    role,
  });
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const bucket = new s3.Bucket(stack, 'Bucket');
  const wiring = new EventWiring(stack, 'Events', { table, userDataBucket: bucket, objectEvents: 'queue' });
  const target: StratusFunction = { name: 'reminders', kind: 'event', fn, role };
  return { stack, role, wiring, target };
}

describe('event wiring', () => {
  test('a `schedule:` catalog source becomes an EventBridge rule with retries; a failed run is not retried; both dead-letter', () => {
    const { stack, wiring, target } = smallStack();
    const entry: EventFunction = { name: 'reminders', source: 'schedule:rate(5 minutes)' };
    wiring.connect(entry, target);
    const template = Template.fromStack(stack);
    const [deadLetters] = wiring.deadLetterQueues;
    assert.ok(deadLetters && wiring.deadLetterQueues.length === 1, 'one dead-letter queue');
    const queueArn = {
      'Fn::GetAtt': [stack.resolve((deadLetters.queue.node.defaultChild as CfnElement).logicalId), 'Arn'],
    };
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: queueArn },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  test('a tick lives until the next is due, at least two minutes and at most an hour; a cron tick an hour', () => {
    const seconds = (expression: string) => tickLifetime(expression).toSeconds();
    assert.equal(seconds('rate(1 minute)'), 120);
    assert.equal(seconds('rate(5 minutes)'), 300);
    assert.equal(seconds('rate(1 hour)'), 3600);
    assert.equal(seconds('rate(2 days)'), 3600);
    assert.equal(seconds('cron(0 3 * * ? *)'), 3600);
  });

  test('a source the CDK app does not know stops synth instead of deploying an uninvoked function', () => {
    const { wiring, target } = smallStack();
    const entry = { name: 'mystery', source: 'sns:topic' } as unknown as EventFunction;
    assert.throws(() => wiring.connect(entry, target), /does not know how to invoke "mystery"/);
  });
});

describe('notify permissions', () => {
  test('mail only from the configured sender (address and domain identities), SMS only to phone numbers', () => {
    const { stack, role } = smallStack();
    grantNotify(role, 'no-reply@example.com');
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0] as {
      Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
    };
    const statements = policy.Properties.PolicyDocument.Statement;
    const ses = statements.find((s) => JSON.stringify(s.Action).includes('ses:'));
    assert.deepEqual(ses?.Action, ['ses:SendEmail', 'ses:SendRawEmail']);
    const identities = JSON.stringify(ses?.Resource);
    assert.match(identities, /identity\/no-reply@example\.com/);
    assert.match(identities, /identity\/example\.com"/);
    const sns = statements.find((s) => s.Action === 'sns:Publish');
    assert.equal(sns?.Resource, undefined);
    assert.match(JSON.stringify(sns?.NotResource), /:sns:\*:\*:\*/);
  });

  test('without a sender, only SMS is allowed', () => {
    const { stack, role } = smallStack();
    grantNotify(role, undefined);
    assert.doesNotMatch(JSON.stringify(Template.fromStack(stack).toJSON()), /ses:Send/);
  });
});

describe('public paths', () => {
  test('a path is public when it is, or lies below, a public path; a shared prefix is not enough', () => {
    assert.equal(isPublic('/v1/auth', ['/v1/auth']), true);
    assert.equal(isPublic('/v1/auth/signin', ['/v1/auth']), true);
    assert.equal(isPublic('/v1/authors', ['/v1/auth']), false);
    assert.equal(isPublic('/v1/me', ['/v1/auth']), false);
  });
});

describe('the template cycle check', () => {
  test('finds a cycle through Ref, Fn::GetAtt or DependsOn, and none in a chain', () => {
    const cyclic = {
      Resources: {
        A: { Type: 'X', Properties: { To: { Ref: 'B' } } },
        B: { Type: 'X', Properties: { To: { 'Fn::GetAtt': ['C', 'Arn'] } } },
        C: { Type: 'X', DependsOn: ['A'] },
      },
    };
    assert.deepEqual(findCycle(cyclic), ['A', 'B', 'C', 'A']);
    const chain = { Resources: { A: { Type: 'X', Properties: { To: { Ref: 'B' } } }, B: { Type: 'X' } } };
    assert.equal(findCycle(chain), undefined);
  });
});

describe('the user-objects prefix', () => {
  test("is where the files app keeps every user's objects, so the object grants and events cover them", () => {
    assert.ok(filesPrefix('0f1e2d3c').startsWith(USER_OBJECTS_PREFIX));
  });
});

describe('the public media behaviour', () => {
  type Request = { uri: string };
  const handler = runInNewContext(`${PUBLIC_MEDIA_FUNCTION_CODE}\nhandler`, {}) as (event: {
    request: Request;
  }) => Request | { statusCode: number };
  /** What the CloudFront Function does with a viewer's request for `/<key>`. */
  const passes = (key: string) => {
    const request = { uri: `/${key}` };
    return handler({ request }) === request;
  };
  /** CloudFront path patterns: `*` is any run of characters, `/` included; `?` is one. */
  const cloudFrontMatches = (pattern: string, key: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(key);
  const sub = '4f1c2a9e-0b7d-4c55-9a1e-3d2b8c6f7e10';
  const avatar = '01jabcdefghjkmnpqrstvwxyz0';

  test("lets through every profile picture's rendition, which the behaviour's pattern matches", () => {
    for (const name of ['s150.jpg', 's300.jpg']) {
      const key = avatarRenditionKey(sub, avatar, name);
      assert.equal(isPublicMediaKey(key), true, key);
      assert.equal(cloudFrontMatches(PUBLIC_MEDIA_PATH_PATTERN, key), true, key);
      assert.equal(passes(key), true, key);
    }
  });

  test('refuses the private objects the pattern also matches, and encoded or dotted paths S3 would read as other keys', () => {
    const privateButMatched = [
      `${filesPrefix(sub)}avatars/me.jpg`,
      `${filesPrefix(sub)}holiday/avatars/${avatar}/s300.jpg`,
      `${photoRenditionKey(sub, avatar, 'v1', 's300.jpg').replace('/v1/', '/avatars/')}`,
    ];
    for (const key of privateButMatched) {
      assert.equal(cloudFrontMatches(PUBLIC_MEDIA_PATH_PATTERN, key), true, `the pattern matches ${key}`);
      assert.equal(isPublicMediaKey(key), false, key);
      assert.equal(passes(key), false, key);
    }
    for (const key of [
      avatarOriginalKey(sub, avatar),
      `users/${sub}%2Ffiles/avatars/${avatar}/s300.jpg`,
      `users/../avatars/${avatar}/s300.jpg`,
      `users/${sub}/avatars/${avatar}/s300.jpg.exe`,
    ]) {
      assert.equal(passes(key), false, key);
    }
    // Spread: the answer is an object of the function's own realm (node:vm), with its own prototype.
    assert.deepEqual(
      { ...handler({ request: { uri: `/${filesPrefix(sub)}avatars/me.jpg` } }) },
      {
        statusCode: 403,
        statusDescription: 'Forbidden',
      },
    );
  });
});
