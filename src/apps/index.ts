import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.ts';
import type { Clock } from '../platform/clock.ts';
import type { StreamHandler } from '../platform/stream.ts';
import type { Table } from '../platform/table.ts';
import { bookmarkRoutes } from './bookmarks/routes.ts';
import { BookmarkService } from './bookmarks/service.ts';
import { noteRoutes } from './notes/routes.ts';
import { NoteService } from './notes/service.ts';
import { siteRoutes } from './sites/routes.ts';
import { SiteService } from './sites/service.ts';
import { todoRoutes } from './todos/routes.ts';
import { TodoService } from './todos/service.ts';
import { deleteUserDataOnAccountRemoval } from './users/events.ts';

/** The ports every app is built on; each runtime (one machine, Lambda) plugs in its adapters. */
export interface AppPorts {
  table: Table;
  clock: Clock;
}

export interface Apps {
  /** HTTP routes of every app, mounted by the HTTP app. */
  routes: OpenAPIHono<AppEnv>[];
  /** Change-stream handlers (DynamoDB Streams on AWS). */
  streamHandlers: StreamHandler[];
}

/**
 * The apps, wired to ports: the one list of what Stratus serves, shared by the one-machine
 * runtime and the Lambda entry points. `signedIn` is the middleware chain of a signed-in route.
 */
export function composeApps(ports: AppPorts, signedIn: MiddlewareHandler<AppEnv>[]): Apps {
  const { table, clock } = ports;
  return {
    routes: [
      todoRoutes(new TodoService(table, clock), signedIn),
      noteRoutes(new NoteService(table, clock), signedIn),
      bookmarkRoutes(new BookmarkService(table, clock), signedIn),
      siteRoutes(new SiteService(table)),
    ],
    streamHandlers: [deleteUserDataOnAccountRemoval(table)],
  };
}
