import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { outgoingOf, setHeader } from '../headers.ts';

/**
 * The headers every API answer carries: the OWASP REST Security Cheat Sheet's set for APIs. An
 * API answer is data, never a document: nothing may cache, frame, sniff or load it. Headers that
 * only matter for documents (COOP, Origin-Agent-Cluster, X-XSS-Protection, X-DNS-Prefetch-Control,
 * X-Download-Options, X-Permitted-Cross-Domain-Policies) are left to the routes that serve
 * documents: each costs every response its bytes and, measured, its share of the request's time.
 * A route whose answer may be cached says so with its own Cache-Control.
 */
export const SECURE_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cache-Control', 'no-store'],
];

/**
 * Sets the secure headers before the handler runs, so a handler may override one (the docs page
 * has its own CSP) and the response is built with them at once (see `setHeader`). A handler that
 * returns its own Response object on AWS gets them added afterwards.
 */
export function secureHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    for (const [name, value] of SECURE_HEADERS) setHeader(c, name, value);
    await next();
    if (outgoingOf(c) !== undefined || c.res.headers.has('X-Content-Type-Options')) return;
    for (const [name, value] of SECURE_HEADERS) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  };
}
