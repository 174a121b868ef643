/**
 * The operator console's one-machine parts, behind the same admins-only chain as `/v1/admin/*`:
 * the event queue and its dead letters (inspect, replay, drop), the change stream's lag and
 * dead letters, the mail/SMS outbox, and the last hour's request metrics. On AWS the same
 * views come from SQS, CloudWatch and SES, so these routes exist on one machine only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { OutboxNotifier } from '../adapters/local/outbox-notifier.ts';
import type { SqliteQueue } from '../adapters/local/sqlite-queue.ts';
import type { LocalStreamDispatcher } from '../adapters/local/stream-dispatcher.ts';
import type { AuditLog } from '../apps/admin/audit.ts';
import { auditedBy, notAdmin } from '../apps/admin/routes.ts';
import type { AppEnv } from '../http/context.ts';
import { jsonResponse, problem, problems, router } from '../http/openapi.ts';
import type { RouteMetrics } from '../http/route-metrics.ts';
import { notFound } from '../platform/errors.ts';

const tags = ['Operator console'];
const IdParam = z.object({ id: z.coerce.number().int().min(1) });
const json = (description: string) => jsonResponse(z.record(z.string(), z.unknown()), description);

export interface OperatorParts {
  queue: SqliteQueue;
  dispatcher: LocalStreamDispatcher;
  outbox: OutboxNotifier;
  metrics: RouteMetrics;
  audit: AuditLog;
  adminOnly: MiddlewareHandler<AppEnv>[];
}

export function operatorRoutes(parts: OperatorParts) {
  const { queue, dispatcher, outbox, metrics } = parts;
  const app = router();
  const asAdmin = { security: [{ Bearer: [] }], middleware: parts.adminOnly };
  const audited = auditedBy(parts.audit);
  const refused = { ...notAdmin, ...problems };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/queue',
      tags,
      summary: 'The event queue: deliveries waiting, dead letters; the change stream: lag and dead letters',
      ...asAdmin,
      responses: { 200: json('The queue and the stream'), ...refused },
    }),
    (c) =>
      c.json(
        {
          depth: queue.depth(),
          deadLetters: queue.deadLetters(),
          streamLag: dispatcher.lag(),
          streamDeadLetters: dispatcher.deadLetters(),
        },
        200,
      ),
  );

  const deadLetter = (method: 'post' | 'delete', path: string, summary: string, action: 'replay' | 'drop') =>
    app.openapi(
      createRoute({
        method,
        path,
        tags,
        summary,
        ...asAdmin,
        request: { params: IdParam },
        responses: { 204: { description: 'Done' }, 404: problem('No dead letter has this id'), ...refused },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const letter = queue.deadLetters().find((d) => d.id === id);
        if (!letter) throw notFound('No dead letter has this id (replayed or dropped already?)');
        await audited(c, {
          action: `queue.${action}`,
          target: String(id),
          details: { handler: letter.handler, topic: letter.topic },
        });
        if (!(action === 'replay' ? queue.replay(id) : queue.drop(id))) throw notFound('No dead letter has this id');
        return c.body(null, 204);
      },
    );
  deadLetter(
    'post',
    '/v1/admin/queue/dead-letters/{id}/replay',
    'Put a dead letter back with fresh attempts',
    'replay',
  );
  deadLetter('delete', '/v1/admin/queue/dead-letters/{id}', 'Forget a dead letter for good', 'drop');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/outbox',
      tags,
      summary: 'Mail and SMS sent on this machine, newest first',
      ...asAdmin,
      request: { query: z.object({ to: z.string().max(320).optional() }) },
      responses: { 200: json('The messages'), ...refused },
    }),
    async (c) => {
      const { to } = c.req.valid('query');
      return c.json({ messages: await outbox.list(to ? { to } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/metrics',
      tags,
      summary: 'The last hour per route (requests/s, p50/p99 latency, error rate), queue depth and stream lag',
      ...asAdmin,
      responses: { 200: json('The metrics'), ...refused },
    }),
    (c) => c.json(metrics.snapshot() as unknown as Record<string, unknown>, 200),
  );

  return app;
}
