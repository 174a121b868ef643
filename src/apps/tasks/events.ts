import type { Clock } from '../../platform/clock.ts';
import type { ObjectEventHandler, ObjectStore } from '../../platform/objects.ts';
import { objectKeyOf } from '../../platform/objects.ts';
import { type ChangeRecord, forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import { ConditionFailedError, type Item, type Key, queryAll, type Table, when } from '../../platform/table.ts';
import { scheduleKeys } from '../common/schedule.ts';
import { userPartition } from '../users/profile.ts';
import type { AttachmentService } from './attachments.ts';
import {
  attachmentFolder,
  attachmentObjectKey,
  attachmentPrefix,
  facetKey,
  facetsOf,
  parseAttachmentObjectKey,
  reminderKey,
  reminderPrefix,
  taskIndexKeys,
  taskKey,
} from './keys.ts';
import type { TaskFields } from './model.ts';

/** A change to a task item (`USER#<sub>` / `TASK#<id>`), or undefined for any other item. */
export function taskChange(record: ChangeRecord): { sub: string; taskId: string } | undefined {
  const { PK, SK } = record.dynamodb.Keys;
  if (!PK.startsWith('USER#') || !SK.startsWith('TASK#')) return undefined;
  return { sub: PK.slice('USER#'.length), taskId: SK.slice('TASK#'.length) };
}

/**
 * Keeps what is derived from each task in step with it, from the change stream: its facet
 * copies (the filters' indexes), its scheduled reminders, and (when it is deleted) its
 * attachments. Each record is reconciled against the task as it is now, read consistently, so a
 * redelivered or late record can never bring back an older state.
 */
export function keepTaskViewsInStep(table: Table, objects: ObjectStore, clock: Clock): StreamHandler {
  return {
    name: 'tasks.keep-views-in-step',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        const change = taskChange(record);
        if (!change) return;
        const { sub, taskId } = change;
        const current = await table.get(taskKey(sub, taskId), { consistent: true });
        const images = [record.dynamodb.OldImage, record.dynamodb.NewImage, current].filter(
          (image): image is Item => image !== undefined,
        );
        await syncFacets(table, sub, taskId, current, images);
        await syncReminders(table, clock, sub, taskId, current);
        if (!current) await deleteAttachments(table, objects, sub, taskId);
      }),
  };
}

async function syncFacets(table: Table, sub: string, taskId: string, current: Item | undefined, images: Item[]) {
  const wanted = current ? facetsOf(current as unknown as TaskFields) : [];
  const seen = new Set(images.flatMap((image) => facetsOf(image as unknown as TaskFields)));
  const stale = [...seen].filter((facet) => !wanted.includes(facet));
  const puts = wanted.map((facet) => ({
    ...(current as Item),
    ...facetKey(sub, facet, taskId),
    ...taskIndexKeys(sub, facet, taskId, current as unknown as TaskFields),
  }));
  const deletes = stale.map((facet) => facetKey(sub, facet, taskId));
  if (puts.length + deletes.length > 0) await table.batchWrite({ puts, deletes });
}

/**
 * A reminder item per reminder of an open task. One that was due before the task's latest
 * change is not made again (a task reopened after its reminder time does not remind late);
 * sent ones stay as a record until they expire.
 */
async function syncReminders(table: Table, clock: Clock, sub: string, taskId: string, current: Item | undefined) {
  const task = current as unknown as (TaskFields & { updatedAt: string; version: number }) | undefined;
  const wanted =
    task && task.status !== 'done'
      ? task.reminders.map((r) => r.fireAt).filter((fireAt) => fireAt > (task.updatedAt as string))
      : [];
  const existing = await queryAll(table, {
    partition: userPartition(sub),
    sort: { beginsWith: reminderPrefix(taskId) },
  });
  for (const item of existing) {
    const unsent = item.GSI1PK !== undefined;
    if (!task || (unsent && !wanted.includes(item.dueAt as string))) await table.delete(keyOf(item));
  }
  const have = new Set(existing.map((item) => item.dueAt as string));
  for (const fireAt of wanted) {
    if (have.has(fireAt)) continue;
    try {
      await table.put(
        {
          ...reminderKey(sub, taskId, fireAt),
          type: 'reminder',
          kind: 'reminder',
          sub,
          taskId,
          dueAt: fireAt,
          ...scheduleKeys(fireAt, clock.now(), `${sub}#${taskId}`),
        },
        { condition: when.notExists() },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
}

async function deleteAttachments(table: Table, objects: ObjectStore, sub: string, taskId: string) {
  const items = await queryAll(table, {
    partition: userPartition(sub),
    sort: { beginsWith: attachmentPrefix(taskId) },
  });
  if (items.length > 0) await table.batchWrite({ deletes: items.map(keyOf) });
  await objects.deletePrefix(attachmentFolder(sub, taskId));
}

const keyOf = (item: Item): Key => ({ PK: item.PK, SK: item.SK });

/** A removed attachment item (deleted, or its task or account deleted) takes its bytes with it. */
export function deleteRemovedAttachments(objects: ObjectStore): StreamHandler {
  return {
    name: 'tasks.delete-removed-attachments',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        const { PK, SK } = record.dynamodb.Keys;
        if (record.eventName !== 'REMOVE' || !PK.startsWith('USER#') || !SK.startsWith('TASKFILE#')) return;
        const [, taskId, id] = SK.split('#');
        if (taskId && id) await objects.delete(attachmentObjectKey(PK.slice('USER#'.length), taskId, id));
      }),
  };
}

/** Records an attachment's size when its bytes land (S3 notifications on AWS, the queue locally). */
export function recordAttachmentUploads(attachments: AttachmentService): ObjectEventHandler {
  return {
    name: 'tasks.record-attachment-uploads',
    handle: async (record) => {
      const key = objectKeyOf(record);
      const target = parseAttachmentObjectKey(key);
      if (!target) return;
      if (record.eventName.startsWith('ObjectCreated'))
        await attachments.uploaded(target.sub, target.taskId, target.id);
    },
  };
}
