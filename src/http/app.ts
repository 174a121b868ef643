import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../platform/errors.ts';
import type { AppEnv } from './context.ts';
import { setHeader } from './headers.ts';
import { corsFor } from './middleware/cors.ts';
import { type RequestLogEntry, requestId, requestLog } from './middleware/request-log.ts';
import { secureHeaders } from './middleware/secure-headers.ts';
import { router } from './openapi.ts';
import { problemResponse, toAppError } from './problem.ts';

export const JSON_BODY_LIMIT = 1024 * 1024;

export interface HttpAppOptions {
  /** Origins allowed to call the API from a browser; no others get CORS headers. */
  corsOrigins: string[];
  /** How this runtime learns the client's address (the socket, or API Gateway's context). */
  clientIp: MiddlewareHandler<AppEnv>;
  logRequest: (entry: RequestLogEntry) => void;
  logError: (error: unknown, requestId: string) => void;
  /** The apps' routes (accounts, to-dos, notes, ...), from `composeApps`. */
  appRoutes?: Array<Hono<AppEnv>>;
  /** Paths whose bodies are not JSON and not bound by the 1 MB limit (local object uploads, limited by their signature). */
  unlimitedBody?: (path: string) => boolean;
  /** Routes only one runtime has (the local JWKS, the dev outbox, the docs page). */
  extraRoutes?: Array<Hono<AppEnv>>;
  /** What answers a path no route took, before the 404 problem: the web app's pages on one machine. */
  fallback?: (c: Context<AppEnv>) => Response | undefined;
}

/** The HTTP app: the same on one machine (node-server) and on AWS (the Lambda adapter). */
export function createHttpApp(options: HttpAppOptions): OpenAPIHono<AppEnv> {
  const app = router();

  app.use(requestId());
  app.use(requestLog(options.logRequest));
  app.use(options.clientIp);
  app.use(secureHeaders());
  app.use(corsFor(options.corsOrigins));
  const tooLarge = (c: Context<AppEnv>) => {
    // The rest of the body is never read, so this connection cannot carry another request.
    setHeader(c, 'Connection', 'close');
    return problemResponse(c, new AppError(413, 'PayloadTooLarge', 'The request body is too large: the limit is 1 MB'));
  };
  const streamedBodyLimit = bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: tooLarge });
  app.use(async (c, next) => {
    // GET and HEAD carry no body, and a declared length is checked without reading: only a
    // chunked body is counted as it streams. (Asking the node adapter "is there a body?" makes
    // it build a full Request, which cost a third of a small request's time, measured.)
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || options.unlimitedBody?.(c.req.path)) return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamedBodyLimit(c, next);
    if (Number(length) > JSON_BODY_LIMIT) return tooLarge(c);
    await next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The accessToken from /v1/auth/signin',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'Optional, beside the Bearer token: counts the request against the key’s usage plan',
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));
  for (const routes of options.appRoutes ?? []) app.route('/', routes);
  for (const extra of options.extraRoutes ?? []) app.route('/', extra);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Stratus API',
      version: '1',
      description:
        'Errors are application/problem+json (RFC 9457). Lists take ?limit=&cursor= and return { items, nextCursor }.',
    },
  });

  app.notFound(
    (c) =>
      options.fallback?.(c) ??
      problemResponse(c, new AppError(404, 'NotFound', `There is no route ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.status >= 500) options.logError(error, c.get('requestId'));
    return problemResponse(c, appError);
  });
  return app;
}
