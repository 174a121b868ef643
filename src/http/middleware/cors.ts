import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../context.ts';
import { setHeader } from '../headers.ts';

const EXPOSED = [
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Idempotent-Replayed',
].join(', ');

/**
 * CORS for the listed origins only; every other origin gets no CORS header at all. Preflights
 * go to Hono's cors. Actual requests get their headers before the handler runs: Hono's cors
 * sets them on a placeholder response, which then has to be merged into the handler's, and
 * that cost two thirds of a small request's time (measured: /health 12.7k → 4.4k req/s).
 */
export function corsFor(origins: string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(origins);
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'x-api-key'],
    exposeHeaders: EXPOSED.split(', '),
    maxAge: 600,
  });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    setHeader(c, 'Vary', 'Origin');
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed.has(origin)) {
      setHeader(c, 'Access-Control-Allow-Origin', origin);
      setHeader(c, 'Access-Control-Expose-Headers', EXPOSED);
    }
    await next();
  };
}
