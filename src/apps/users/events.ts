import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import { ConditionFailedError, type Item, type Table, when } from '../../platform/table.ts';
import { usernameKey, userPartition } from './profile.ts';

/**
 * When a profile item is removed (the account was deleted), free its username and delete
 * every item in the user's partition. Runs from the change stream, so it is retried until done and survives restarts.
 * Idempotent: a redelivered record finds less (or nothing) left to delete.
 */
export function deleteUserDataOnAccountRemoval(table: Table): StreamHandler {
  return onAccountRemoved('users.delete-data-of-removed-accounts', async (sub, profile) => {
    const username = profile?.username;
    if (typeof username === 'string') await releaseUsername(table, username, sub);
    for (;;) {
      const page = await table.query({ partition: userPartition(sub), limit: 100 });
      if (page.items.length === 0) return;
      await table.batchWrite({ deletes: page.items.map(({ PK, SK }) => ({ PK, SK })) });
    }
  });
}

/**
 * A stream handler that runs `work` once per deleted account (its profile item's REMOVE), with
 * the account's sub and last profile. `work` must be idempotent: records can come twice.
 */
export function onAccountRemoved(
  name: string,
  work: (sub: string, profile: Item | undefined) => Promise<void>,
): StreamHandler {
  return {
    name,
    handle: (records) =>
      forEachRecord(records, async (record: ChangeRecord) => {
        const { Keys } = record.dynamodb;
        if (record.eventName !== 'REMOVE' || Keys.SK !== 'PROFILE' || !Keys.PK.startsWith('USER#')) return;
        await work(Keys.PK.slice('USER#'.length), record.dynamodb.OldImage);
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
