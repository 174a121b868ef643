/**
 * The task manager's items, all in the owner's partition (`USER#<sub>`), so deleting an account
 * deletes them with it:
 *
 * | item | SK | index keys |
 * |---|---|---|
 * | task | `TASK#<ulid>` (created order) | GSI1 `…#TASKVIEW#all` by due, GSI2 the same by priority |
 * | filter view (copy) | `TASKVIEW#<facet>#<ulid>` | GSI1/GSI2 `…#TASKVIEW#<facet>` by due / priority |
 * | reminder | `REMINDER#<taskId>#<fireAt>` | GSI1 `SCHEDULE#<hour>` / `<fireAt>#…` while unsent |
 * | attachment | `TASKFILE#<taskId>#<ulid>` | |
 * | daily counters | `TASKSTATS#<date>` | |
 *
 * Each filter (a status, "open", a priority, a list, a tag) is a facet: a copy of the task kept
 * by the change stream under the facet's partition, so any filter with any sort is one query.
 */
import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';
import type { TaskFields, TaskPriority } from './model.ts';

export const taskKey = (sub: string, id: string): Key => ({ PK: userPartition(sub), SK: `TASK#${id}` });

/** A facet name is safe inside a key: `#` and other separators in tags are percent-encoded. */
export const facetOf = (kind: 'status' | 'priority' | 'list' | 'tag', value: string) =>
  `${kind}:${encodeURIComponent(value.toLowerCase())}`;
export const ALL = 'all';
export const OPEN = 'open';

export const facetPartition = (sub: string, facet: string) => `${userPartition(sub)}#TASKVIEW#${facet}`;
export const facetPrefix = (facet: string) => `TASKVIEW#${facet}#`;
export const facetKey = (sub: string, facet: string, id: string): Key => ({
  PK: userPartition(sub),
  SK: `${facetPrefix(facet)}${id}`,
});

/** Every facet a task is in, beside `all` (the task item itself). */
export function facetsOf(task: Pick<TaskFields, 'status' | 'priority' | 'list' | 'tags'>): string[] {
  return [
    facetOf('status', task.status),
    ...(task.status === 'done' ? [] : [OPEN]),
    facetOf('priority', task.priority),
    ...(task.list ? [facetOf('list', task.list)] : []),
    ...task.tags.map((tag) => facetOf('tag', tag)),
  ];
}

const PRIORITY_RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

/** Sorts by due time, soonest first, undated last (`~` sorts after every digit). */
export const dueSortKey = (id: string, dueAt: string | undefined) => `${dueAt ?? '~'}#${id}`;
export const prioritySortKey = (id: string, priority: TaskPriority, dueAt: string | undefined) =>
  `${PRIORITY_RANK[priority]}#${dueSortKey(id, dueAt)}`;

/** The index keys of a task (or of one of its facet copies). */
export function taskIndexKeys(sub: string, facet: string, id: string, task: Pick<TaskFields, 'priority' | 'dueAt'>) {
  const partition = facetPartition(sub, facet);
  return {
    GSI1PK: partition,
    GSI1SK: dueSortKey(id, task.dueAt),
    GSI2PK: partition,
    GSI2SK: prioritySortKey(id, task.priority, task.dueAt),
  };
}

export const reminderPrefix = (taskId: string) => `REMINDER#${taskId}#`;
export const reminderKey = (sub: string, taskId: string, fireAt: string): Key => ({
  PK: userPartition(sub),
  SK: `${reminderPrefix(taskId)}${fireAt}`,
});

export const attachmentPrefix = (taskId: string) => `TASKFILE#${taskId}#`;
export const attachmentKey = (sub: string, taskId: string, id: string): Key => ({
  PK: userPartition(sub),
  SK: `${attachmentPrefix(taskId)}${id}`,
});
/** Where a task's files are: `users/<sub>/tasks/<taskId>/<attachmentId>`. */
export const attachmentFolder = (sub: string, taskId: string) => `users/${sub}/tasks/${taskId}/`;
export const attachmentObjectKey = (sub: string, taskId: string, id: string) => `${attachmentFolder(sub, taskId)}${id}`;

export function parseAttachmentObjectKey(key: string): { sub: string; taskId: string; id: string } | undefined {
  const match = /^users\/([^/]+)\/tasks\/([^/]+)\/([^/]+)$/.exec(key);
  return match ? { sub: match[1] as string, taskId: match[2] as string, id: match[3] as string } : undefined;
}

export const statsKey = (sub: string, date: string): Key => ({ PK: userPartition(sub), SK: `TASKSTATS#${date}` });
