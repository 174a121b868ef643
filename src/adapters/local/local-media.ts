import { Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { type Clock, epochSeconds, systemClock } from '../../platform/clock.ts';
import { isPublicMediaKey, type MediaUrls } from '../../platform/media.ts';
import { noSuchKey } from '../../platform/objects.ts';
import { type DiskObjectStore, sendObject } from './disk-object-store.ts';

/** Public media is served under this path, without a signature. */
export const PUBLIC_MEDIA_PREFIX = '/_media/';

/**
 * Media URLs on one machine: private media through the object store's own signed download URLs
 * (HMAC over the key and the expiry, so one expiry gives one URL), public media under
 * {@link PUBLIC_MEDIA_PREFIX}. Both are served by this process, with the cache headers
 * CloudFront would add on AWS.
 */
export class LocalMediaUrls implements MediaUrls {
  constructor(
    private readonly store: DiskObjectStore,
    private readonly baseUrl: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async signed(key: string, expiresAt: number): Promise<string> {
    const expiresInSeconds = Math.max(1, expiresAt - epochSeconds(this.clock));
    return (await this.store.presignDownload({ key, expiresInSeconds })).url;
  }

  publicUrl(key: string): string {
    if (!isPublicMediaKey(key)) throw new Error(`${key} is not public media`);
    return `${this.baseUrl.replace(/\/+$/, '')}${PUBLIC_MEDIA_PREFIX}${key}`;
  }
}

/**
 * `GET /_media/<key>`: public media (profile pictures) for anyone, cached for a year: each
 * picture has its own key, so a key's bytes never change. Any other key is not found.
 */
export function publicMediaRoutes(store: DiskObjectStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(`${PUBLIC_MEDIA_PREFIX}*`, async (c) => {
    const key = decodeURIComponent(new URL(c.req.url).pathname.slice(PUBLIC_MEDIA_PREFIX.length));
    if (!isPublicMediaKey(key)) throw noSuchKey(key);
    return sendObject(c, store, key, 'public, max-age=31536000, immutable');
  });
  return app;
}
