/** The notification items, all in the user's partition (an account's deletion takes them along). */
import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';

export const settingsKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'NOTIFYSETTINGS' });
export const phoneCodeKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'PHONECODE' });
/** The user's daily digest, while it is on: an item in the schedule index. */
export const digestKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'DIGEST' });

export const NOTIFICATION_PREFIX = 'NOTIFICATION#';
export const notificationKey = (sub: string, id: string): Key => ({
  PK: userPartition(sub),
  SK: `${NOTIFICATION_PREFIX}${id}`,
});
/** Unread notifications are also in GSI1 under this partition (a sparse index: read ones leave it). */
export const unreadPartition = (sub: string) => `${userPartition(sub)}#NOTIFICATIONS#unread`;

/** A notification's id orders by time and comes from its delivery's stable key: `<ms>-<key>`. */
export const notificationId = (at: string, key: string) => `${String(Date.parse(at)).padStart(13, '0')}-${key}`;
