import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../context.ts';

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
