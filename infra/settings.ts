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
  /**
   * Outside OpenID Connect and SAML providers for the user pool (`federationProviders`, a JSON
   * array). Each client secret stays in Secrets Manager: the template holds a dynamic reference only.
   */
  federation?: {
    providers: FederationProviderSetting[];
    /** The Cognito hosted domain's prefix (`authDomainPrefix`, globally unique). */
    domainPrefix: string;
    /** Where Cognito may send the browser back after a provider's sign-in (`authCallbackUrls`). */
    callbackUrls: string[];
  };
  env?: { account?: string; region?: string };
}

export type FederationProviderSetting = OidcProviderSetting | SamlProviderSetting;

export interface OidcProviderSetting {
  protocol: 'oidc';
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Name or ARN of the Secrets Manager secret holding the client secret. */
  clientSecretName: string;
}

export interface SamlProviderSetting {
  protocol: 'saml';
  id: string;
  name: string;
  /** The provider's SAML metadata document, which Cognito reads (and re-reads for new certificates). */
  metadataUrl: string;
  /** The assertion attributes with the email and the name (default `email`, `displayName`). */
  emailAttribute: string;
  nameAttribute: string;
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

  const federation = readFederation(context, problems);

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
  if (federation) settings.federation = federation;
  if (account || region) settings.env = { ...(account ? { account } : {}), ...(region ? { region } : {}) };
  return settings;
}

const PROVIDER_SHAPES =
  '{id, name, issuer, clientId, clientSecretName} (OpenID Connect) or {id, name, protocol: "saml", metadataUrl, emailAttribute?, nameAttribute?}';

/** `federationProviders`, `authDomainPrefix` and `authCallbackUrls`: all three, or none. */
function readFederation(context: ContextReader, problems: string[]): Settings['federation'] {
  const raw = context('federationProviders');
  if (raw === undefined || raw === null || raw === '') return undefined;
  let providers: unknown = raw;
  if (typeof raw === 'string') {
    try {
      providers = JSON.parse(raw);
    } catch {
      problems.push(`federationProviders: must be a JSON array of ${PROVIDER_SHAPES}`);
      return undefined;
    }
  }
  if (!Array.isArray(providers) || providers.length === 0) {
    problems.push(`federationProviders: must be a non-empty JSON array of ${PROVIDER_SHAPES}`);
    return undefined;
  }
  const checked: FederationProviderSetting[] = [];
  for (const [index, entry] of providers.entries()) {
    const p = (entry ?? {}) as Record<string, unknown>;
    const where = `federationProviders[${index}]`;
    const field = (name: string, valid: (value: string) => boolean, what: string) => {
      const value = p[name];
      if (typeof value === 'string' && valid(value)) return value;
      problems.push(`${where}.${name}: ${what}`);
      return '';
    };
    const named = {
      id: field('id', (v) => /^[a-z][a-z0-9-]{0,31}$/.test(v), 'lowercase letters, digits and dashes, e.g. google'),
      name: field('name', (v) => v.length > 0 && v.length <= 40, 'the button label, 1-40 characters'),
    };
    const attribute = (name: string, fallback: string) =>
      p[name] === undefined ? fallback : field(name, (v) => /^\S{1,256}$/.test(v), 'an assertion attribute name');
    if (p.protocol === 'saml') {
      checked.push({
        protocol: 'saml',
        ...named,
        metadataUrl: field(
          'metadataUrl',
          (v) => /^https:\/\/[^\s]+$/.test(v),
          'the https URL of the provider’s SAML metadata',
        ),
        emailAttribute: attribute('emailAttribute', 'email'),
        nameAttribute: attribute('nameAttribute', 'displayName'),
      });
      continue;
    }
    if (p.protocol !== undefined && p.protocol !== 'oidc')
      problems.push(`${where}.protocol: oidc (the default) or saml`);
    checked.push({
      protocol: 'oidc',
      ...named,
      issuer: field('issuer', (v) => /^https:\/\/[^\s]+$/.test(v), 'an https issuer URL'),
      clientId: field('clientId', (v) => v.length > 0, 'the client id the provider gave'),
      clientSecretName: field(
        'clientSecretName',
        (v) => /^[\w/+=.@:-]{1,512}$/.test(v),
        'the name or ARN of the Secrets Manager secret with the client secret (never the secret itself)',
      ),
    });
  }
  const ids = checked.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push('federationProviders: ids must be unique');
  const domainPrefix = typeof context('authDomainPrefix') === 'string' ? String(context('authDomainPrefix')) : '';
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix) || /aws|amazon|cognito/.test(domainPrefix)) {
    problems.push(
      'authDomainPrefix: the hosted domain prefix, lowercase letters, digits and dashes, without aws, amazon or cognito (needed with federationProviders)',
    );
  }
  const callbackUrls = String(context('authCallbackUrls') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  if (callbackUrls.length === 0 || callbackUrls.some((url) => !/^https:\/\/[^\s]+$/.test(url))) {
    problems.push(
      'authCallbackUrls: comma-separated https URLs Cognito may return to (needed with federationProviders)',
    );
  }
  return { providers: checked, domainPrefix, callbackUrls };
}
