import { z } from 'zod';
import type { UsagePlan } from '../apps/api-keys/plans.ts';
import type { FileLimits } from '../apps/files/service.ts';
import type { PhotoLimits } from '../apps/photos/service.ts';
import { appSettingsEnv, appSettingsFrom, corsOrigins, parseEnv } from '../apps/settings.ts';

const required = (what: string) => z.string({ message: `is required: ${what}` }).min(1, `is required: ${what}`);

/** Set by the CDK app on every function (`infra/`), or by Lambda itself (AWS_REGION). */
const schema = z.object({
  AWS_REGION: required('the region, set by Lambda'),
  TABLE_NAME: required('the DynamoDB table'),
  BUCKET_NAME: required('the user-data bucket'),
  USER_POOL_ID: required('the Cognito user pool id'),
  USER_POOL_CLIENT_ID: required('the Cognito app client id'),
  MEDIA_URL: z.url({ protocol: /^https$/, message: 'must be the media distribution, https://...' }).optional(),
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
  mailFrom: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  rateLimits: { perUser: number; perAddress: number };
  usagePlans?: UsagePlan[];
  fileLimits: FileLimits;
  photoLimits: PhotoLimits;
  /** The media distribution (public profile pictures). */
  mediaUrl?: string;
}

/** Reads and checks a function's environment; a bad value fails the cold start with what to fix. */
export function loadAwsConfig(env: Record<string, string | undefined>): AwsConfig {
  const values = parseEnv(schema, env);
  return {
    region: values.AWS_REGION,
    tableName: values.TABLE_NAME,
    bucketName: values.BUCKET_NAME,
    userPoolId: values.USER_POOL_ID,
    clientId: values.USER_POOL_CLIENT_ID,
    corsOrigins: corsOrigins(values.CORS_ORIGINS, []),
    mailFrom: values.MAIL_FROM,
    logLevel: values.LOG_LEVEL,
    ...appSettingsFrom(values),
    ...(values.MEDIA_URL ? { mediaUrl: values.MEDIA_URL } : {}),
  };
}
