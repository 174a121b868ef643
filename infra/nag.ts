/**
 * Every cdk-nag AwsSolutions finding Stratus accepts, each on the narrowest construct, with the
 * reason. Anything not acknowledged here fails synth (and the infra tests).
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Api } from './constructs/api.ts';
import type { Cdn } from './constructs/cdn.ts';
import type { EventWiring } from './constructs/events.ts';
import type { StratusFunctions } from './constructs/functions.ts';
import type { Graphql } from './constructs/graphql.ts';
import type { Identity } from './constructs/identity.ts';
import { type Storage, USER_OBJECTS_PREFIX } from './constructs/storage.ts';
import type { WebDeployment } from './constructs/web-deployment.ts';

export interface StackParts {
  stack: Stack;
  functions: StratusFunctions;
  identity: Identity;
  storage: Storage;
  cdn: Cdn;
  api: Api;
  wiring: EventWiring;
  web: WebDeployment;
  graphql: Graphql;
  /** Functions given `grantUserObjects`. */
  objectFunctions: readonly string[];
  /** Functions that may only read users' objects. */
  objectReaderFunctions: readonly string[];
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

/** How cdk-nag names a resource's ARN in a finding: `<LogicalId.Arn>`. */
function arnRef(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).resolve(element.logicalId)}.Arn>`;
}

export function acknowledgeFindings(parts: StackParts): void {
  const { stack, functions, identity, storage, cdn, api, wiring } = parts;

  ack(
    functions.tracing,
    'IAM5[Resource::*]',
    'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; this shared policy holds only them.',
  );
  if (functions.vpcAccess) {
    ack(
      functions.vpcAccess,
      'IAM5[Resource::*]',
      "Lambda's network-interface actions in a VPC support no resource-level permissions; this shared policy holds only them.",
    );
  }
  ack(
    functions.get('table-stream').role,
    'IAM5[Resource::*]',
    'dynamodb:ListStreams (added by the stream event source) supports no resource-level permissions.',
  );
  for (const name of parts.objectFunctions) {
    ack(
      functions.get(name).role,
      `IAM5[Resource::${arnRef(storage.userDataBucket)}/${USER_OBJECTS_PREFIX}*]`,
      'Objects under users/ only; each key is built from the verified caller sub in code, which IAM cannot see.',
    );
  }
  for (const name of parts.objectReaderFunctions) {
    ack(
      functions.get(name).role,
      `IAM5[Resource::${arnRef(storage.userDataBucket)}/${USER_OBJECTS_PREFIX}*]`,
      'GetObject under users/ only (links to photos the app has already checked the caller may see); IAM cannot see which.',
    );
  }
  for (const { fn } of functions.all) {
    ack(
      fn,
      'L1',
      'Node.js 22 on purpose: the runtime the bundles are built and tested for; move with the esbuild target.',
    );
  }

  const { graphql } = parts;
  ack(
    graphql.api,
    'ASC3',
    "Request-level and ERROR field logs are on; verbose content is excluded on purpose: it would log each request's headers (the caller's Cognito token or the API key) and its arguments (users' posts and comments).",
  );
  ack(
    graphql.dataSource,
    `IAM5[Resource::${arnRef(functions.get('graphql').fn)}:*]`,
    "The CDK's grantInvoke for the data source: the graphql function and its versions (`:*`), nothing else.",
  );

  const pool = identity.userPool;
  ack(
    pool,
    'COG1',
    'Same policy as on one machine: length 8-256 without composition rules (NIST SP 800-63B); the app refuses common passwords.',
  );
  ack(pool, 'COG2', 'MFA is optional by design: users turn on TOTP themselves (SMS is off).');
  ack(
    pool,
    'COG8',
    'Essentials plan: Plus (threat protection) is billed per active user; switch featurePlan when the budget allows.',
  );
  ack(
    identity.identityPool.authenticatedRole,
    `IAM5[Resource::${arnRef(storage.userDataBucket)}/private/<cognito-identity.amazonaws.com:sub>/*]`,
    'The cognito-identity.amazonaws.com:sub policy variable confines each identity to its own private/ prefix.',
  );

  for (const distribution of [cdn.web, cdn.media]) {
    ack(distribution, 'CFR1', 'Stratus serves users anywhere; no country is excluded.');
    ack(
      distribution,
      'CFR2',
      'No WAF yet: static assets and signed media only; a web ACL can be attached per deployment.',
    );
    ack(
      distribution,
      'CFR4',
      'The default *.cloudfront.net certificate allows no minimum TLS setting; a custom domain with TLSv1.2_2021 lifts this.',
    );
  }

  ack(
    cdn.mediaSigningKey,
    'SMG4',
    "A CloudFront key pair's private half: rotating it means adding a new public key to the media key group with it, an operator step (-c mediaPublicKeyFile) that a Secrets Manager rotation function cannot take.",
  );

  const cloudWatchRole = api.restApi.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    ack(
      cloudWatchRole,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-wide logging role; AWS's own policy for exactly this.",
    );
  }
  ack(
    api.restApi.deploymentStage,
    'APIG3',
    'No WAF yet: stage throttling, usage plans and per-user rate limits in the functions bound abuse.',
  );
  for (const method of api.publicMethods) {
    const reason =
      'Public by design (sign-up, sign-in, public sites, shared photo links); stage throttling bounds every route, and sign-in is also throttled per address by the function.';
    ack(method, 'APIG4', reason);
    ack(method, 'COG4', reason);
  }

  for (const { queue, via } of wiring.deadLetterQueues) {
    if (via === 'destination') {
      ack(queue, 'SQS3', 'This queue is itself a dead-letter queue (a Lambda or EventBridge failure destination).');
    }
  }

  // The CDK's singleton function that copies the web app into its bucket (WebDeployment).
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    const reason =
      "The CDK's bucket-deployment custom resource: it runs only during deployments, copying the web build from the CDK asset bucket into the web-assets bucket and invalidating the page in CloudFront.";
    ack(child, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason);
    ack(child, 'L1', `${reason} Its runtime is the CDK's choice.`);
    for (const finding of [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      `Resource::${arnRef(parts.storage.webAssetsBucket)}/*`,
      // cloudfront:CreateInvalidation and GetInvalidation.
      'Resource::*',
    ]) {
      ack(
        child,
        `IAM5[${finding}]`,
        `${reason} The CDK grants these to the bucket (read the assets, write the web build).`,
      );
    }
  }

  // The CDK's singleton function that writes the bucket's notification configuration.
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    ack(
      child,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The CDK's bucket-notification custom resource; it runs only during deployments.",
    );
  }
}
