import { type Clock, epochSeconds, systemClock } from '../../platform/clock.ts';
import { isPublicMediaKey, type MediaUrls } from '../../platform/media.ts';
import type { ObjectStore } from '../../platform/objects.ts';

/**
 * The permanent URL of public media on the media distribution (its unsigned avatar behaviour).
 * Any other key is refused: a URL without a signature for private media would only ever be a 403.
 */
export function publicMediaUrl(mediaUrl: string, key: string): string {
  if (!isPublicMediaKey(key)) throw new Error(`${key} is not public media`);
  return `${mediaUrl.replace(/\/+$/, '')}/${key}`;
}

/**
 * Media URLs on AWS without a CloudFront signing key: private media through pre-signed S3 GETs
 * (they differ on every call, so browsers cache less), public media through the media
 * distribution's unsigned avatar behaviour (`MEDIA_URL`). With a key, see CloudFrontMediaUrls.
 */
export class PresignedMediaUrls implements MediaUrls {
  constructor(
    private readonly objects: ObjectStore,
    private readonly mediaUrl: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async signed(key: string, expiresAt: number): Promise<string> {
    const expiresInSeconds = Math.max(1, Math.min(7 * 24 * 3600, expiresAt - epochSeconds(this.clock)));
    return (await this.objects.presignDownload({ key, expiresInSeconds })).url;
  }

  publicUrl(key: string): string {
    return publicMediaUrl(this.mediaUrl, key);
  }
}
