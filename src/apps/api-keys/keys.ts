import { createHash, randomBytes } from 'node:crypto';
import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';

/** Every key starts so: easy to spot in code and for secret scanners. */
export const API_KEY_PREFIX = 'stk_';
/** `stk_` and 32 random bytes in base64url. */
const API_KEY_SHAPE = /^stk_[A-Za-z0-9_-]{43}$/;
/** How much of the key the list shows, to tell keys apart: `stk_` and 8 characters. */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

/** A new secret key; only its hash is stored. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, SHOWN_PREFIX_LENGTH) };
}

/**
 * SHA-256, not a slow password hash: the key has 256 random bits, so there is nothing to
 * guess from the hash, and it is computed on every keyed request.
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

export const looksLikeApiKey = (value: string): boolean => API_KEY_SHAPE.test(value);

/** The key's record, in the owner's partition (built from the verified sub only). */
export const apiKeyKey = (sub: string, id: string): Key => ({ PK: userPartition(sub), SK: `APIKEY#${id}` });
export const API_KEY_SORT_PREFIX = 'APIKEY#';

/** How a request's key is found: by its hash, in a partition of its own. */
export const apiKeyLookupKey = (hash: string): Key => ({ PK: `APIKEY#${hash}`, SK: 'APIKEY' });

/** The owner's count of live keys, changed in the same transaction as the keys. */
export const apiKeyCountKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'APIKEYS' });
