import type { Clock } from '../../platform/clock.ts';
import type { Table } from '../../platform/table.ts';
import { OwnedCollection, type Patch } from '../common/collection.ts';
import { hasTag, RecordService } from '../common/record-service.ts';
import { userPartition } from '../users/profile.ts';
import type { TodoFields, TodoFilterInput } from './model.ts';

/**
 * To-dos: `USER#<sub>` / `TODO#<ulid>`, newest first by the sort key. Open and done to-dos
 * are also in GSI1 under `USER#<sub>#TODO#open|done`, so the app's main screen (the open
 * ones) is one index query, not a filtered scan. A tag filter is applied while paging.
 */
export class TodoService extends RecordService<TodoFields, Patch<TodoFields>, TodoFilterInput> {
  constructor(table: Table, clock: Clock) {
    super(
      new OwnedCollection<TodoFields>(table, clock, {
        type: 'todo',
        noun: 'to-do',
        indexes: (sub, id, todo) => ({ GSI1PK: stateIndex(sub, todo.done), GSI1SK: `TODO#${id}` }),
      }),
    );
  }

  list(sub: string, query: TodoFilterInput & { limit: number; cursor?: string | undefined }) {
    const source =
      query.done === undefined
        ? this.records.basePartition(sub)
        : { index: 'GSI1' as const, partition: stateIndex(sub, query.done) };
    return this.records.list(source, query, hasTag(query.tag));
  }
}

const stateIndex = (sub: string, done: boolean) => `${userPartition(sub)}#TODO#${done ? 'done' : 'open'}`;
