import { Annotations, Aws, CfnOutput, Lazy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { defaultUsagePlans } from '../src/apps/api-keys/plans.ts';
import { eventFunctions, httpFunctions } from '../src/functions/catalog.ts';
import {
  grantAccountAdministration,
  grantNotify,
  grantProfileAttributes,
  grantSecretValue,
  grantTable,
  grantUserObjects,
  grantUserPoolOperations,
} from './constructs/access.ts';
import { Api } from './constructs/api.ts';
import { bucketOrigin, Cdn } from './constructs/cdn.ts';
import { DataTable } from './constructs/data.ts';
import { DaxCache } from './constructs/dax.ts';
import { EventWiring } from './constructs/events.ts';
import { StratusFunctions } from './constructs/functions.ts';
import { Graphql } from './constructs/graphql.ts';
import { Identity } from './constructs/identity.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Storage, USER_OBJECTS_PREFIX, userDataBucketName } from './constructs/storage.ts';
import { WebDeployment } from './constructs/web-deployment.ts';
import { acknowledgeFindings } from './nag.ts';
import type { Settings } from './settings.ts';

/**
 * Functions that send mail or SMS through the Notifier port, and so get SES/SNS send rights and
 * the SMS sender id: notifications (phone verification codes by SMS) and the scheduler
 * (reminders, digests). Cognito still mails the sign-up and reset codes itself.
 */
export const notifyingFunctions: readonly string[] = ['notifications', 'scheduler'];

/**
 * Functions that touch users' objects: upload/download links (files, tasks' attachments, photos,
 * profile pictures), object events, and account and item clean-up (table-stream).
 */
export const objectFunctions: readonly string[] = [
  'auth',
  'files',
  'tasks',
  'photos',
  'object-created',
  'table-stream',
];

/** Functions that call the user pool's admin API. */
export const accountAdminFunctions: readonly string[] = ['auth'];

/** The operator console's API: it manages users and the admins group. */
export const userPoolOperatorFunctions: readonly string[] = ['admin'];

/**
 * Functions that set profile attributes on the server's authority (the profile picture's URL):
 * object-created when an avatar is processed, auth when the picture is removed.
 */
export const profileAttributeFunctions: readonly string[] = ['auth', 'object-created'];

/**
 * Functions that hand out profile pictures' public URLs (MEDIA_URL): avatar views and processing,
 * photos, and the social graph (posts' photos, stories).
 */
export const mediaUrlFunctions: readonly string[] = ['auth', 'photos', 'object-created', 'graphql'];

/** The functions that sign private media URLs with the CloudFront key pair: photos, and posts' photos. */
export const mediaSigningFunctions: readonly string[] = ['photos', 'graphql'];

/**
 * Functions that only read users' objects: the social graph hands out links to posts' photos,
 * which are pre-signed S3 GETs (made as the function) until a CloudFront key signs them.
 */
export const objectReaderFunctions: readonly string[] = ['graphql'];

/** The functions that push live updates through AppSync's publish mutations (the social counters and fan-out). */
export const livePublishingFunctions: readonly string[] = ['table-stream'];

/** Read-only table access: the pre-sign-up check writes nothing. */
const tableReaders: readonly string[] = ['cognito-pre-sign-up'];

export interface StratusStackProps extends StackProps {
  settings: Settings;
}

/** Stratus on AWS: one stack per stage. */
export class StratusStack extends Stack {
  readonly functions: StratusFunctions;

  constructor(scope: Construct, id: string, props: StratusStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { stage } = settings;
    Tags.of(this).add('app', 'stratus');
    Tags.of(this).add('stage', stage);
    const logRetention =
      settings.limits.logRetentionDays === 365 ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;

    const { table } = new DataTable(this, 'Data');
    const dax = settings.dax
      ? new DaxCache(this, 'Dax', { table, nodes: stage === 'prod' ? 3 : 1, logRetention })
      : undefined;
    if (dax) {
      Annotations.of(dax).addWarningV2(
        'stratus:dax-not-used',
        'The functions do not read through DAX yet (DAX_ENDPOINT is passed but unused): see "DAX" in docs/aws.md.',
      );
    }
    const storage = new Storage(this, 'Storage', { stage });

    this.functions = new StratusFunctions(this, 'Functions', {
      functionsDir: settings.functionsDir,
      stage,
      logRetention,
      environment: {
        STAGE: stage,
        TABLE_NAME: table.tableName,
        BUCKET_NAME: storage.userDataBucket.bucketName,
        ...(dax ? { DAX_ENDPOINT: dax.cluster.attrClusterDiscoveryEndpointUrl } : {}),
      },
      ...(dax ? { network: { vpc: dax.vpc, securityGroups: [dax.functionsSecurityGroup] } } : {}),
    });
    const functions = this.functions;

    const identity = new Identity(this, 'Identity', {
      stage,
      preSignUp: functions.get('cognito-pre-sign-up').fn,
      postConfirmation: functions.get('cognito-post-confirmation').fn,
      userDataBucket: storage.userDataBucket,
      ...(settings.mailFrom ? { mailFrom: settings.mailFrom } : {}),
      ...(settings.federation ? { federation: settings.federation } : {}),
    });

    // The web app's CSP names the API, which is built after the distribution (its default CORS origin).
    let apiOrigin = '';
    const cdn = new Cdn(this, 'Cdn', {
      stage,
      webAssetsBucket: storage.webAssetsBucket,
      userDataBucket: storage.userDataBucket,
      logBucket: storage.logBucket,
      connectSources: [
        Lazy.string({ produce: () => apiOrigin }),
        bucketOrigin(userDataBucketName(stage)),
        `https://cognito-identity.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      ],
      mediaPublicKey: settings.mediaPublicKey,
    });
    const corsOrigins = settings.corsOrigins ?? [cdn.webOrigin];
    storage.allowBrowserOrigins(corsOrigins);

    const api = new Api(this, 'Api', {
      stage,
      userPool: identity.userPool,
      routes: httpFunctions.map((entry) => ({ entry, fn: functions.get(entry.name).fn })),
      corsOrigins,
      usagePlans: defaultUsagePlans,
      throttle: { rateLimit: settings.limits.throttleRate, burstLimit: settings.limits.throttleBurst },
      logRetention,
    });
    apiOrigin = `https://${api.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const web = new WebDeployment(this, 'Web', {
      webDir: settings.webDir,
      bucket: storage.webAssetsBucket,
      distribution: cdn.web,
      apiUrl: api.url,
      logRetention,
    });

    const wiring = new EventWiring(this, 'Events', {
      table,
      userDataBucket: storage.userDataBucket,
      objectEvents: settings.objectEvents,
    });
    const graphql = new Graphql(this, 'Graphql', {
      stage,
      userPool: identity.userPool,
      resolver: functions.get('graphql'),
      logRetention,
    });
    // AppSync invokes its data source itself; the other event functions are wired to their sources.
    for (const entry of eventFunctions) {
      if (entry.source !== 'appsync:resolver') wiring.connect(entry, functions.get(entry.name));
    }

    for (const f of functions.all) {
      grantTable(f.role, table, tableReaders.includes(f.name) ? 'read' : 'readWrite');
      if (dax) dax.grantDataAccess(f.role);
    }
    for (const name of objectFunctions) grantUserObjects(functions.get(name).role, storage.userDataBucket);
    for (const name of objectReaderFunctions) grantUserObjectReads(functions.get(name).role, storage.userDataBucket);
    for (const name of accountAdminFunctions) grantAccountAdministration(functions.get(name).role, identity.userPool);
    for (const name of userPoolOperatorFunctions) grantUserPoolOperations(functions.get(name).role, identity.userPool);
    for (const name of profileAttributeFunctions) grantProfileAttributes(functions.get(name).role, identity.userPool);
    for (const name of mediaSigningFunctions) grantSecretValue(functions.get(name).role, cdn.mediaSigningKey);
    for (const name of notifyingFunctions) grantNotify(functions.get(name).role, settings.mailFrom);

    // The names src/functions/config.ts reads. The triggers get no user-pool ids: the pool names
    // them, so naming the pool back would be a cycle; Cognito puts the pool id in their events.
    functions.setEnvironment(['http', 'event', 'trigger'], {
      CORS_ORIGINS: corsOrigins.join(','),
      ...(settings.mailFrom ? { MAIL_FROM: settings.mailFrom } : {}),
    });
    functions.setEnvironment(['http', 'event'], {
      USER_POOL_ID: identity.userPool.userPoolId,
      USER_POOL_CLIENT_ID: identity.client.userPoolClientId,
    });
    if (settings.smsSenderId) {
      for (const name of notifyingFunctions)
        functions.get(name).fn.addEnvironment('SMS_SENDER_ID', settings.smsSenderId);
    }
    for (const name of mediaUrlFunctions) functions.get(name).fn.addEnvironment('MEDIA_URL', cdn.mediaUrl);
    for (const name of livePublishingFunctions) {
      graphql.grantPublish(functions.get(name).role);
      functions.get(name).fn.addEnvironment('APPSYNC_URL', graphql.api.graphqlUrl);
    }
    // With the placeholder key no URL it signs would be accepted: photos pre-signs S3 GETs until a key is given.
    if (!settings.mediaKeyIsPlaceholder) {
      for (const name of mediaSigningFunctions) {
        functions.get(name).fn.addEnvironment('MEDIA_KEY_PAIR_ID', cdn.mediaPublicKey.publicKeyId);
        functions.get(name).fn.addEnvironment('MEDIA_SIGNING_KEY_SECRET', cdn.mediaSigningKey.secretArn);
      }
    }

    const monitoring = new Monitoring(this, 'Monitoring', {
      stage,
      api: api.restApi,
      functions: functions.all,
      deadLetterQueues: wiring.deadLetterQueues,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    const outputs: Record<string, [string, string]> = {
      ApiUrl: [api.url, 'Base URL of the API stage (append v1/...)'],
      Region: [Aws.REGION, 'Region of the user pool, identity pool and buckets'],
      UserPoolId: [identity.userPool.userPoolId, 'Cognito user pool id'],
      UserPoolClientId: [identity.client.userPoolClientId, 'Cognito app client id (no secret)'],
      IdentityPoolId: [identity.identityPool.identityPoolId, 'Cognito identity pool id'],
      UserDataBucketName: [storage.userDataBucket.bucketName, 'Bucket of users’ objects'],
      WebAssetsBucketName: [storage.webAssetsBucket.bucketName, 'Upload the built web app here'],
      WebDistributionId: [cdn.web.distributionId, 'Invalidate after uploading the web app'],
      WebUrl: [cdn.webOrigin, 'Address of the web app'],
      MediaUrl: [cdn.mediaUrl, 'Base URL of signed media links'],
      MediaKeyPairId: [cdn.mediaPublicKey.publicKeyId, 'Key-Pair-Id of the media signing key'],
      MediaSigningKeySecret: [
        cdn.mediaSigningKey.secretArn,
        'Put the media key pair’s private key here, before deploying its public key: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string file://media-private.pem',
      ],
      GraphqlUrl: [
        graphql.api.graphqlUrl,
        'The social app’s GraphQL endpoint (AppSync: queries, mutations, and subscriptions over its real-time endpoint)',
      ],
      GraphqlApiKeyId: [
        graphql.apiKey.attrApiKeyId,
        'Id of the API key for public reads; see it with aws appsync list-api-keys --api-id <the API id>',
      ],
      TableName: [table.tableName, 'DynamoDB table'],
      AlarmTopicArn: [monitoring.topic.topicArn, 'Subscribe to receive alarms'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) new CfnOutput(this, id, { value, description });
    if (settings.mediaKeyIsPlaceholder) {
      new CfnOutput(this, 'MediaKeyNotice', {
        value:
          'placeholder key: photos get pre-signed S3 links; to sign CloudFront media links, put the private key in MediaSigningKeySecret, then deploy -c mediaPublicKeyFile=<public pem>',
      });
    }

    acknowledgeFindings({
      stack: this,
      functions,
      identity,
      storage,
      cdn,
      api,
      wiring,
      web,
      graphql,
      objectFunctions,
      objectReaderFunctions,
    });
  }
}

/** Reading users' objects, nothing else of the bucket (the `users/` prefix, as grantUserObjects). */
function grantUserObjectReads(role: iam.IRole, bucket: s3.IBucket): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${USER_OBJECTS_PREFIX}*`)],
    }),
  );
}
