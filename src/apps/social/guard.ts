/**
 * Who may call `/graphql` on one machine, as AppSync's two client auth modes: a signed-in user
 * (`Authorization: Bearer <access token>`, then the usual per-user limits), or an API key alone
 * (`x-api-key`, for the public read-only queries; limited by the key's usage plan). Which
 * fields each mode may read is the schema's business (`graphql/rules.ts`); this only decides
 * who is asking, and refuses anyone else before GraphQL runs.
 */
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import type { AppEnv } from '../../http/context.ts';
import { API_KEY_HEADER, type ApiKeyResolver, type RateSpec, rateLimit } from '../../http/middleware/rate-limit.ts';
import type { DailyQuotas } from '../../http/middleware/rate-limit-quota.ts';
import type { Clock } from '../../platform/clock.ts';
import { unauthorized } from '../../platform/errors.ts';
import type { GraphAuth } from './graphql/auth.ts';

export interface GuardOptions {
  /** The chain every signed-in REST route runs: the session check, then the rate limits. */
  signedIn: MiddlewareHandler<AppEnv>[];
  apiKeys: ApiKeyResolver;
  clock: Clock;
  quotas: DailyQuotas;
  perAddress: RateSpec;
}

export function graphqlGuard(options: GuardOptions): MiddlewareHandler<AppEnv> {
  const asUser = every(...options.signedIn);
  const withKeyAlone = rateLimit({
    apiKeys: options.apiKeys,
    clock: options.clock,
    quotas: options.quotas,
    perAddress: options.perAddress,
    keyWithoutUser: true,
  });
  return async (c, next) => {
    if (c.req.header('Authorization') !== undefined) return asUser(c, next);
    if (c.req.header(API_KEY_HEADER) !== undefined) return withKeyAlone(c, next);
    throw unauthorized(
      'Sign in and send "Authorization: Bearer <access token>", or send an API key as "x-api-key" for public queries',
    );
  };
}

/** The auth mode the guard let through. */
export function graphAuthOf(c: { get(name: 'caller'): AppEnv['Variables']['caller'] | undefined }): GraphAuth {
  const caller = c.get('caller');
  return caller ? { mode: 'user', sub: caller.sub } : { mode: 'apiKey' };
}
