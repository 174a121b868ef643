import type { Clock } from '../../platform/clock.ts';
import { unprocessable } from '../../platform/errors.ts';
import type { Item, QueryInput, SortCondition, Table } from '../../platform/table.ts';
import { OwnedCollection, type Patch, type RecordView } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import type { CrudService, Page } from '../common/routes.ts';
import { userPartition } from '../users/profile.ts';
import { ALL, facetOf, facetPartition, facetPrefix, OPEN, taskIndexKeys } from './keys.ts';
import type {
  ChangeTaskInput,
  CreateTaskInput,
  ReminderInputValue,
  StoredReminderFields,
  TaskFields,
  TaskFilterInput,
} from './model.ts';
import { before, humanTime, toInstant } from './time.ts';

export type TaskView = RecordView<TaskFields>;
type ListQuery = TaskFilterInput & { limit: number; cursor?: string | undefined };

/**
 * Tasks: `USER#<sub>` / `TASK#<ulid>`, with due times kept as UTC instants beside the time zone
 * they were given in. Reminders are stored with the instant each fires at; the change stream
 * turns them into scheduled items (`events.ts`), so this service only validates them.
 */
export class TaskService implements CrudService<TaskView, CreateTaskInput, ChangeTaskInput, TaskFilterInput> {
  readonly records: OwnedCollection<TaskFields>;

  constructor(
    table: Table,
    private readonly clock: Clock,
    /** The zone a task is read in when it names none: the user's notification settings. */
    private readonly defaultZone: (sub: string) => Promise<string>,
  ) {
    this.records = new OwnedCollection<TaskFields>(table, clock, {
      type: 'task',
      noun: 'task',
      indexes: (sub, id, task) => taskIndexKeys(sub, ALL, id, task),
    });
  }

  async create(sub: string, input: CreateTaskInput, idempotency?: IdempotentRequest) {
    const zone = input.timeZone ?? (await this.defaultZone(sub));
    const dueAt = input.dueAt === undefined ? undefined : toInstant(input.dueAt, zone, 'dueAt');
    const fields: TaskFields = {
      title: input.title,
      status: input.status,
      priority: input.priority,
      timeZone: zone,
      tags: input.tags,
      checklist: input.checklist,
      reminders: this.reminders(input.reminders, dueAt, zone, []),
      ...(input.description ? { description: input.description } : {}),
      ...(dueAt ? { dueAt } : {}),
      ...(input.list ? { list: input.list } : {}),
      ...(input.status === 'done' ? { completedAt: this.now() } : {}),
    };
    return this.records.create(sub, fields, idempotency);
  }

  get(sub: string, id: string) {
    return this.records.get(sub, id);
  }

  /** The user's own time zone (their notification settings'). */
  zoneOf(sub: string): Promise<string> {
    return this.defaultZone(sub);
  }

  /**
   * Applies a change; the due time, reminders and completion time are recomputed from the task
   * as it is, and written only if it is still that version (so they never mix two edits).
   */
  async update(sub: string, id: string, expected: number | '*', change: ChangeTaskInput): Promise<TaskView> {
    const current = await this.records.get(sub, id);
    const zone = change.timeZone ?? current.timeZone;
    const dueAt =
      change.dueAt === undefined
        ? current.dueAt
        : change.dueAt === null
          ? undefined
          : toInstant(change.dueAt, zone, 'dueAt');
    const reminderInput: ReminderInputValue[] =
      change.reminders ?? current.reminders.map((r) => (r.before ? { before: r.before } : { at: r.fireAt }));
    const reminders = this.reminders(
      reminderInput,
      dueAt,
      zone,
      current.reminders.map((r) => r.fireAt),
    );
    const status = change.status ?? current.status;
    const completedAt = status !== 'done' ? null : current.status === 'done' ? current.completedAt : this.now();
    const patch: Patch<TaskFields> = {
      ...change,
      timeZone: zone,
      dueAt: dueAt ?? null,
      reminders,
      completedAt: completedAt ?? null,
    };
    return this.records.update(sub, id, expected === '*' ? current.version : expected, patch);
  }

  async delete(sub: string, id: string, expected: number | '*') {
    await this.records.delete(sub, id, expected);
  }

  /**
   * One page: the most selective filter picks the facet (a tag, a list, open-and-overdue, a
   * status, a priority, or all tasks), the sort picks the key (created: the table's sort key;
   * due: GSI1; priority: GSI2), and a due range is a key condition when sorting by due. Other
   * filters are applied while paging, as a DynamoDB FilterExpression would.
   */
  async list(sub: string, query: ListQuery): Promise<Page<TaskView>> {
    const now = this.now();
    if (query.overdue && query.status === 'done') return { items: [] }; // done tasks are never overdue
    const facet = query.tag
      ? facetOf('tag', query.tag)
      : query.list
        ? facetOf('list', query.list)
        : query.overdue && !query.status
          ? OPEN
          : query.status
            ? facetOf('status', query.status)
            : query.priority
              ? facetOf('priority', query.priority)
              : ALL;
    const dueBefore = query.overdue ? minIso(now, query.dueBefore) : query.dueBefore;
    const source = sourceFor(sub, facet, query.sort, query.dueAfter, dueBefore);
    const keep = (item: Item) => {
      const task = item as unknown as TaskFields;
      if (query.status && task.status !== query.status) return false;
      if (query.overdue && task.status === 'done') return false;
      if (query.priority && task.priority !== query.priority) return false;
      if (query.tag && !task.tags.includes(query.tag)) return false;
      if (query.list && task.list?.toLowerCase() !== query.list.toLowerCase()) return false;
      if (query.dueAfter && !(task.dueAt && task.dueAt >= normal(query.dueAfter))) return false;
      if (dueBefore && !(task.dueAt && task.dueAt < normal(dueBefore))) return false;
      return true;
    };
    return this.records.list(source, query, keep);
  }

  /** Stored reminders, each with the instant it fires; a new one (not in `previous`) must be ahead. */
  private reminders(
    input: ReminderInputValue[],
    dueAt: string | undefined,
    zone: string,
    previous: string[],
  ): StoredReminderFields[] {
    const byFireAt = new Map<string, StoredReminderFields>();
    input.forEach((reminder, i) => {
      let stored: StoredReminderFields;
      if ('before' in reminder) {
        if (!dueAt) {
          throw unprocessable('ReminderNeedsDueTime', `reminders[${i}] is relative to the due time: set dueAt first`);
        }
        stored = { before: reminder.before, fireAt: before(dueAt, reminder.before.amount, reminder.before.unit, zone) };
      } else {
        const at = toInstant(reminder.at, zone, `reminders[${i}].at`);
        stored = { at, fireAt: at };
      }
      if (stored.fireAt <= this.now() && !previous.includes(stored.fireAt)) {
        throw unprocessable(
          'ReminderInPast',
          `reminders[${i}] would be sent at ${humanTime(stored.fireAt, zone)}, which has passed: choose a later time`,
        );
      }
      byFireAt.set(stored.fireAt, stored);
    });
    return [...byFireAt.values()].sort((a, b) => a.fireAt.localeCompare(b.fireAt));
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/** Instants compare as strings once they are all UTC with milliseconds. */
const normal = (instant: string) => new Date(instant).toISOString();
const minIso = (a: string, b: string | undefined) => (b && normal(b) < a ? normal(b) : a);

function sourceFor(
  sub: string,
  facet: string,
  sort: TaskFilterInput['sort'],
  dueAfter: string | undefined,
  dueBefore: string | undefined,
): Omit<QueryInput, 'limit' | 'cursor'> {
  if (sort === 'created') {
    const prefix = facet === ALL ? 'TASK#' : facetPrefix(facet);
    return { partition: userPartition(sub), sort: { beginsWith: prefix }, reverse: true };
  }
  if (sort === 'priority') return { index: 'GSI2', partition: facetPartition(sub, facet), reverse: false };
  const range = dueRange(dueAfter && normal(dueAfter), dueBefore && normal(dueBefore));
  return { index: 'GSI1', partition: facetPartition(sub, facet), reverse: false, ...(range ? { sort: range } : {}) };
}

/** Due keys are `<instant>#<id>`: "before" excludes the instant itself. */
function dueRange(after: string | undefined, beforeAt: string | undefined): SortCondition | undefined {
  if (after && beforeAt) return { between: [after, beforeAt] };
  if (after) return { greaterThanOrEqual: after };
  if (beforeAt) return { lessThan: beforeAt };
  return undefined;
}
