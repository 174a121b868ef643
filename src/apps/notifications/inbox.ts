import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { notFound } from '../../platform/errors.ts';
import {
  ConditionFailedError,
  type Item,
  type Table,
  TransactionCanceledError,
  TTL_ATTRIBUTE,
  when,
} from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';
import { NOTIFICATION_PREFIX, notificationId, notificationKey, unreadPartition } from './keys.ts';

export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  /** Where in the web app it leads, e.g. `/tasks/<id>`. */
  link?: string;
  /** Sent after its time (Stratus was down when it was due). */
  late: boolean;
  read: boolean;
  createdAt: string;
}

export interface NewNotification {
  /** Stable across retries: the same key makes the same notification, once. */
  key: string;
  /** When it was due: the list is ordered by it. */
  at: string;
  kind: string;
  title: string;
  body: string;
  link?: string;
  late?: boolean;
}

/** In-app notifications are kept 90 days. */
const KEEP_SECONDS = 90 * 24 * 3600;
/** The unread count is exact up to this; the bell shows "99+" past it. */
export const UNREAD_COUNT_CAP = 100;

/**
 * In-app notifications: `USER#<sub>` / `NOTIFICATION#<ms>-<key>`, newest first. Unread ones are
 * also in a sparse GSI1 partition, so the unread list and count read only unread items.
 */
export class Inbox {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  /** Idempotent: a second call with the same key and time finds it there and does nothing. */
  async add(sub: string, notification: NewNotification): Promise<string> {
    const id = notificationId(notification.at, notification.key);
    try {
      await this.table.put(
        {
          ...notificationKey(sub, id),
          type: 'notification',
          id,
          kind: notification.kind,
          title: notification.title,
          body: notification.body,
          ...(notification.link ? { link: notification.link } : {}),
          late: notification.late === true,
          read: false,
          createdAt: notification.at,
          GSI1PK: unreadPartition(sub),
          GSI1SK: id,
          [TTL_ATTRIBUTE]: epochSeconds(this.clock) + KEEP_SECONDS,
        },
        { condition: when.notExists() },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
    return id;
  }

  async list(sub: string, page: { limit: number; cursor?: string | undefined; unread?: boolean | undefined }) {
    const result = await this.table.query({
      ...(page.unread
        ? { index: 'GSI1' as const, partition: unreadPartition(sub) }
        : { partition: userPartition(sub), sort: { beginsWith: NOTIFICATION_PREFIX } }),
      reverse: true,
      limit: page.limit,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    return { items: result.items.map(view), ...(result.cursor ? { nextCursor: result.cursor } : {}) };
  }

  async unreadCount(sub: string): Promise<{ unread: number; capped: boolean }> {
    const page = await this.table.query({ index: 'GSI1', partition: unreadPartition(sub), limit: UNREAD_COUNT_CAP });
    return { unread: page.items.length, capped: page.cursor !== undefined };
  }

  async markRead(sub: string, id: string): Promise<void> {
    try {
      await this.table.update(
        notificationKey(sub, id),
        { set: { read: true }, remove: ['GSI1PK', 'GSI1SK'] },
        { condition: when.exists() },
      );
    } catch (error) {
      if (error instanceof ConditionFailedError) throw notFound(`There is no notification with id ${id}`);
      throw error;
    }
  }

  /** Marks every unread notification read, in transactions of 25; returns how many. */
  async markAllRead(sub: string): Promise<number> {
    let marked = 0;
    // Bounded: the index is eventually consistent on DynamoDB, so a page may come back once more.
    for (let pages = 0; pages < 100; pages++) {
      const page = await this.table.query({ index: 'GSI1', partition: unreadPartition(sub), limit: 25 });
      if (page.items.length === 0) return marked;
      try {
        await this.table.transact(
          page.items.map((item) => ({
            update: { PK: item.PK, SK: item.SK },
            changes: { set: { read: true }, remove: ['GSI1PK', 'GSI1SK'] },
            condition: when.equals('read', false),
          })),
        );
        marked += page.items.length;
      } catch (error) {
        // One went (expired) or was marked meanwhile: the next page reads the index afresh.
        if (!(error instanceof TransactionCanceledError)) throw error;
        for (const item of page.items) await this.markRead(sub, item.id as string).catch(() => undefined);
      }
    }
    return marked;
  }
}

function view(item: Item): NotificationView {
  return {
    id: item.id as string,
    kind: item.kind as string,
    title: item.title as string,
    body: item.body as string,
    ...(typeof item.link === 'string' ? { link: item.link } : {}),
    late: item.late === true,
    read: item.read === true,
    createdAt: item.createdAt as string,
  };
}
