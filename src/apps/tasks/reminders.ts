import type { Clock } from '../../platform/clock.ts';
import type { Item, Table } from '../../platform/table.ts';
import type { DueWorker, Outcome } from '../common/schedule.ts';
import type { Deliverer, Sent } from '../notifications/delivery.ts';
import type { NotificationSettingsService } from '../notifications/settings.ts';
import { facetPartition, OPEN, taskKey } from './keys.ts';
import type { TaskFields } from './model.ts';
import { humanTime, localDayBounds, nextLocalHour } from './time.ts';

/** A reminder sent this long after its time says it is late (Stratus was down, or far behind). */
export const LATE_AFTER_MS = 2 * 60_000;
const DIGEST_MAX_TASKS = 50;

/** Progress kept on a claimed item: `sent_<channel>` holds that channel's message id. */
const sentOf = (item: Item): Sent => ({
  ...(typeof item.sent_email === 'string' ? { email: item.sent_email } : {}),
  ...(typeof item.sent_sms === 'string' ? { sms: item.sent_sms } : {}),
  ...(typeof item.sent_inApp === 'string' ? { inApp: item.sent_inApp } : {}),
});

/**
 * Sends a due reminder. The task is read again first: one completed, deleted or moved since the
 * reminder was scheduled is dropped instead of sent (the change stream may not have caught up).
 */
export function reminderWorker(table: Table, deliverer: Deliverer, clock: Clock): DueWorker {
  return {
    kind: 'reminder',
    async work({ item, lateMs, record }): Promise<Outcome> {
      const sub = item.sub as string;
      const taskId = item.taskId as string;
      const fireAt = item.dueAt as string;
      const task = (await table.get(taskKey(sub, taskId), { consistent: true })) as (TaskFields & Item) | undefined;
      if (!task || task.status === 'done' || !task.reminders.some((r) => r.fireAt === fireAt)) return { drop: true };
      const zone = task.timeZone;
      const late = lateMs > LATE_AFTER_MS;
      const due = task.dueAt ? humanTime(task.dueAt, zone) : undefined;
      await deliverer.deliver(
        sub,
        {
          key: `reminder.${taskId}.${Date.parse(fireAt)}`.toLowerCase(),
          at: fireAt,
          kind: 'reminder',
          title: `Reminder: ${task.title}`,
          lines: [
            due ? `“${task.title}” is due ${due}.` : `You asked to be reminded of “${task.title}” now.`,
            ...(late
              ? [`This reminder is late: it was due at ${humanTime(fireAt, zone)}, when Stratus could not send it.`]
              : []),
            ...(task.description ? [task.description.split('\n')[0] as string] : []),
          ],
          sms: `Reminder: ${task.title}${due ? ` (due ${due})` : ''}${late ? ' [late]' : ''}`,
          link: `/tasks/${taskId}`,
          late,
        },
        sentOf(item),
        (channel, messageId) => record({ [`sent_${channel}`]: messageId }),
      );
      return { done: true, set: { state: 'sent', sentAt: new Date(clock.now()).toISOString(), late } };
    },
  };
}

/**
 * The daily digest: the user's open tasks due by the end of their day (overdue ones too), at the
 * hour they chose. After downtime only one digest goes, for today, and the next is tomorrow's.
 */
export function digestWorker(
  table: Table,
  settings: NotificationSettingsService,
  deliverer: Deliverer,
  clock: Clock,
): DueWorker {
  return {
    kind: 'digest',
    async work({ item, lateMs, record }): Promise<Outcome> {
      const sub = item.sub as string;
      const current = await settings.get(sub);
      if (!current.digest.enabled) return { drop: true };
      const zone = current.timeZone;
      const now = clock.now();
      const day = localDayBounds(now, zone);
      const page = await table.query({
        index: 'GSI1',
        partition: facetPartition(sub, OPEN),
        sort: { lessThan: day.end },
        limit: DIGEST_MAX_TASKS,
      });
      const tasks = page.items as unknown as Array<TaskFields & { id: string }>;
      if (tasks.length > 0) {
        const overdue = tasks.filter((t) => (t.dueAt as string) < new Date(now).toISOString()).length;
        const date = day.start.slice(0, 10);
        await deliverer.deliver(
          sub,
          {
            key: `digest.${Date.parse(day.start)}`,
            at: item.dueAt as string,
            kind: 'digest',
            title: `Today: ${tasks.length} task${tasks.length === 1 ? '' : 's'}${overdue ? `, ${overdue} overdue` : ''}`,
            lines: [
              `Your open tasks due by the end of today${overdue ? ' (and those overdue)' : ''}:`,
              ...tasks.map((t) => `• ${t.title}, due ${humanTime(t.dueAt as string, zone)}`),
            ],
            sms: `Stratus: ${tasks.length} task${tasks.length === 1 ? '' : 's'} today${overdue ? `, ${overdue} overdue` : ''}`,
            link: '/tasks',
            late: lateMs > LATE_AFTER_MS,
          },
          date === item.digestDate ? sentOf(item) : {},
          (channel, messageId) => record({ digestDate: date, [`sent_${channel}`]: messageId }),
        );
      }
      return {
        next: nextLocalHour(now, current.digest.hour, zone),
        set: { lastSentAt: new Date(now).toISOString() },
      };
    },
  };
}
