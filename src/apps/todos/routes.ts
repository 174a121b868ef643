import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { crudRoutes } from '../common/routes.ts';
import { ChangeTodo, CreateTodo, TodoFilters, TodoSchema } from './model.ts';
import type { TodoService } from './service.ts';

export function todoRoutes(todos: TodoService, signedIn: MiddlewareHandler<AppEnv>[]) {
  return crudRoutes({
    path: '/v1/todos',
    tag: 'To-dos',
    noun: 'to-do',
    signedIn,
    schemas: { create: CreateTodo, change: ChangeTodo, record: TodoSchema, filters: TodoFilters },
    service: todos,
  });
}
