import { createHash } from 'node:crypto';
import { badRequest, unprocessable } from '../../platform/errors.ts';
import type { Item, Key } from '../../platform/table.ts';
import { TTL_ATTRIBUTE } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';

/** How long a retried create still gets the first result (as Stripe keeps keys). */
export const IDEMPOTENCY_SECONDS = 24 * 3600;

export interface IdempotentRequest {
  /** The client's `Idempotency-Key` header. */
  key: string;
  /** What the request asked for; a retry with the same key must ask for the same thing. */
  fingerprint: string;
}

/** Validates the `Idempotency-Key` header and binds it to the request's scope and body. */
export function idempotentRequest(
  header: string | undefined,
  scope: string,
  body: unknown,
): IdempotentRequest | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw badRequest(
      'InvalidIdempotencyKey',
      'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is ideal)',
    );
  }
  const fingerprint = createHash('sha256')
    .update(`${scope}\n${JSON.stringify(body)}`)
    .digest('base64url');
  return { key: header, fingerprint };
}

/** The record of a create done under an idempotency key; it lives in the user's partition. */
export const idempotencyKey = (sub: string, key: string): Key => ({
  PK: userPartition(sub),
  SK: `IDEMPOTENCY#${createHash('sha256').update(key).digest('base64url')}`,
});

export function idempotencyRecord(sub: string, request: IdempotentRequest, created: Key, nowSeconds: number): Item {
  return {
    ...idempotencyKey(sub, request.key),
    type: 'idempotency',
    fingerprint: request.fingerprint,
    createdPK: created.PK,
    createdSK: created.SK,
    [TTL_ATTRIBUTE]: nowSeconds + IDEMPOTENCY_SECONDS,
  };
}

/** The key of the item first created under this idempotency key, if the request matches it. */
export function replayedKey(record: Item | undefined, request: IdempotentRequest): Key | undefined {
  if (!record) return undefined;
  if (record.fingerprint !== request.fingerprint) {
    throw unprocessable(
      'IdempotencyKeyReused',
      'This Idempotency-Key was already used for a different request: use a new key for a new request',
    );
  }
  return { PK: record.createdPK as string, SK: record.createdSK as string };
}
