import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import swaggerUi from 'swagger-ui-dist';
import type { AppEnv } from './context.ts';

const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Stratus API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// A file, not an inline script, so the page runs under a CSP without 'unsafe-inline' scripts.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });`;

/** The API docs page, served from the swagger-ui-dist package: no CDN, so it works offline. */
export function docsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const directory = swaggerUi.getAbsoluteFSPath();
  app.use('/docs/*', async (c, next) => {
    await next();
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
  });
  app.get('/docs', (c) => c.html(page));
  // One route for all three files: a static route beside a parameter at the same place, or a
  // capture group in the parameter's pattern, makes Hono give up its RegExpRouter for the slower
  // TrieRouter, for every route of the app (measured: ~5% of a to-do read).
  app.get('/docs/:asset', async (c) => {
    const asset = c.req.param('asset');
    if (asset === 'init.js') return c.body(init, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
    const type = assets[asset];
    if (!type) return c.notFound();
    const body = await readFile(join(directory, asset));
    return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}
