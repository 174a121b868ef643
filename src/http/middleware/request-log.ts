import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../context.ts';
import { setHeader } from '../headers.ts';

export interface RequestLogEntry {
  requestId: string;
  method: string;
  route: string;
  path: string;
  status: number;
  latencyMs: number;
}

/** One structured line per request: id, method, matched route, status and latency. */
export function requestLog(write: (entry: RequestLogEntry) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    write({
      requestId: c.get('requestId'),
      method: c.req.method,
      route: routePath(c, -1),
      path: c.req.path,
      status: c.res.status,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}

const CLIENT_ID = /^[\w\-=]{1,255}$/;

/**
 * Names each request: the client's own `X-Request-Id` when it is a plain token (so a client can
 * follow its request through the logs), else a new UUID; sent back as `X-Request-Id`. Hono's
 * `requestId` does the same through `c.header` (see `setHeader`).
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const offered = c.req.header('x-request-id');
    const id = offered !== undefined && CLIENT_ID.test(offered) ? offered : crypto.randomUUID();
    c.set('requestId', id);
    setHeader(c, 'X-Request-Id', id);
    await next();
  };
}
