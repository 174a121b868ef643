import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { CloudFrontMediaUrls } from '../adapters/aws/cloudfront-media-urls.ts';
import { accessTokenVerifier } from '../adapters/aws/cognito-token-verifier.ts';
import { DynamoTable } from '../adapters/aws/dynamo-table.ts';
import { PresignedMediaUrls } from '../adapters/aws/media-urls.ts';
import { type Apps, composeApps } from '../apps/index.ts';
import { AccountsService } from '../apps/users/service.ts';
import { TableQuotaStore } from '../http/middleware/rate-limit-quota.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { Identity, IdentityAdmin } from '../platform/identity.ts';
import type { LiveEvent, LivePublisher } from '../platform/live.ts';
import type { MediaUrls } from '../platform/media.ts';
import { ChannelNotifier, type Notifier } from '../platform/notifier.ts';
import type { ObjectStore } from '../platform/objects.ts';
import type { Table } from '../platform/table.ts';
import type { AwsConfig } from './config.ts';
import { lazyPort } from './lazy-port.ts';

/** Only for an AWS-compatible peer (tests on emulators): where its tokens come from and how to read its keys. */
export interface PeerOptions {
  issuer?: string;
  jwksCache?: JwksCache;
  /** S3-compatible servers that cannot take the bucket in the host name. */
  forcePathStyle?: boolean;
}

export interface AwsRuntime {
  config: AwsConfig;
  table: Table;
  apps: Apps;
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

const SERVICE = 'stratus';
const POWERTOOLS_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'SILENT' } as const;

/**
 * The composition root on Lambda: the AWS adapters, wired to the same apps as on one machine.
 * Built once per execution environment (cold start) and reused by every invocation. SDK clients
 * take their endpoints from the standard `AWS_ENDPOINT_URL_*` variables, which is how tests
 * point them at local peers.
 */
export function createAwsRuntime(config: AwsConfig, peer: PeerOptions = {}, clock: Clock = systemClock): AwsRuntime {
  const logger = new Logger({ serviceName: SERVICE, logLevel: POWERTOOLS_LEVEL[config.logLevel] });
  const metrics = new Metrics({ namespace: 'Stratus', serviceName: SERVICE });
  const tracer = new Tracer({ serviceName: SERVICE });
  // Each SDK call becomes an X-Ray subsegment, so a slow request shows which service it waited on.
  const aws = <T>(client: T): T => tracer.captureAWSv3Client(client);
  const table = new DynamoTable({
    client: aws(new DynamoDBClient({ region: config.region })),
    tableName: config.tableName,
    clock,
  });
  // S3, Cognito's API, SES and SNS are loaded when first called (see lazyPort); DynamoDB serves every request.
  const objects = lazyPort<ObjectStore>(async () => {
    const [{ S3Client }, { S3ObjectStore }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('../adapters/aws/s3-object-store.ts'),
    ]);
    return new S3ObjectStore({
      client: aws(new S3Client({ region: config.region, ...(peer.forcePathStyle ? { forcePathStyle: true } : {}) })),
      bucket: config.bucketName,
      clock,
    });
  });
  const pool = {
    userPoolId: config.userPoolId,
    clientId: config.clientId,
    ...(peer.issuer ? { issuer: peer.issuer } : {}),
    ...(peer.jwksCache ? { jwksCache: peer.jwksCache } : {}),
  };
  const identity = lazyPort<Identity & IdentityAdmin>(
    async () => {
      const [{ CognitoIdentityProviderClient }, { CognitoIdentity }] = await Promise.all([
        import('@aws-sdk/client-cognito-identity-provider'),
        import('../adapters/aws/cognito-identity.ts'),
      ]);
      return new CognitoIdentity({
        ...pool,
        client: aws(new CognitoIdentityProviderClient({ region: config.region })),
        table,
        clock,
      });
    },
    { verifyAccessToken: accessTokenVerifier(pool) },
  );
  const apps = composeApps(
    {
      table,
      clock,
      quotaStore: new TableQuotaStore(table, clock),
      objects,
      media: mediaUrls(config, objects, aws, clock),
      notifier: awsNotifier(config, aws),
      live: livePublisher(config, (error, event) => logger.warn('live update not pushed', { event, error })),
      identityAdmin: identity,
    },
    {
      accounts: new AccountsService(identity, table, clock),
      rateLimits: config.rateLimits,
      fileLimits: config.fileLimits,
      photoLimits: config.photoLimits,
      attachmentLimits: config.attachmentLimits,
      ...(config.fanOut ? { fanOut: config.fanOut } : {}),
      // This execution environment claims scheduled work under its own id. Never the sole runner:
      // ticks run in several environments at once, so another's claim is only taken after its lease.
      schedule: { runnerId: randomUUID() },
      // The web app is the first allowed origin (the CDK app names it first).
      webUrl: config.corsOrigins[0] ?? '',
      ...(config.usagePlans ? { usagePlans: config.usagePlans } : {}),
      onBackgroundError: (error, what) => logger.warn(`${what} failed`, { error }),
    },
  );
  return { config, table, apps, logger, metrics, tracer };
}

/**
 * Email through SES from `MAIL_FROM`, SMS through SNS (with `SMS_SENDER_ID` when set). Each SDK
 * client and adapter is loaded on the first message of its channel, like S3 and Cognito's: most
 * functions never send one, and the one that sends mail may never send an SMS.
 */
export function awsNotifier(config: AwsConfig, aws: <T>(client: T) => T = (client) => client): Notifier {
  return new ChannelNotifier({
    email: lazyPort<Notifier>(async () => {
      const [{ SESv2Client }, { SesNotifier }] = await Promise.all([
        import('@aws-sdk/client-sesv2'),
        import('../adapters/aws/ses-notifier.ts'),
      ]);
      return new SesNotifier({ client: aws(new SESv2Client({ region: config.region })), from: config.mailFrom });
    }),
    sms: lazyPort<Notifier>(async () => {
      const [{ SNSClient }, { SnsNotifier }] = await Promise.all([
        import('@aws-sdk/client-sns'),
        import('../adapters/aws/sns-notifier.ts'),
      ]);
      return new SnsNotifier({
        client: aws(new SNSClient({ region: config.region })),
        ...(config.smsSenderId ? { senderId: config.smsSenderId } : {}),
      });
    }),
  });
}

/**
 * With CloudFront's key pair (the photos function), media URLs are signed for the media
 * distribution, the private key read from Secrets Manager on the first signature; the Secrets
 * Manager client is loaded then too, like the S3 and Cognito ones. Without it, pre-signed S3 GETs.
 */
export function mediaUrls(
  config: AwsConfig,
  objects: ObjectStore,
  aws: <T>(client: T) => T = (client) => client,
  clock: Clock = systemClock,
): MediaUrls {
  const { mediaUrl, mediaSigning } = config;
  if (mediaUrl && mediaSigning) {
    return new CloudFrontMediaUrls({
      mediaUrl,
      keyPairId: mediaSigning.keyPairId,
      privateKey: async () => {
        const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
        const client = aws(new SecretsManagerClient({ region: config.region }));
        const secret = await client.send(new GetSecretValueCommand({ SecretId: mediaSigning.privateKeySecret }));
        if (!secret.SecretString) {
          throw new Error(
            `${mediaSigning.privateKeySecret} holds no PEM private key yet (see the MediaSigningKeySecret output)`,
          );
        }
        return secret.SecretString;
      },
    });
  }
  return new PresignedMediaUrls(
    objects,
    mediaUrl ?? `https://${config.bucketName}.s3.${config.region}.amazonaws.com`,
    clock,
  );
}

/**
 * Live updates through AppSync when `APPSYNC_URL` is set (the stream function), signed with the
 * function's own credentials; the publisher and its signer are loaded on the first push. Without
 * it, and on any failure, a push is dropped: the port is best effort, and an error thrown here
 * would fail the stream batch and run every stream handler on it again (see appsync-publisher.ts).
 */
export function livePublisher(config: AwsConfig, onError: (error: unknown, event: LiveEvent) => void): LivePublisher {
  const url = config.appsyncUrl;
  if (!url) return { publish: async () => {} };
  const appsync = lazyPort<LivePublisher>(async () => {
    const [{ AppSyncLivePublisher }, { defaultProvider }] = await Promise.all([
      import('../adapters/aws/appsync-publisher.ts'),
      import('@aws-sdk/credential-provider-node'),
    ]);
    return new AppSyncLivePublisher({ url, region: config.region, credentials: defaultProvider(), onError });
  });
  return {
    publish: (event) => appsync.publish(event).catch((error: unknown) => onError(error, event)),
  };
}
