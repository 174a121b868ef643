/**
 * The deployment settings, read from CDK context (`-c key=value` on the command line, or the
 * `context` of cdk.json) and checked before anything is built, so a bad value stops synth with
 * a message naming the key and what to fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PLACEHOLDER_MEDIA_PUBLIC_KEY } from './media-key.ts';

export const stages = ['dev', 'test', 'prod'] as const;
export type StageName = (typeof stages)[number];

/**
 * How S3's object-created notifications reach the object-created function. `queue`: S3 → SQS →
 * Lambda (batches, partial-batch retries, a dead-letter queue that keeps failures for 14 days).
 * `direct`: S3 invokes Lambda asynchronously, with an on-failure SQS destination; it needs an
 * entry point that takes `S3Event`s, while src/functions/object-created.ts takes the SQS shape.
 * The one switch.
 */
export type ObjectEventsRoute = 'queue' | 'direct';
export const DEFAULT_OBJECT_EVENTS: ObjectEventsRoute = 'queue';

export interface StageLimits {
  /** API Gateway stage throttling: steady requests per second and burst. */
  throttleRate: number;
  throttleBurst: number;
  /** Days CloudWatch keeps function and access logs. */
  logRetentionDays: 30 | 365;
}

const stageLimits: Record<StageName, StageLimits> = {
  dev: { throttleRate: 50, throttleBurst: 100, logRetentionDays: 30 },
  test: { throttleRate: 50, throttleBurst: 100, logRetentionDays: 30 },
  prod: { throttleRate: 500, throttleBurst: 1000, logRetentionDays: 365 },
};

export interface Settings {
  stage: StageName;
  limits: StageLimits;
  /** Browser origins allowed to call the API and upload to the bucket; absent: the web distribution's. */
  corsOrigins?: string[];
  /** Folder holding one bundle folder per function (`<dir>/<name>/index.mjs`). */
  functionsDir: string;
  /** The built web app, uploaded to the web-assets bucket (`npm run build:web` → web/dist). */
  webDir: string;
  dax: boolean;
  objectEvents: ObjectEventsRoute;
  /** PEM public key CloudFront checks media signed URLs with. */
  mediaPublicKey: string;
  /** True when no key was given: the placeholder's private half was never kept. */
  mediaKeyIsPlaceholder: boolean;
  /** A verified SES sender for Cognito's mail and the notifier; absent: Cognito's own mailer. */
  mailFrom?: string;
  /** The name SMS come from where the destination country allows one (`SMS_SENDER_ID`); absent: a number. */
  smsSenderId?: string;
  /** An address subscribed to the alarm topic. */
  alarmEmail?: string;
  env?: { account?: string; region?: string };
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads a context value as CDK gives it: a string from `-c`, any JSON value from cdk.json. */
export type ContextReader = (key: string) => unknown;

const ORIGIN = /^https?:\/\/[^/?#\s]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Checks every context value; all problems are reported at once. */
export function readSettings(context: ContextReader, cwd = process.cwd()): Settings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    problems.push(`${key}: must be a string`);
    return undefined;
  };

  const stage = (text('stage') ?? 'dev') as StageName;
  if (!stages.includes(stage)) problems.push(`stage: must be one of ${stages.join(', ')} (got "${stage}")`);

  const corsOrigins = text('corsOrigins')
    ?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins ?? []) {
    if (!ORIGIN.test(origin) || new URL(origin).origin !== origin) {
      problems.push(`corsOrigins: "${origin}" must look like https://app.example.com (no path or trailing slash)`);
    } else if (origin.startsWith('http:') && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) {
      problems.push(`corsOrigins: "${origin}" must use https (plain http only for localhost)`);
    }
  }

  const flag = (key: string): boolean => {
    const value = text(key) ?? 'false';
    if (value !== 'true' && value !== 'false') problems.push(`${key}: must be true or false (got "${value}")`);
    return value === 'true';
  };
  const dax = flag('dax');

  const objectEvents = (text('objectEvents') ?? DEFAULT_OBJECT_EVENTS) as ObjectEventsRoute;
  if (objectEvents !== 'queue' && objectEvents !== 'direct') {
    problems.push(`objectEvents: must be queue (S3 → SQS → Lambda) or direct (S3 → Lambda) (got "${objectEvents}")`);
  }

  const keyFile = text('mediaPublicKeyFile');
  let mediaPublicKey = PLACEHOLDER_MEDIA_PUBLIC_KEY;
  if (keyFile) {
    const path = resolve(cwd, keyFile);
    if (!existsSync(path)) problems.push(`mediaPublicKeyFile: ${path} does not exist`);
    else {
      mediaPublicKey = readFileSync(path, 'utf8').trim();
      if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(mediaPublicKey)) {
        problems.push('mediaPublicKeyFile: must hold a PEM public key (-----BEGIN PUBLIC KEY-----)');
      }
    }
  }

  const mailFrom = text('mailFrom');
  if (mailFrom && !EMAIL.test(mailFrom)) problems.push(`mailFrom: "${mailFrom}" must be an email address`);
  const smsSenderId = text('smsSenderId');
  // The functions' own check (SMS_SENDER_ID in src/functions/config.ts): refused here, it fails the synth, not a cold start.
  if (smsSenderId && !/^(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(smsSenderId)) {
    problems.push(`smsSenderId: "${smsSenderId}" must be 1-11 letters and digits with at least one letter`);
  }
  const alarmEmail = text('alarmEmail');
  if (alarmEmail && !EMAIL.test(alarmEmail)) problems.push(`alarmEmail: "${alarmEmail}" must be an email address`);

  const account = text('account');
  if (account && !/^\d{12}$/.test(account)) problems.push(`account: must be a 12-digit AWS account id`);
  const region = text('region');
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.push(`region: "${region}" is not a region name`);

  if (problems.length > 0) {
    throw new SettingsError(`Stratus cannot synthesize; fix these context values:\n  ${problems.join('\n  ')}`);
  }
  const settings: Settings = {
    stage,
    limits: stageLimits[stage],
    functionsDir: resolve(cwd, text('functionsDir') ?? 'dist/functions'),
    webDir: resolve(cwd, text('webDir') ?? 'web/dist'),
    dax,
    objectEvents,
    mediaPublicKey,
    mediaKeyIsPlaceholder: !keyFile,
  };
  if (corsOrigins && corsOrigins.length > 0) settings.corsOrigins = corsOrigins;
  if (mailFrom) settings.mailFrom = mailFrom;
  if (smsSenderId) settings.smsSenderId = smsSenderId;
  if (alarmEmail) settings.alarmEmail = alarmEmail;
  if (account || region) settings.env = { ...(account ? { account } : {}), ...(region ? { region } : {}) };
  return settings;
}
