import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { type RunningDynalite, startDynalite } from '../../test/support/dynalite.ts';
import { DynamoTable } from '../adapters/aws/dynamo-table.ts';
import { profileKey } from '../apps/users/profile.ts';
import { handler } from './cognito-post-confirmation.ts';

const TABLE = 'stratus-triggers-test';
let dynalite: RunningDynalite;

before(async () => {
  dynalite = await startDynalite();
  await dynalite.createTable(TABLE);
  // Only what the stack gives the triggers: no pool id, which would be a cycle in CloudFormation.
  process.env.AWS_REGION = 'us-east-1';
  process.env.TABLE_NAME = TABLE;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  delete process.env.USER_POOL_ID;
  delete process.env.USER_POOL_CLIENT_ID;
});
after(() => dynalite.close());

test('the post-confirmation function creates the profile with only the table named in its environment', async () => {
  const sub = '6f1c2d3e-0000-4000-8000-000000000001';
  const event = {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_TESTPOOL',
    userName: sub,
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'test-client' },
    request: { userAttributes: { sub, email: 'ada@example.com', email_verified: 'true', name: 'Ada' } },
    response: {},
  } as unknown as PostConfirmationTriggerEvent;
  assert.deepEqual(await handler(event), event, 'Cognito needs the event back');
  const table = new DynamoTable({ client: dynalite.client, tableName: TABLE });
  const profile = await table.get(profileKey(sub));
  assert.equal(profile?.sub, sub);
  assert.equal(profile?.name, 'Ada');
});
