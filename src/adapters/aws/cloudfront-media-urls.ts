import { createPrivateKey } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { MediaUrls } from '../../platform/media.ts';
import { publicMediaUrl } from './media-urls.ts';

export interface CloudFrontMediaUrlsOptions {
  /** The media distribution, e.g. `https://d111111abcdef8.cloudfront.net` (`MEDIA_URL`). */
  mediaUrl: string;
  /** The id of the CloudFront public key in the distribution's trusted key group (`Key-Pair-Id`). */
  keyPairId: string;
  /**
   * Reads the PEM private key (on AWS from Secrets Manager). Called once, on the first signature,
   * and again only if that read failed: a cold start that never signs never reads it.
   */
  privateKey: () => Promise<string>;
  /** Signed URLs kept in memory (each about 500 bytes). */
  cacheSize?: number;
}

type Sign = (url: string, expiresAt: number) => string;

/** A page of photos signs up to 100 URLs; this keeps many pages' worth, a few MB at most. */
const DEFAULT_CACHE_SIZE = 5000;

/**
 * Media URLs signed for the CloudFront media distribution with its key pair (a canned policy:
 * this URL until `expiresAt`). An RSA signature is deterministic, so the same key and expiry
 * always give the same URL and browsers keep their cached images; signing still costs about a
 * millisecond, so signed URLs are kept in an LRU cache by key and expiry. The signer and the
 * private key are loaded on the first signature, so functions that never sign pay nothing.
 */
export class CloudFrontMediaUrls implements MediaUrls {
  private readonly cache: LRUCache<string, string>;
  private signer: Promise<Sign> | undefined;

  constructor(private readonly options: CloudFrontMediaUrlsOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? DEFAULT_CACHE_SIZE });
  }

  async signed(key: string, expiresAt: number): Promise<string> {
    // Epoch milliseconds pass for seconds in the year 5138: refused, like fractions.
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= 0 || expiresAt >= 1e11) {
      throw new Error(`A media URL expires at whole epoch seconds (got ${expiresAt})`);
    }
    const cacheKey = `${expiresAt} ${key}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const sign = await this.loadSigner();
    const url = sign(`${this.options.mediaUrl.replace(/\/+$/, '')}/${key}`, expiresAt);
    this.cache.set(cacheKey, url);
    return url;
  }

  publicUrl(key: string): string {
    return publicMediaUrl(this.options.mediaUrl, key);
  }

  /** One load shared by concurrent first signatures; a failed load is tried again by the next. */
  private loadSigner(): Promise<Sign> {
    this.signer ??= Promise.all([import('@aws-sdk/cloudfront-signer'), this.options.privateKey()])
      .then(([{ getSignedUrl }, pem]): Sign => {
        const privateKey = checkedPrivateKey(pem);
        const { keyPairId } = this.options;
        // The signer reads dateLessThan with `new Date(...)`: a number would be taken as milliseconds.
        return (url, expiresAt) =>
          getSignedUrl({ url, keyPairId, privateKey, dateLessThan: new Date(expiresAt * 1000) });
      })
      .catch((error: unknown) => {
        this.signer = undefined;
        throw error;
      });
    return this.signer;
  }
}

/** Fails the first signature with what is wrong, without echoing the secret. */
function checkedPrivateKey(pem: string): string {
  const trimmed = pem.trim();
  try {
    const key = createPrivateKey(trimmed);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`an ${key.asymmetricKeyType} key`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`The media signing key is not a PEM RSA private key (${why}); CloudFront signs with RSA 2048`);
  }
  return trimmed;
}
