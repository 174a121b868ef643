import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { UsagePlan } from '../apps/api-keys/plans.ts';
import type { FileLimits } from '../apps/files/service.ts';

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be from 0 to 65535')
  .max(65535, 'must be from 0 to 65535');

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'each origin must look like https://app.example.com (scheme, host, optional port; no path or trailing slash)');

const megabytes = z.coerce
  .number({ message: 'must be a number of megabytes' })
  .int('must be a whole number of megabytes')
  .min(0, 'must not be negative');

const perSecond = z.coerce
  .number({ message: 'must be a number of requests per second' })
  .positive('must be more than 0');

/** `name:ratePerSecond:burst:dailyQuota`, comma-separated, e.g. `basic:10:20:10000,pro:50:100:100000`. */
const usagePlans = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,31}:\d+:\d+:\d+(,[a-z][a-z0-9-]{0,31}:\d+:\d+:\d+)*$/,
    'must be name:ratePerSecond:burst:dailyQuota, comma-separated, e.g. basic:10:20:10000,pro:50:100:100000 (the first is the default)',
  )
  .transform((value) =>
    value.split(',').map((plan) => {
      const [name, rate, burst, quota] = plan.split(':');
      return { name: name as string, ratePerSecond: Number(rate), burst: Number(burst), dailyQuota: Number(quota) };
    }),
  );

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
    CORS_ORIGINS: z.string().optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL' }).optional(),
    MAIL_FROM: z.string().min(3).default('Stratus <no-reply@stratus.localhost>'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    READ_CACHE_MB: megabytes.default(64),
    RATE_LIMIT_PER_USER: perSecond.default(20),
    RATE_LIMIT_PER_ADDRESS: perSecond.default(50),
    USAGE_PLANS: usagePlans.optional(),
    FILES_QUOTA_MB: megabytes.default(1024),
    FILES_MAX_FILE_MB: megabytes.default(100),
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
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigError(`Stratus cannot start; fix these settings:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  const publicUrl = (values.PUBLIC_URL ?? defaultPublicUrl(values.HOST, values.PORT)).replace(/\/$/, '');
  const origins = values.CORS_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean) ?? [new URL(publicUrl).origin];
  const badOrigins = origins.filter((o) => !origin.safeParse(o).success);
  if (badOrigins.length > 0) {
    throw new ConfigError(
      `Stratus cannot start; fix these settings:\n  CORS_ORIGINS: ${badOrigins.join(', ')}: each origin must look like https://app.example.com (no path or trailing slash)`,
    );
  }
  const config: Config = {
    port: values.PORT,
    host: values.HOST,
    dataDir: resolve(values.DATA_DIR),
    publicUrl,
    corsOrigins: origins,
    mailFrom: values.MAIL_FROM,
    logLevel: values.LOG_LEVEL,
    readCacheBytes: values.READ_CACHE_MB * 1024 * 1024,
    fileLimits: { quotaBytes: values.FILES_QUOTA_MB * 1024 ** 2, maxFileBytes: values.FILES_MAX_FILE_MB * 1024 ** 2 },
    rateLimits: { perUser: values.RATE_LIMIT_PER_USER, perAddress: values.RATE_LIMIT_PER_ADDRESS },
  };
  if (values.USAGE_PLANS) config.usagePlans = values.USAGE_PLANS;
  if (values.TLS_CERT && values.TLS_KEY) config.tls = { certFile: values.TLS_CERT, keyFile: values.TLS_KEY };
  if (values.SMTP_URL) config.smtpUrl = values.SMTP_URL;
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
