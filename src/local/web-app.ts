import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { noneMatch } from '../http/conditional.ts';
import type { AppEnv } from '../http/context.ts';

/** Where `npm start` builds the web app (`web/`, by Vite). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);

/**
 * What the app's pages may do: its own scripts, styles, images and API, nothing else. No inline
 * script can run, so a note's Markdown that slips a <script> past the renderer still cannot.
 */
export const DOCUMENT_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Paths that are the API's, never the app's pages: an unknown one stays a 404 problem. */
const API_PATHS = /^\/(v1|_objects|_media|docs|openapi\.json|\.well-known|_dev|health)(\/|$)/;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  compressible: boolean;
  encoded: Map<string, Buffer>;
}

export interface WebApp {
  /** The hashed assets, cached for a year; and the files at the build's root (icon, manifest). */
  routes: Hono<AppEnv>;
  /** The app's page for a path no route took (the SPA fallback); undefined when it is not a page. */
  page(c: Context<AppEnv>): Response | undefined;
}

/**
 * Serves the built web app from memory: it is small, and the files change only with a build.
 * Hashed assets under /assets are immutable; index.html and the root files are revalidated on
 * every load (ETag), so a new build is picked up at once. Text is sent brotli- or gzip-compressed
 * when the browser accepts it, compressed once per file. Returns undefined when there is no build.
 */
export function loadWebApp(dir: string = WEB_DIST): WebApp | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const index = readAsset(join(dir, 'index.html'));
  const rootFiles = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name !== 'index.html' && !name.startsWith('.') && statSync(path).isFile()) rootFiles.set(name, readAsset(path));
  }
  const assets = new Map<string, Asset>();
  const assetsDir = join(dir, 'assets');
  if (existsSync(assetsDir))
    for (const name of readdirSync(assetsDir)) assets.set(name, readAsset(join(assetsDir, name)));

  const routes = new Hono<AppEnv>();
  routes.get('/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    return asset ? send(c, asset, 'public, max-age=31536000, immutable') : c.notFound();
  });
  return {
    routes,
    page(c) {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return undefined;
      const file = rootFiles.get(c.req.path.slice(1));
      // The service worker (sw.js) runs under its script's CSP: it needs the page's, not the API's `default-src 'none'`.
      if (file) return send(c, file, 'no-cache', DOCUMENT_HEADERS);
      // A missing asset is a 404, not the page: HTML where a script was asked for would hide the mistake.
      if (API_PATHS.test(c.req.path) || c.req.path.startsWith('/assets/')) return undefined;
      return send(c, index, 'no-cache', DOCUMENT_HEADERS);
    },
  };
}

function readAsset(path: string): Asset {
  const body = readFileSync(path);
  const extension = extname(path);
  return {
    body,
    type: TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    compressible: COMPRESSIBLE.has(extension) && body.length > 512,
    encoded: new Map(),
  };
}

function send(c: Context<AppEnv>, asset: Asset, cacheControl: string, extra: Record<string, string> = {}): Response {
  const headers: Record<string, string> = {
    'Content-Type': asset.type,
    'Cache-Control': cacheControl,
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    ...extra,
  };
  if (noneMatch(c.req.header('if-none-match'), asset.etag)) return c.body(null, 304, headers);
  const encoding = asset.compressible ? preferredEncoding(c.req.header('accept-encoding') ?? '') : undefined;
  if (!encoding) return c.body(new Uint8Array(asset.body), 200, headers);
  let body = asset.encoded.get(encoding);
  if (!body) {
    body =
      encoding === 'br'
        ? brotliCompressSync(asset.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        : gzipSync(asset.body, { level: 9 });
    asset.encoded.set(encoding, body);
  }
  return c.body(new Uint8Array(body), 200, { ...headers, 'Content-Encoding': encoding });
}

/** Brotli, else gzip, when the client lists it (and did not refuse it with q=0). */
function preferredEncoding(accepted: string): 'br' | 'gzip' | undefined {
  const offered = new Set(
    accepted
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => !/;\s*q=0(\.0*)?$/.test(part))
      .map((part) => part.split(';')[0]),
  );
  if (offered.has('br')) return 'br';
  if (offered.has('gzip')) return 'gzip';
  return undefined;
}
