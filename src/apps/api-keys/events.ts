import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import type { Table } from '../../platform/table.ts';
import { API_KEY_SORT_PREFIX, apiKeyLookupKey } from './keys.ts';

/**
 * When a key's record leaves the owner's partition (the account was deleted, or a revoked
 * key's TTL ran out), delete its lookup item too, so no key outlives its record. Idempotent:
 * a redelivered record finds the lookup already gone.
 */
export function deleteApiKeyLookupOnRemoval(table: Table): StreamHandler {
  return {
    name: 'api-keys.delete-lookup-of-removed-keys',
    handle: (records) =>
      forEachRecord(records, async (record: ChangeRecord) => {
        const { Keys, OldImage } = record.dynamodb;
        if (record.eventName !== 'REMOVE' || !Keys.PK.startsWith('USER#')) return;
        if (!Keys.SK.startsWith(API_KEY_SORT_PREFIX) || typeof OldImage?.keyHash !== 'string') return;
        await table.delete(apiKeyLookupKey(OldImage.keyHash));
      }),
  };
}
