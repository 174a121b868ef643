import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { noneMatch } from '../../http/conditional.ts';
import { setHeader } from '../../http/headers.ts';
import { jsonResponse, problems, router } from '../../http/openapi.ts';
import { Username } from '../users/model.ts';
import type { SiteService } from './service.ts';

/** Short for browsers, longer for a CDN, and stale-while-revalidate so the page never waits on us. */
export const SITE_CACHE_CONTROL = 'public, max-age=60, s-maxage=300, stale-while-revalidate=600';

const SiteSchema = z
  .object({
    profile: z.object({
      username: z.string(),
      name: z.string(),
      bio: z.string().optional(),
      website: z.string().optional(),
      pictureUrl: z.string().optional(),
    }),
    notes: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        body: z.string(),
        tags: z.array(z.string()),
        pinned: z.boolean(),
        updatedAt: z.string(),
      }),
    ),
    bookmarks: z.array(
      z.object({
        id: z.string(),
        url: z.string(),
        title: z.string(),
        description: z.string(),
        tags: z.array(z.string()),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi('Site');

export function siteRoutes(sites: SiteService) {
  const app = router();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sites/{username}',
      tags: ['Public sites'],
      summary: 'A user’s public site: profile, public notes and bookmarks (no sign-in)',
      request: { params: z.object({ username: Username.openapi({ param: { name: 'username', in: 'path' } }) }) },
      responses: {
        200: { ...jsonResponse(SiteSchema, 'The site'), headers: z.object({ ETag: z.string() }) },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        404: { ...problems[400], description: 'No such site' },
        400: problems[400],
      },
    }),
    async (c) => {
      const body = JSON.stringify(await sites.site(c.req.valid('param').username));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      setHeader(c, 'ETag', etag);
      setHeader(c, 'Cache-Control', SITE_CACHE_CONTROL);
      setHeader(c, 'Vary', 'Accept-Encoding');
      if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304);
      return c.body(body, 200, { 'Content-Type': 'application/json' });
    },
  );
  return app;
}
