import type { Context, MiddlewareHandler } from 'hono';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { forbidden, tooManyRequests } from '../../platform/errors.ts';
import type { AppEnv } from '../context.ts';
import { setHeader } from '../headers.ts';
import { type RateSpec, TokenBuckets, type Verdict } from './rate-limit-buckets.ts';
import { DailyQuotas, MemoryQuotaStore } from './rate-limit-quota.ts';

export type { RateSpec, Verdict } from './rate-limit-buckets.ts';

/** The limits an API key's usage plan sets: a token-bucket rate and a daily quota. */
export interface KeyPlan extends RateSpec {
  name: string;
  dailyQuota: number;
}

/** A live API key, as the resolver found it. */
export interface ResolvedApiKey {
  id: string;
  /** The owner: only the owner's token may use the key. */
  sub: string;
  plan: KeyPlan;
}

/** How the middleware learns about API keys (the api-keys app's service provides it). */
export interface ApiKeyResolver {
  /** The live key for a raw `x-api-key` value; undefined when unknown, malformed or revoked. */
  resolve(rawKey: string): Promise<ResolvedApiKey | undefined>;
  /** Notes that the key was used (cheap; writes at most now and then). */
  markUsed(key: ResolvedApiKey): void;
}

export interface RateLimitOptions {
  apiKeys: ApiKeyResolver;
  clock?: Clock;
  /** Requests without an API key, per signed-in user. Default 20/s, bursts of 40. */
  perUser?: RateSpec;
  /** Requests without an API key, per client address. Default 50/s, bursts of 100. */
  perAddress?: RateSpec;
  /** Daily counts for API keys; default in memory only (lost on restart). */
  quotas?: DailyQuotas;
  /** Clients (users, addresses, keys) whose buckets are kept; the least recent are forgotten. */
  maxTrackedClients?: number;
  /**
   * Lets an API key alone (no signed-in user) through, for public read-only APIs (GraphQL's
   * API-key mode); a refused key is then counted against the client's address.
   */
  keyWithoutUser?: boolean;
}

export const defaultPerUser: RateSpec = { ratePerSecond: 20, burst: 40 };
export const defaultPerAddress: RateSpec = { ratePerSecond: 50, burst: 100 };

export const API_KEY_HEADER = 'x-api-key';

/**
 * Rate limits for signed-in requests; runs after `requireUser`, which puts the caller on the
 * context. With `x-api-key`, the request is counted against the key's usage plan (a token
 * bucket and a daily quota, as API Gateway usage plans do); without one, against the
 * default per-user and per-address buckets. Every counted answer carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` for the limit closest to running out, and
 * `RateLimit-Policy` listing all that applied; a refusal is 429 with `Retry-After`.
 *
 * An unknown, revoked or another user's key gets the same 403, so the answer says nothing
 * about other accounts' keys; those refusals count against the caller's own bucket, so
 * sending keys at random cannot turn into a flood of lookups.
 *
 * Nothing here waits on storage on the hot path: buckets are in memory, a key is looked up
 * through the resolver's cache, and daily counts are written behind in batches.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const clock = options.clock ?? systemClock;
  const perUser = options.perUser ?? defaultPerUser;
  const perAddress = options.perAddress ?? defaultPerAddress;
  const quotas = options.quotas ?? new DailyQuotas(new MemoryQuotaStore(), clock, { flushEveryMs: 0 });
  const buckets = new TokenBuckets(options.maxTrackedClients);

  return async (c, next) => {
    const caller = c.get('caller') as AppEnv['Variables']['caller'] | undefined;
    const rawKey = c.req.header(API_KEY_HEADER);
    if (!caller && !(options.keyWithoutUser && rawKey !== undefined)) {
      throw new Error('rateLimit() must run after requireUser(): there is no caller on the context');
    }

    if (rawKey === undefined && caller) {
      const verdicts = buckets.takeAll(
        [
          { id: `user:${caller.sub}`, spec: perUser },
          { id: `address:${c.get('clientIp') ?? 'unknown'}`, spec: perAddress },
        ],
        clock.now(),
      );
      const [user, address] = verdicts as [Verdict, Verdict];
      setHeaders(c, verdicts);
      if (!user.allowed) throw refusal(user, 'Too many requests for this account');
      if (!address.allowed) throw refusal(address, 'Too many requests from your address');
      return next();
    }

    const key = await options.apiKeys.resolve(rawKey as string);
    if (!key || (caller && key.sub !== caller.sub)) {
      const client = caller
        ? { id: `user:${caller.sub}`, spec: perUser, who: 'this account' }
        : { id: `address:${c.get('clientIp') ?? 'unknown'}`, spec: perAddress, who: 'your address' };
      const verdict = buckets.take(client.id, client.spec, clock.now());
      setHeaders(c, [verdict]);
      if (!verdict.allowed) throw refusal(verdict, `Too many requests for ${client.who}`);
      throw forbidden(
        'The x-api-key is not a live key of this account: check it, or create one with POST /v1/api-keys',
        'InvalidApiKey',
      );
    }

    const { plan } = key;
    await quotas.load(key.id);
    // From here to the count, no await: concurrent requests cannot both take the last unit.
    const quota = quotas.check(key.id, plan.dailyQuota);
    if (!quota.allowed) {
      setHeaders(c, [quota]);
      throw tooManyRequests(
        `This API key has used its daily quota of ${plan.dailyQuota} requests (plan '${plan.name}'); it starts again at 00:00 UTC`,
        quota.retryAfterSeconds,
        'QuotaExceeded',
      );
    }
    const rate = buckets.take(`key:${key.id}`, plan, clock.now());
    if (!rate.allowed) {
      setHeaders(c, [rate, quota]);
      throw refusal(
        rate,
        `Too many requests with this API key (plan '${plan.name}' allows ${plan.ratePerSecond} per second, bursts of ${plan.burst})`,
      );
    }
    setHeaders(c, [rate, quotas.count(key.id, plan.dailyQuota)]);
    options.apiKeys.markUsed(key);
    return next();
  };
}

/**
 * For routes open to anyone (sign-up, sign-in, public sites, shared galleries): a token bucket
 * per client address, as the signed-in routes have beside their per-user one. Guessing
 * credentials has its own, stricter throttle (`AuthThrottle`); this one caps the rest, such as
 * starting a federated sign-in, which stores a flow for ten minutes each time.
 */
export function addressRateLimit(options: { perAddress?: RateSpec; clock?: Clock } = {}): MiddlewareHandler<AppEnv> {
  const clock = options.clock ?? systemClock;
  const perAddress = options.perAddress ?? defaultPerAddress;
  const buckets = new TokenBuckets();
  return async (c, next) => {
    const verdict = buckets.take(`address:${c.get('clientIp') ?? 'unknown'}`, perAddress, clock.now());
    setHeaders(c, [verdict]);
    if (!verdict.allowed) throw refusal(verdict, 'Too many requests from your address');
    await next();
  };
}

function refusal(verdict: Verdict, what: string) {
  return tooManyRequests(`${what}: retry after ${verdict.retryAfterSeconds} s`, verdict.retryAfterSeconds);
}

/** Reports the refusing limit if any, else the one with the least left (IETF RateLimit header fields draft). */
function setHeaders(c: Context<AppEnv>, verdicts: Verdict[]): void {
  let shown = verdicts[0] as Verdict;
  for (const verdict of verdicts) {
    if (shown.allowed && !verdict.allowed) shown = verdict;
    else if (shown.allowed === verdict.allowed && verdict.remaining < shown.remaining) shown = verdict;
  }
  setHeader(c, 'RateLimit-Limit', String(shown.limit));
  setHeader(c, 'RateLimit-Remaining', String(shown.remaining));
  setHeader(c, 'RateLimit-Reset', String(shown.resetSeconds));
  setHeader(c, 'RateLimit-Policy', verdicts.map((v) => v.policy).join(', '));
}
