import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { UsagePlan } from '../apps/api-keys/plans.ts';
import type { FileLimits } from '../apps/files/service.ts';
import type { PhotoLimits } from '../apps/photos/service.ts';
import { appSettingsEnv, appSettingsFrom, corsOrigins, megabytes, parseEnv } from '../apps/settings.ts';
import type { FanOutOptions } from '../apps/social/events.ts';
import type { AttachmentLimits } from '../apps/tasks/attachments.ts';
import type { FederationProvider } from '../apps/users/federation.ts';
import { WEB_DIST } from './web-app.ts';

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be from 0 to 65535')
  .max(65535, 'must be from 0 to 65535');

const file = z.string().refine((path) => existsSync(path), 'the file does not exist');

const schema = z
  .object({
    PORT: port.default(8443),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://stratus.example.com' })
      .optional(),
    TLS_CERT: file.optional(),
    TLS_KEY: file.optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL' }).optional(),
    READ_CACHE_MB: megabytes.default(64),
    WEB_DIR: z.string().min(1).optional(),
    SCHEDULER_TICK_SECONDS: z.coerce
      .number({ message: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(60, 'must be at most 60 (reminders are promised to the minute)')
      .default(60),
    BACKUPS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_EVERY_MINUTES: z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(60),
    BACKUP_KEEP: z.coerce
      .number({ message: 'must be a number of snapshots' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(48),
    BACKUP_RETENTION_DAYS: z.coerce
      .number({ message: 'must be a number of days' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(7),
    ...appSettingsEnv,
  })
  .refine((env) => !!env.TLS_CERT === !!env.TLS_KEY, {
    message: 'give both TLS_CERT and TLS_KEY, or neither (a self-signed pair is then made in DATA_DIR)',
    path: ['TLS_CERT'],
  });

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  tls?: { certFile: string; keyFile: string };
  corsOrigins: string[];
  smtpUrl?: string;
  mailFrom: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Memory for the read cache in bytes; 0 turns it off. */
  readCacheBytes: number;
  /** Default limits of signed-in requests without an API key (bursts of twice the rate). */
  rateLimits: { perUser: number; perAddress: number };
  /** API key usage plans; the first is the default. Absent: the built-in plans. */
  usagePlans?: UsagePlan[];
  /** Each user's file folder: total bytes, and bytes per file. */
  fileLimits: FileLimits;
  /** Photo uploads: bytes, and pixels (checked before decoding). */
  photoLimits: PhotoLimits;
  /** Task attachments: bytes per file, files per task. */
  attachmentLimits: AttachmentLimits;
  /** When the social feed stops fanning an account's posts out (see src/apps/social/feed.ts). */
  fanOut: FanOutOptions;
  /** Time between scheduler ticks (reminders, digests). */
  schedulerTickMs: number;
  /** The built web app served at / (default `web/dist`, which `npm start` builds). */
  webDir: string;
  /** Outside OpenID Connect and SAML providers to sign in with (`FEDERATION_PROVIDERS`). */
  federationProviders?: FederationProvider[];
  /** Backups and point-in-time restore (docs/backups.md); absent when BACKUPS=off. */
  backups?: { dir: string; everyMinutes: number; keep: number; retentionDays: number };
}

/**
 * `PORT=0` asks for any free port (tests, benchmarks). The port is chosen before anything is
 * built, so the issuer, CORS origin and pre-signed links all name the port actually served.
 */
export async function loadConfigWithFreePort(env: Record<string, string | undefined>): Promise<Config> {
  const config = loadConfig(env);
  if (config.port !== 0) return config;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, config.host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return loadConfig({ ...env, PORT: String(port) });
}

/** Reads and checks the environment; every bad value is named with what to fix. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const values = parseEnv(schema, env);
  const publicUrl = (values.PUBLIC_URL ?? defaultPublicUrl(values.HOST, values.PORT)).replace(/\/$/, '');
  const config: Config = {
    port: values.PORT,
    host: values.HOST,
    dataDir: resolve(values.DATA_DIR),
    publicUrl,
    corsOrigins: corsOrigins(values.CORS_ORIGINS, [new URL(publicUrl).origin]),
    mailFrom: values.MAIL_FROM,
    logLevel: values.LOG_LEVEL,
    readCacheBytes: values.READ_CACHE_MB * 1024 * 1024,
    webDir: values.WEB_DIR ? resolve(values.WEB_DIR) : WEB_DIST,
    schedulerTickMs: values.SCHEDULER_TICK_SECONDS * 1000,
    ...appSettingsFrom(values),
  };
  if (values.TLS_CERT && values.TLS_KEY) config.tls = { certFile: values.TLS_CERT, keyFile: values.TLS_KEY };
  if (values.SMTP_URL) config.smtpUrl = values.SMTP_URL;
  if (values.BACKUPS === 'on') {
    config.backups = {
      // Beside the data folder, not in it: a backup inside it would be lost with it.
      dir: values.BACKUP_DIR ? resolve(values.BACKUP_DIR) : `${config.dataDir}-backups`,
      everyMinutes: values.BACKUP_EVERY_MINUTES,
      keep: values.BACKUP_KEEP,
      retentionDays: values.BACKUP_RETENTION_DAYS,
    };
  }
  return config;
}

/** Where clients reach this server when PUBLIC_URL is not set. */
export function defaultPublicUrl(host: string, port: number): string {
  return `https://${urlHost(host)}:${port}`;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

export { ConfigError } from '../apps/settings.ts';
