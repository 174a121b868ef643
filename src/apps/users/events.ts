import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import { ConditionFailedError, type Table, when } from '../../platform/table.ts';
import { usernameKey } from './profile.ts';

/**
 * When a profile item is removed (the account was deleted), free its username and delete
 * every item in the user's partition. Runs from the change stream, so it is retried until done and survives restarts.
 * Idempotent: a redelivered record finds less (or nothing) left to delete.
 */
export function deleteUserDataOnAccountRemoval(table: Table): StreamHandler {
  return {
    name: 'users.delete-data-of-removed-accounts',
    handle: (records) =>
      forEachRecord(records, async (record: ChangeRecord) => {
        const { Keys } = record.dynamodb;
        if (record.eventName !== 'REMOVE' || Keys.SK !== 'PROFILE' || !Keys.PK.startsWith('USER#')) return;
        const username = record.dynamodb.OldImage?.username;
        if (typeof username === 'string') await releaseUsername(table, username, Keys.PK.slice('USER#'.length));
        for (;;) {
          const page = await table.query({ partition: Keys.PK, limit: 100 });
          if (page.items.length === 0) return;
          await table.batchWrite({ deletes: page.items.map(({ PK, SK }) => ({ PK, SK })) });
        }
      }),
  };
}

/** Frees the username for others, unless someone already holds it again. */
async function releaseUsername(table: Table, username: string, sub: string): Promise<void> {
  try {
    await table.delete(usernameKey(username), { condition: when.equals('holderId', sub) });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}
