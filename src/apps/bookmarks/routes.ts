import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { crudRoutes } from '../common/routes.ts';
import { BookmarkFilters, BookmarkSchema, ChangeBookmark, CreateBookmark } from './model.ts';
import type { BookmarkService } from './service.ts';

export function bookmarkRoutes(bookmarks: BookmarkService, signedIn: MiddlewareHandler<AppEnv>[]) {
  return crudRoutes({
    path: '/v1/bookmarks',
    tag: 'Bookmarks',
    noun: 'bookmark',
    signedIn,
    schemas: { create: CreateBookmark, change: ChangeBookmark, record: BookmarkSchema, filters: BookmarkFilters },
    service: bookmarks,
  });
}
