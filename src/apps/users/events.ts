import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import type { Table } from '../../platform/table.ts';

/**
 * When a profile item is removed (the account was deleted), delete every item in the user's
 * partition. Runs from the change stream, so it is retried until done and survives restarts.
 * Idempotent: a redelivered record finds less (or nothing) left to delete.
 */
export function deleteUserDataOnAccountRemoval(table: Table): StreamHandler {
  return {
    name: 'users.delete-data-of-removed-accounts',
    handle: (records) =>
      forEachRecord(records, async (record: ChangeRecord) => {
        const { Keys } = record.dynamodb;
        if (record.eventName !== 'REMOVE' || Keys.SK !== 'PROFILE' || !Keys.PK.startsWith('USER#')) return;
        for (;;) {
          const page = await table.query({ partition: Keys.PK, limit: 100 });
          if (page.items.length === 0) return;
          await table.batchWrite({ deletes: page.items.map(({ PK, SK }) => ({ PK, SK })) });
        }
      }),
  };
}
