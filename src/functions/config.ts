import { z } from 'zod';
import type { UsagePlan } from '../apps/api-keys/plans.ts';
import type { FileLimits } from '../apps/files/service.ts';
import type { PhotoLimits } from '../apps/photos/service.ts';
import { appSettingsEnv, appSettingsFrom, ConfigError, corsOrigins, parseEnv } from '../apps/settings.ts';
import type { FanOutOptions } from '../apps/social/events.ts';
import type { AttachmentLimits } from '../apps/tasks/attachments.ts';

/** An SNS alphanumeric sender id: 1-11 letters and digits, at least one a letter. */
export const SMS_SENDER_ID_PATTERN = /^(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$/;

const required = (what: string) => z.string({ message: `is required: ${what}` }).min(1, `is required: ${what}`);

/** Set by the CDK app on every function (`infra/`), or by Lambda itself (AWS_REGION). */
const schema = z.object({
  AWS_REGION: required('the region, set by Lambda'),
  TABLE_NAME: required('the DynamoDB table'),
  BUCKET_NAME: required('the user-data bucket'),
  USER_POOL_ID: required('the Cognito user pool id'),
  USER_POOL_CLIENT_ID: required('the Cognito app client id'),
  MEDIA_URL: z.url({ protocol: /^https$/, message: 'must be the media distribution, https://...' }).optional(),
  // Only the function that signs media URLs (photos) gets these two: CloudFront's key pair.
  MEDIA_KEY_PAIR_ID: z
    .string()
    .regex(/^[0-9A-Z]+$/, 'must be a CloudFront public key id, e.g. K2JCJMDEHXQW5F')
    .optional(),
  MEDIA_SIGNING_KEY_SECRET: z.string().min(1).optional(),
  // Only the function that pushes live updates (table-stream) gets it: the AppSync GraphQL endpoint.
  APPSYNC_URL: z
    .url({
      protocol: /^https$/,
      message: 'must be the AppSync GraphQL endpoint, https://....appsync-api.<region>.amazonaws.com/graphql',
    })
    .optional(),
  // SNS's alphanumeric sender id rules; where a country refuses sender ids, SNS sends from a number instead.
  SMS_SENDER_ID: z
    .string()
    .regex(SMS_SENDER_ID_PATTERN, 'must be 1-11 letters and digits with at least one letter, e.g. Stratus')
    .optional(),
  ...appSettingsEnv,
  // No default origin on AWS: the web app's origin must be named.
  CORS_ORIGINS: required('the web app origins, comma-separated'),
});

export interface AwsConfig {
  region: string;
  tableName: string;
  bucketName: string;
  userPoolId: string;
  clientId: string;
  corsOrigins: string[];
  /** The SES sender of the Notifier's email. */
  mailFrom: string;
  /** The name SMS come from, where the destination country allows one; absent: SNS's number. */
  smsSenderId?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  rateLimits: { perUser: number; perAddress: number };
  usagePlans?: UsagePlan[];
  fileLimits: FileLimits;
  photoLimits: PhotoLimits;
  /** Task attachments: bytes per file, files per task. */
  attachmentLimits: AttachmentLimits;
  /** When the social feed stops fanning an account's posts out (SOCIAL_FANOUT_LIMIT). */
  fanOut?: FanOutOptions;
  /** The media distribution (public profile pictures, and signed private media with `mediaSigning`). */
  mediaUrl?: string;
  /** CloudFront's key pair for signed media URLs: without it, private media is pre-signed S3 GETs. */
  mediaSigning?: {
    /** The CloudFront public key's id, sent as `Key-Pair-Id`. */
    keyPairId: string;
    /** The name or ARN of the Secrets Manager secret holding the PEM private key. */
    privateKeySecret: string;
  };
  /** The AppSync GraphQL endpoint live updates are pushed to; absent: pushes are dropped. */
  appsyncUrl?: string;
}

/** Reads and checks a function's environment; a bad value fails the cold start with what to fix. */
export function loadAwsConfig(env: Record<string, string | undefined>): AwsConfig {
  const values = parseEnv(schema, env);
  const signing = [values.MEDIA_KEY_PAIR_ID, values.MEDIA_SIGNING_KEY_SECRET].filter(Boolean).length;
  if (signing === 1 || (signing === 2 && !values.MEDIA_URL)) {
    throw ConfigError.of([
      'MEDIA_KEY_PAIR_ID, MEDIA_SIGNING_KEY_SECRET: sign media URLs together, with MEDIA_URL (set all three, or neither key setting)',
    ]);
  }
  return {
    region: values.AWS_REGION,
    tableName: values.TABLE_NAME,
    bucketName: values.BUCKET_NAME,
    userPoolId: values.USER_POOL_ID,
    clientId: values.USER_POOL_CLIENT_ID,
    corsOrigins: corsOrigins(values.CORS_ORIGINS, []),
    mailFrom: values.MAIL_FROM,
    ...(values.SMS_SENDER_ID ? { smsSenderId: values.SMS_SENDER_ID } : {}),
    logLevel: values.LOG_LEVEL,
    ...appSettingsFrom(values),
    ...(values.MEDIA_URL ? { mediaUrl: values.MEDIA_URL } : {}),
    ...(values.MEDIA_KEY_PAIR_ID && values.MEDIA_SIGNING_KEY_SECRET
      ? { mediaSigning: { keyPairId: values.MEDIA_KEY_PAIR_ID, privateKeySecret: values.MEDIA_SIGNING_KEY_SECRET } }
      : {}),
    ...(values.APPSYNC_URL ? { appsyncUrl: values.APPSYNC_URL } : {}),
  };
}
