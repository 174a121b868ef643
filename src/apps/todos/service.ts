import type { Clock } from '../../platform/clock.ts';
import type { Item, Table } from '../../platform/table.ts';
import { OwnedCollection, type Patch } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import type { CrudService } from '../common/routes.ts';
import { userPartition } from '../users/profile.ts';
import type { ChangeTodoInput, CreateTodoInput, TodoFields, TodoFilterInput } from './model.ts';

/**
 * To-dos: `USER#<sub>` / `TODO#<ulid>`, newest first by the sort key. Open and done to-dos
 * are also in GSI1 under `USER#<sub>#TODO#open|done`, so the app's main screen (the open
 * ones) is one index query, not a filtered scan. A tag filter is applied while paging.
 */
export class TodoService implements CrudService<TodoFields, CreateTodoInput, ChangeTodoInput, TodoFilterInput> {
  private readonly todos: OwnedCollection<TodoFields>;

  constructor(table: Table, clock: Clock) {
    this.todos = new OwnedCollection<TodoFields>(table, clock, {
      type: 'todo',
      noun: 'to-do',
      indexes: (sub, id, todo) => ({ GSI1PK: stateIndex(sub, todo.done), GSI1SK: `TODO#${id}` }),
    });
  }

  create(sub: string, input: CreateTodoInput, idempotency?: IdempotentRequest) {
    return this.todos.create(sub, withoutUndefined(input), idempotency);
  }

  list(sub: string, query: TodoFilterInput & { limit: number; cursor?: string | undefined }) {
    const { done, tag } = query;
    const source =
      done === undefined ? this.todos.basePartition(sub) : { index: 'GSI1' as const, partition: stateIndex(sub, done) };
    const keep = tag === undefined ? undefined : (item: Item) => (item.tags as string[]).includes(tag);
    return this.todos.list(source, query, keep);
  }

  get(sub: string, id: string) {
    return this.todos.get(sub, id);
  }

  update(sub: string, id: string, version: number | '*', change: ChangeTodoInput) {
    return this.todos.update(sub, id, version, change as Patch<TodoFields>);
  }

  async delete(sub: string, id: string, version: number | '*') {
    await this.todos.delete(sub, id, version);
  }
}

const stateIndex = (sub: string, done: boolean) => `${userPartition(sub)}#TODO#${done ? 'done' : 'open'}`;

/** Optional fields the client left out are not stored at all (DynamoDB has no `undefined`). */
export function withoutUndefined<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as never;
}
