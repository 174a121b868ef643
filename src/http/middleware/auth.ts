import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../../platform/errors.ts';
import type { AccessClaims } from '../../platform/identity.ts';
import type { Item } from '../../platform/table.ts';
import type { AppEnv } from '../context.ts';

export type Authenticate = (accessToken: string) => Promise<{ claims: AccessClaims; profile: Item }>;

/**
 * Requires `Authorization: Bearer <access token>`, checked by `authenticate` (signature,
 * issuer, client id, token_use, expiry, revocation), and puts the caller on the context.
 */
export function requireUser(authenticate: Authenticate): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized('Sign in and send the access token as "Authorization: Bearer <token>"');
    const accessToken = match[1];
    const { claims, profile } = await authenticate(accessToken);
    c.set('claims', claims);
    c.set('profile', profile);
    c.set('caller', { sub: claims.sub, accessToken });
    await next();
  };
}
