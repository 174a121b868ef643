/**
 * The Media port: the URLs clients load images from. Private media (photos and their
 * thumbnails) is reached only through signed URLs that expire; public media (profile pictures)
 * through plain, permanent ones. Locally both are served by Stratus itself; on AWS by the
 * CloudFront media distribution (signed with its key pair, or pre-signed S3 GETs without one).
 */
export interface MediaUrls {
  /**
   * A URL for `key` that works until `expiresAt` (epoch seconds). The same key and expiry give
   * the same URL, so a browser's cache keeps an image across page loads.
   */
  signed(key: string, expiresAt: number): Promise<string>;
  /** The permanent URL of an object that {@link isPublicMediaKey} allows. */
  publicUrl(key: string): string;
}

/**
 * Profile pictures' derivatives (`users/<sub>/avatars/<id>/s<size>.jpg`) are public: a profile
 * picture is shown to anyone who sees the profile. The original upload (`.../original`) never
 * matches, so its EXIF never leaves. CloudFront's behaviour uses {@link PUBLIC_MEDIA_PATH_PATTERN}, whose
 * `*` also crosses `/` (it would match `users/<sub>/files/avatars/me.jpg`): the viewer-request
 * function in `infra/constructs/cdn.ts` lets through only keys of this exact shape.
 */
const PUBLIC_MEDIA_KEY = /^users\/[^/]+\/avatars\/[0-9a-z]+\/s\d+\.jpg$/;
export const PUBLIC_MEDIA_PATH_PATTERN = 'users/*/avatars/*.jpg';

export const isPublicMediaKey = (key: string): boolean => PUBLIC_MEDIA_KEY.test(key);

/**
 * Signed media URLs expire at the end of the next whole window: a URL handed out now is the one
 * handed out for the next hours, so cached images are reused, and each lives 6 to 12 hours.
 */
export const MEDIA_URL_WINDOW_SECONDS = 6 * 3600;

export function mediaExpiry(nowSeconds: number, window = MEDIA_URL_WINDOW_SECONDS): number {
  return (Math.floor(nowSeconds / window) + 2) * window;
}
