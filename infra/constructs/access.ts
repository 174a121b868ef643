/**
 * The permissions a function may be given beyond its log group, each as narrow as the service
 * allows. The CDK's `grantReadWrite` on a bucket would hand out `s3:*Object*`-style wildcards
 * and the whole bucket; these name the actions the adapters call and the `users/` prefix.
 */
import { Arn, Aws } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../src/adapters/aws/dynamo-schema.ts';
import { USER_OBJECTS_PREFIX } from './storage.ts';

const tableReads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** Transactions are authorized as their parts (put, update, delete, condition check). */
const tableWrites = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * The item operations of the Table port, on the table and its indexes named one by one
 * (`grantReadWriteData` would add `index/*`, `Scan` and `DescribeTable`, which nothing calls).
 */
export function grantTable(role: iam.IRole, table: dynamodb.ITable, access: 'read' | 'readWrite'): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: access === 'read' ? tableReads : [...tableReads, ...tableWrites],
      resources: [table.tableArn],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: tableDefinition.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
    }),
  );
}

/**
 * X-Ray's write actions, which take no resource: one shared policy, so the one wildcard
 * sits in one place instead of in every function's own policy.
 */
export function tracingPolicy(scope: Construct, id: string): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, id, {
    description: 'Lets Stratus functions send X-Ray trace segments',
    statements: [
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ],
  });
}

/** Users' objects: read, write (pre-signed POST and GET act as the function), delete, list. */
export function grantUserObjects(role: iam.IRole, bucket: s3.IBucket): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${USER_OBJECTS_PREFIX}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${USER_OBJECTS_PREFIX}*`] } },
    }),
  );
}

/**
 * The user-pool calls the Cognito adapter makes with IAM (the user-facing ones are authorized by
 * the caller's own token): sign a user out everywhere, look a user up, and remove an unconfirmed
 * sign-up so the address can sign up again.
 */
export function grantAccountAdministration(role: iam.IRole, userPool: cognito.IUserPool): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['cognito-idp:AdminUserGlobalSignOut', 'cognito-idp:AdminGetUser', 'cognito-idp:AdminDeleteUser'],
      resources: [userPool.userPoolArn],
    }),
  );
}

/**
 * The operator console's users page (IdentityAdmin in src/adapters/aws/cognito-identity.ts):
 * find users, read one whole with its groups, disable and enable, grant and revoke the admins
 * group, sign out everywhere, delete.
 */
export function grantUserPoolOperations(role: iam.IRole, userPool: cognito.IUserPool): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'cognito-idp:ListUsers',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminEnableUser',
        'cognito-idp:AdminDisableUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:AdminUserGlobalSignOut',
        'cognito-idp:AdminDeleteUser',
      ],
      resources: [userPool.userPoolArn],
    }),
  );
}

/**
 * The Identity port's `setAttributes` (src/adapters/aws/cognito-identity.ts), which sets a
 * profile attribute on the server's authority, not the user's token: it looks the user up, then
 * updates the attributes given a value and deletes those given none. Today only the profile
 * picture's URL: set when an avatar upload is processed, deleted when the picture is removed.
 */
export function grantProfileAttributes(role: iam.IRole, userPool: cognito.IUserPool): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminUpdateUserAttributes',
        'cognito-idp:AdminDeleteUserAttributes',
      ],
      resources: [userPool.userPoolArn],
    }),
  );
}

/**
 * One secret's value, and nothing else of Secrets Manager (`grantRead` would add DescribeSecret).
 * The secret is encrypted with Secrets Manager's AWS-managed key, which needs no KMS grant.
 */
export function grantSecretValue(role: iam.IRole, secret: secretsmanager.ISecret): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

/**
 * Mail through SES from the configured sender (its address and its domain as SES identities),
 * and SMS through SNS: `NotResource` on every topic ARN leaves only direct publishes to phone
 * numbers, which have no ARN to name.
 */
export function grantNotify(role: iam.IRole, mailFrom: string | undefined): void {
  if (mailFrom) {
    const domain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1);
    const identity = (name: string) =>
      Arn.format({
        service: 'ses',
        resource: 'identity',
        resourceName: name,
        region: Aws.REGION,
        account: Aws.ACCOUNT_ID,
        partition: Aws.PARTITION,
      });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [identity(mailFrom), identity(domain)],
      }),
    );
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sns:Publish'],
      notResources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
    }),
  );
}

/**
 * What Lambda needs to attach a function to a VPC (its network interfaces), which EC2 lets no
 * policy scope to a resource: one shared policy, like the tracing one, for the DAX setup only.
 */
export function vpcAccessPolicy(scope: Construct, id: string): iam.ManagedPolicy {
  return new iam.ManagedPolicy(scope, id, {
    description: 'Lets Stratus functions attach to the VPC (network interfaces)',
    statements: [
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    ],
  });
}
