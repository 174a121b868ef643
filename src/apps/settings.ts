/**
 * The apps' settings as environment variables, read the same way by both composition roots
 * (`src/local/config.ts` on one machine, `src/functions/config.ts` on Lambda), so a value that
 * is refused in one is refused in the other, with the same message.
 */
import { z } from 'zod';
import type { AppSettings } from './index.ts';
import { defaultFanOut } from './social/events.ts';
import { FederationProviders } from './users/federation.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** One line per bad setting: `NAME: what to fix`. */
  static of(lines: string[]): ConfigError {
    return new ConfigError(`Stratus cannot start; fix these settings:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
}

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'each origin must look like https://app.example.com (scheme, host, optional port; no path or trailing slash)');

export const megabytes = z.coerce
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

/** The variables both runtimes read, with their defaults. */
export const appSettingsEnv = {
  CORS_ORIGINS: z.string().optional(),
  MAIL_FROM: z.string().min(3).default('Stratus <no-reply@stratus.localhost>'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  RATE_LIMIT_PER_USER: perSecond.default(20),
  RATE_LIMIT_PER_ADDRESS: perSecond.default(50),
  USAGE_PLANS: usagePlans.optional(),
  FILES_QUOTA_MB: megabytes.default(1024),
  FILES_MAX_FILE_MB: megabytes.default(100),
  PHOTOS_MAX_MB: megabytes.default(25),
  TASKS_MAX_ATTACHMENT_MB: megabytes.default(25),
  SOCIAL_FANOUT_LIMIT: z.coerce
    .number({ message: 'must be a number of followers' })
    .int('must be a whole number of followers')
    .min(1, 'must be at least 1')
    .default(10_000),
  PHOTOS_MAX_MEGAPIXELS: z.coerce
    .number({ message: 'must be a number of megapixels' })
    .positive('must be more than 0')
    .max(268, 'must be at most 268 (the most libvips decodes)')
    .default(100),
  /** Outside sign-in providers: a JSON array of {id, name, issuer, clientId, clientSecret?, scopes?}. */
  FEDERATION_PROVIDERS: FederationProviders.optional(),
};

type AppSettingsValues = z.infer<z.ZodObject<typeof appSettingsEnv>>;

/** Parses the environment with `schema`; every bad value is named with what to fix. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    throw ConfigError.of(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** `CORS_ORIGINS`, comma-separated; `fallback` when it is not set. */
export function corsOrigins(value: string | undefined, fallback: string[]): string[] {
  const origins =
    value
      ?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? fallback;
  const bad = origins.filter((o) => !origin.safeParse(o).success);
  if (bad.length > 0) {
    throw ConfigError.of([
      `CORS_ORIGINS: ${bad.join(', ')}: each origin must look like https://app.example.com (no path or trailing slash)`,
    ]);
  }
  return origins;
}

/** The parts of `AppSettings` that come from the environment. */
export function appSettingsFrom(
  values: AppSettingsValues,
): Pick<
  AppSettings,
  'rateLimits' | 'fileLimits' | 'photoLimits' | 'attachmentLimits' | 'usagePlans' | 'federationProviders'
> &
  Required<Pick<AppSettings, 'fanOut'>> {
  return {
    fanOut: { ...defaultFanOut, fanOutLimit: values.SOCIAL_FANOUT_LIMIT },
    attachmentLimits: { maxFileBytes: values.TASKS_MAX_ATTACHMENT_MB * 1024 ** 2, maxFilesPerTask: 10 },
    photoLimits: { maxUploadBytes: values.PHOTOS_MAX_MB * 1024 ** 2, maxPixels: values.PHOTOS_MAX_MEGAPIXELS * 1e6 },
    fileLimits: { quotaBytes: values.FILES_QUOTA_MB * 1024 ** 2, maxFileBytes: values.FILES_MAX_FILE_MB * 1024 ** 2 },
    rateLimits: { perUser: values.RATE_LIMIT_PER_USER, perAddress: values.RATE_LIMIT_PER_ADDRESS },
    ...(values.USAGE_PLANS ? { usagePlans: values.USAGE_PLANS } : {}),
    ...(values.FEDERATION_PROVIDERS ? { federationProviders: values.FEDERATION_PROVIDERS } : {}),
  };
}
