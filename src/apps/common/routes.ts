import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { expectedVersion, noneMatch } from '../../http/conditional.ts';
import type { AppEnv } from '../../http/context.ts';
import { setHeader } from '../../http/headers.ts';
import { pageJson, recordJson } from '../../http/json.ts';
import { jsonBody, jsonResponse, problems, router } from '../../http/openapi.ts';
import { etagOf } from './collection.ts';
import { type IdempotentRequest, idempotentRequest } from './idempotency.ts';
import { IdParam, PageQuery } from './model.ts';

export type Page<V> = { items: V[]; nextCursor?: string };

/** What the record routes need of a record's view: its id and its version (the ETag). */
export interface Versioned {
  id: string;
  version: number;
}

/** What an app's service offers for the standard record routes. */
export interface CrudService<V extends Versioned, Create, Change, Filters> {
  /** Absent when records are made another way (photos come from uploads). */
  create?(sub: string, body: Create, idempotency?: IdempotentRequest): Promise<{ record: V; replayed: boolean }>;
  list(sub: string, query: Filters & { limit: number; cursor?: string | undefined }): Promise<Page<V>>;
  get(sub: string, id: string): Promise<V>;
  update(sub: string, id: string, version: number | '*', change: Change): Promise<V>;
  delete(sub: string, id: string, version: number | '*'): Promise<void>;
}

export interface CrudRoutesOptions<V extends Versioned, Create, Change, Filters> {
  /** The collection's path, e.g. `/v1/todos`. */
  path: string;
  /** The OpenAPI tag, e.g. `To-dos`. */
  tag: string;
  noun: string;
  /** Authentication and usage-plan middleware, in order. */
  signedIn: MiddlewareHandler<AppEnv>[];
  schemas: {
    create?: z.ZodType<Create>;
    change: z.ZodType<Change>;
    record: z.ZodType;
    /** Filters beside `limit` and `cursor`. */
    filters: z.ZodObject;
  };
  service: CrudService<V, Create, Change, Filters>;
  /** The record's view carries signed URLs that expire: a read is never answered from a cache (no 304). */
  holdsExpiringUrls?: boolean;
}

const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: 'A unique key (a UUID) per create: a retry with it returns the first result' }),
});
const ifMatchHeader = (required: boolean) =>
  z.object({
    'if-match': z
      .string()
      .optional()
      .openapi({
        description: `The ETag you last read${required ? ' (required: a stale one is refused with 412)' : ''}`,
      }),
  });

/**
 * The standard routes of a user's record collection: create (idempotent), list (cursor pages,
 * filters), get (ETag, 304), update (If-Match required) and delete (If-Match honoured).
 */
export function crudRoutes<V extends Versioned, Create, Change, Filters>(
  options: CrudRoutesOptions<V, Create, Change, Filters>,
): OpenAPIHono<AppEnv> {
  const { path, noun, service, schemas } = options;
  const app = router();
  const common = { tags: [options.tag], security: [{ Bearer: [] }], middleware: options.signedIn };
  const recordResponse = (description: string) => ({
    ...jsonResponse(schemas.record, description),
    headers: z.object({ ETag: z.string() }),
  });
  const notFound = { 404: { ...problems[401], description: `No such ${noun} (or not yours)` } };
  const stale = { 412: { ...problems[400], description: 'The If-Match ETag is stale: read again and retry' } };
  const sub = (c: Context<AppEnv>) => c.get('caller').sub;

  const create = service.create?.bind(service);
  const createSchema = schemas.create;
  if (create && createSchema) {
    app.openapi(
      createRoute({
        ...common,
        method: 'post',
        path,
        summary: `Create a ${noun}`,
        request: { ...jsonBody(createSchema), headers: idempotencyHeader },
        responses: { 201: recordResponse(`The new ${noun}`), ...problems },
      }),
      async (c) => {
        const body = c.req.valid('json') as Create;
        const idempotency = idempotentRequest(c.req.header('idempotency-key'), `POST ${path}`, body);
        const { record, replayed } = await create(sub(c), body, idempotency);
        setHeader(c, 'Location', `${path}/${record.id}`);
        setHeader(c, 'ETag', etagOf(record.version));
        if (replayed) setHeader(c, 'Idempotent-Replayed', 'true');
        return c.json(record, 201);
      },
    );
  }

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path,
      summary: `List your ${noun}s`,
      request: { query: PageQuery.extend(schemas.filters.shape) },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(schemas.record), nextCursor: z.string().optional() }),
          'One page; pass nextCursor as cursor for the next',
        ),
        ...problems,
      },
    }),
    async (c) => pageJson(c, await service.list(sub(c), c.req.valid('query') as never)),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: `${path}/{id}`,
      summary: `Read a ${noun}`,
      request: { params: IdParam },
      responses: { 200: recordResponse(`The ${noun}`), 304: { description: 'Not modified' }, ...notFound, ...problems },
    }),
    async (c) => {
      const record = await service.get(sub(c), c.req.valid('param').id);
      const etag = etagOf(record.version);
      setHeader(c, 'ETag', etag);
      if (options.holdsExpiringUrls) {
        // A kept copy would outlive its signed URLs while the version stays the same.
        setHeader(c, 'Cache-Control', 'no-store');
      } else {
        setHeader(c, 'Cache-Control', 'private, no-cache');
        if (noneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304);
      }
      return recordJson(c, record);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'patch',
      path: `${path}/{id}`,
      summary: `Change a ${noun} (send If-Match)`,
      request: { params: IdParam, headers: ifMatchHeader(true), ...jsonBody(schemas.change) },
      responses: {
        200: recordResponse(`The changed ${noun}`),
        ...notFound,
        ...stale,
        428: { ...problems[400], description: 'If-Match is missing' },
        ...problems,
      },
    }),
    async (c) => {
      const version = expectedVersion(c.req.header('if-match'), true);
      const change = c.req.valid('json') as Change;
      const record = await service.update(sub(c), c.req.valid('param').id, version, change);
      setHeader(c, 'ETag', etagOf(record.version));
      return c.json(record, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: `${path}/{id}`,
      summary: `Delete a ${noun}`,
      request: { params: IdParam, headers: ifMatchHeader(false) },
      responses: { 204: { description: 'Deleted' }, ...notFound, ...stale, ...problems },
    }),
    async (c) => {
      const version = expectedVersion(c.req.header('if-match'), false);
      await service.delete(sub(c), c.req.valid('param').id, version);
      return c.body(null, 204);
    },
  );

  return app;
}
