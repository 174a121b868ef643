import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { setHeader } from '../../http/headers.ts';
import { jsonBody, jsonResponse, problems, router } from '../../http/openapi.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Table } from '../../platform/table.ts';
import { SORTABLE_ID } from '../common/ids.ts';
import { Filename, PresignedUploadSchema } from '../common/model.ts';
import { crudRoutes } from '../common/routes.ts';
import { readAnalytics } from './analytics.ts';
import type { AttachmentService } from './attachments.ts';
import { ChangeTask, CreateTask, TaskFilters, TaskSchema } from './model.ts';
import type { TaskService } from './service.ts';
import { localDate } from './time.ts';

const sub = (c: Context<AppEnv>) => c.get('caller').sub;
const Id = z.string().regex(SORTABLE_ID, 'must be an id returned by this API');
const TaskIdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });
const AttachmentParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  attachmentId: Id.openapi({ param: { name: 'attachmentId', in: 'path' } }),
});
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-22')
  .refine((value) => new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'is not a real date');

const AttachmentSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    status: z.enum(['pending', 'ready']),
    createdAt: z.string(),
    download: z.object({ url: z.string(), expiresAt: z.string() }).optional(),
  })
  .openapi('TaskAttachment');

const AnalyticsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    created: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()),
    byPriority: z.record(z.string(), z.number().int()),
    completionRate: z.number().nullable(),
    completed: z.number().int(),
    medianHoursToComplete: z.number().nullable(),
    overdue: z.number().int(),
    days: z.array(z.object({ date: z.string(), created: z.number().int(), completed: z.number().int() })),
  })
  .openapi('TaskAnalytics');

/** `/v1/tasks`: the task records, their attachments, and analytics. */
export function taskRoutes(
  services: { tasks: TaskService; attachments: AttachmentService; table: Table; clock: Clock },
  signedIn: MiddlewareHandler<AppEnv>[],
) {
  const { tasks, attachments } = services;
  const app = router();
  const common = { tags: ['Tasks'], security: [{ Bearer: [] }], middleware: signedIn };
  const notFound = { 404: { ...problems[401], description: 'No such task or attachment (or not yours)' } };

  // Not `/v1/tasks/analytics`: a static GET beside `/v1/tasks/{id}` is more than Hono's RegExpRouter
  // takes, and one such route moves every route of the app to the slower TrieRouter.
  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/task-analytics',
      summary: 'Counts, completion rate, time to complete and the daily trend of a period',
      description:
        'Dates are days in your notification settings’ time zone; the last 30 days when absent. Counts by status and priority, and the completion rate, are of the tasks created in the period; `completed` and the median are of the tasks completed in it; `overdue` is now.',
      request: { query: z.object({ from: IsoDate.optional(), to: IsoDate.optional() }) },
      responses: { 200: jsonResponse(AnalyticsSchema, 'The period’s figures'), ...problems },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const zone = await tasks.zoneOf(sub(c));
      const now = services.clock.now();
      const to = query.to ?? localDate(now, zone);
      const from = query.from ?? localDate(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000, 'UTC');
      setHeader(c, 'Cache-Control', 'private, no-cache');
      return c.json(await readAnalytics(services.table, services.clock, sub(c), { from, to }), 200);
    },
  );

  app.route(
    '/',
    crudRoutes({
      path: '/v1/tasks',
      tag: 'Tasks',
      noun: 'task',
      signedIn,
      schemas: { create: CreateTask, change: ChangeTask, record: TaskSchema, filters: TaskFilters },
      service: tasks,
    }),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/tasks/{id}/attachments',
      summary: 'Attach a file: the pending attachment, and a pre-signed URL to send its bytes to',
      request: {
        params: TaskIdParam,
        ...jsonBody(
          z
            .object({
              filename: Filename,
              contentType: z.string().min(3).max(255).openapi({ example: 'application/pdf' }),
              size: z.number().int('must be a whole number of bytes').min(0, 'must not be negative'),
            })
            .strict()
            .openapi('TaskAttachmentRequest'),
        ),
      },
      responses: {
        201: jsonResponse(z.object({ attachment: AttachmentSchema, upload: PresignedUploadSchema }), 'Upload there'),
        413: { ...problems[400], description: 'Larger than an attachment may be' },
        422: { ...problems[400], description: 'The task has as many attachments as it may' },
        ...notFound,
        ...problems,
      },
    }),
    async (c) => {
      const result = await attachments.startUpload(sub(c), c.req.valid('param').id, c.req.valid('json'));
      return c.json(result, 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/tasks/{id}/attachments',
      summary: "A task's attachments, each ready one with a 5-minute download link",
      request: { params: TaskIdParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(AttachmentSchema) }), 'The files'),
        ...notFound,
        ...problems,
      },
    }),
    async (c) => {
      setHeader(c, 'Cache-Control', 'no-store');
      return c.json({ items: await attachments.list(sub(c), c.req.valid('param').id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/v1/tasks/{id}/attachments/{attachmentId}',
      summary: 'Remove an attachment (its bytes go with it)',
      request: { params: AttachmentParams },
      responses: { 204: { description: 'Removed' }, ...notFound, ...problems },
    }),
    async (c) => {
      const { id, attachmentId } = c.req.valid('param');
      await attachments.delete(sub(c), id, attachmentId);
      return c.body(null, 204);
    },
  );

  return app;
}
