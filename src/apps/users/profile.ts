import type { ConfirmedEvent } from '../../platform/identity.ts';
import { ConditionFailedError, type Item, type Key, type Table, when } from '../../platform/table.ts';

/** Every per-user item lives in the partition named by the verified `sub`, never by input. */
export const userPartition = (sub: string): string => `USER#${sub}`;
export const profileKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'PROFILE' });
/** Who holds a username: one item per name, so uniqueness is a conditional write. */
export const usernameKey = (username: string): Key => ({ PK: `USERNAME#${username}`, SK: 'USERNAME' });

/** The public view of a profile item, as `GET /v1/me` returns it. */
export interface ProfileView {
  sub: string;
  email: string;
  name: string;
  /** The unique public name of the user's site, once chosen. */
  username?: string;
  attributes: Record<string, string>;
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function profileView(item: Item): ProfileView {
  return {
    sub: item.sub as string,
    email: item.email as string,
    name: item.name as string,
    ...(typeof item.username === 'string' ? { username: item.username } : {}),
    attributes: (item.attributes ?? {}) as Record<string, string>,
    mfaEnabled: item.mfaEnabled === true,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

/**
 * The post-confirmation hook: creates the user's profile item. Idempotent, because Cognito
 * (like any at-least-once caller) may invoke a trigger again.
 */
export function createProfileOnConfirmation(table: Table, now: () => Date) {
  return async (event: ConfirmedEvent): Promise<void> => {
    const at = now().toISOString();
    try {
      await table.put(
        {
          ...profileKey(event.sub),
          type: 'profile',
          sub: event.sub,
          email: event.email,
          name: event.name,
          attributes: event.attributes,
          mfaEnabled: false,
          tokensValidAfter: 0,
          createdAt: at,
          updatedAt: at,
        },
        { condition: when.notExists() },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  };
}
