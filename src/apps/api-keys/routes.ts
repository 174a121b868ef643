import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { setHeader } from '../../http/headers.ts';
import { jsonBody, jsonResponse, ProblemSchema, problems, router } from '../../http/openapi.ts';
import { ApiKeyIdParam, ApiKeyListSchema, CreatedApiKeySchema, createApiKeyBody, ListQuery } from './model.ts';
import type { ApiKeysService } from './service.ts';

const tags = ['API keys'];

const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: ProblemSchema } },
  description,
});

/**
 * `/v1/api-keys`: a signed-in user's keys for their own scripts. `signedIn` is the same
 * middleware list the other apps take: `requireUser(...)`, then `rateLimit(...)`.
 */
export function apiKeyRoutes(keys: ApiKeysService, signedIn: MiddlewareHandler<AppEnv>[]) {
  const app = router();
  const guard = { security: [{ Bearer: [] }], middleware: signedIn };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/api-keys',
      tags,
      summary: 'Create an API key; the key is in this answer only (it is stored hashed)',
      description:
        'Send the key as `x-api-key`, with your access token, to have requests counted against its usage plan.',
      ...guard,
      request: jsonBody(createApiKeyBody(keys.planNames, keys.defaultPlan)),
      responses: {
        201: jsonResponse(CreatedApiKeySchema, 'Created; keep the key now, it is never shown again'),
        409: problem('Too many live keys: revoke one first'),
        ...problems,
      },
    }),
    async (c) => {
      const created = await keys.create(c.get('caller'), c.req.valid('json'));
      setHeader(c, 'Cache-Control', 'no-store');
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/api-keys',
      tags,
      summary: 'The caller’s API keys, newest first (never the keys themselves)',
      ...guard,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(ApiKeyListSchema, 'A page of keys'), ...problems },
    }),
    async (c) => c.json(await keys.list(c.get('caller'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/api-keys/{id}',
      tags,
      summary: 'Revoke an API key; it stops working at once',
      ...guard,
      request: { params: ApiKeyIdParam },
      responses: {
        204: { description: 'Revoked (or already was)' },
        404: problem('The caller has no key with this id'),
        ...problems,
      },
    }),
    async (c) => {
      await keys.revoke(c.get('caller'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
