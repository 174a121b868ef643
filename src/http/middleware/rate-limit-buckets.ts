import { LRUCache } from 'lru-cache';

/** A steady rate with room for bursts: a token bucket that holds `burst` tokens and refills at `ratePerSecond`. */
export interface RateSpec {
  ratePerSecond: number;
  burst: number;
}

/** What one limit says about one request, in the terms of the `RateLimit-*` headers. */
export interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the limit is back to full (`RateLimit-Reset`). */
  resetSeconds: number;
  /** Seconds until a request may pass again; 0 when allowed. */
  retryAfterSeconds: number;
  /** This limit in `RateLimit-Policy` syntax: `<quota>;w=<window seconds>`. */
  policy: string;
}

/** Refills are floating-point sums; this keeps 0.1 s × 10/s from coming out just short of one token. */
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  at: number;
}

export interface Claim {
  id: string;
  spec: RateSpec;
}

/**
 * Token buckets for many clients, in memory. The state is two numbers per client and is
 * refilled lazily from the clock, so nothing runs between requests and a test clock can move
 * time. The least recently seen clients are forgotten past `maxClients`; a forgotten bucket
 * comes back full, which only ever errs on the side of letting a request through.
 */
export class TokenBuckets {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(maxClients = 100_000) {
    this.buckets = new LRUCache({ max: maxClients });
  }

  /**
   * Takes one token from each claimed bucket, or from none of them when any is empty (so a
   * request refused by one limit does not use up another). Returns one verdict per claim.
   */
  takeAll(claims: Claim[], now: number): Verdict[] {
    const buckets = claims.map(({ id, spec }) => this.refilled(id, spec, now));
    const allowed = buckets.every((bucket) => bucket.tokens >= 1 - EPSILON);
    return claims.map(({ spec }, i) => {
      const bucket = buckets[i] as Bucket;
      if (allowed) bucket.tokens = Math.max(0, bucket.tokens - 1);
      return verdictOf(bucket.tokens, spec, allowed || bucket.tokens >= 1 - EPSILON);
    });
  }

  take(id: string, spec: RateSpec, now: number): Verdict {
    return this.takeAll([{ id, spec }], now)[0] as Verdict;
  }

  private refilled(id: string, spec: RateSpec, now: number): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { tokens: spec.burst, at: now };
      this.buckets.set(id, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(spec.burst, bucket.tokens + elapsedSeconds * spec.ratePerSecond);
    bucket.at = now;
    return bucket;
  }
}

function verdictOf(tokens: number, spec: RateSpec, allowed: boolean): Verdict {
  return {
    allowed,
    limit: spec.burst,
    remaining: Math.max(0, Math.floor(tokens + EPSILON)),
    resetSeconds: Math.max(0, Math.ceil((spec.burst - tokens - EPSILON) / spec.ratePerSecond)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / spec.ratePerSecond)),
    policy: bucketPolicy(spec),
  };
}

/** `burst` requests per `burst / rate` seconds is the bucket's long-run rate with its full burst. */
export const bucketPolicy = (spec: RateSpec): string =>
  `${spec.burst};w=${Math.max(1, Math.round(spec.burst / spec.ratePerSecond))}`;
