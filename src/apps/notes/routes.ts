import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { crudRoutes } from '../common/routes.ts';
import { ChangeNote, CreateNote, NoteFilters, NoteSchema } from './model.ts';
import type { NoteService } from './service.ts';

export function noteRoutes(notes: NoteService, signedIn: MiddlewareHandler<AppEnv>[]) {
  return crudRoutes({
    path: '/v1/notes',
    tag: 'Notes',
    noun: 'note',
    signedIn,
    schemas: { create: CreateNote, change: ChangeNote, record: NoteSchema, filters: NoteFilters },
    service: notes,
  });
}
