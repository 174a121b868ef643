import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { jsonBody, jsonResponse, problems, router } from '../../http/openapi.ts';
import {
  AnyPathQuery,
  FileEntrySchema,
  FileUploadSchema,
  ListFilesQuery,
  MoveRequest,
  PathQuery,
  UploadRequest,
  UsageSchema,
} from './model.ts';
import type { FileService } from './service.ts';

/** `/v1/files`: the signed-in user's private folder. */
export function fileRoutes(files: FileService, signedIn: MiddlewareHandler<AppEnv>[]) {
  const app = router();
  const common = { tags: ['Files'], security: [{ Bearer: [] }], middleware: signedIn };
  const missing = { 404: { ...problems[400], description: 'No such file or folder' } };

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/files/uploads',
      summary: 'A pre-signed upload URL for one file (send the bytes there, with the given headers)',
      request: jsonBody(UploadRequest),
      responses: {
        201: jsonResponse(FileUploadSchema, 'Upload with this URL before expiresAt'),
        413: { ...problems[400], description: 'The file is over the size limit, or the quota would be exceeded' },
        ...problems,
      },
    }),
    async (c) => c.json(await files.presignUpload(c.get('caller').sub, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/files',
      summary: 'List a folder: its folders, then its files, by name',
      request: { query: ListFilesQuery },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(FileEntrySchema), nextCursor: z.string().optional() }),
          'One page of the folder',
        ),
        ...problems,
      },
    }),
    async (c) => {
      const { prefix, limit, cursor } = c.req.valid('query');
      return c.json(await files.list(c.get('caller').sub, prefix ?? '', { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/files/usage',
      summary: 'Bytes and files stored, against the quota',
      responses: { 200: jsonResponse(UsageSchema, 'Usage'), ...problems },
    }),
    async (c) => c.json(await files.usage(c.get('caller').sub), 200),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/files/download',
      summary: 'A pre-signed download URL for one file (short-lived)',
      request: { query: PathQuery },
      responses: {
        200: jsonResponse(z.object({ url: z.string(), expiresAt: z.string() }), 'Download from this URL'),
        ...missing,
        ...problems,
      },
    }),
    async (c) => c.json(await files.downloadUrl(c.get('caller').sub, c.req.valid('query').path), 200),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/files/move',
      summary: 'Rename or move a file, or a folder (paths ending in /)',
      request: jsonBody(MoveRequest),
      responses: {
        200: jsonResponse(z.object({ moved: z.number() }), 'How many files moved'),
        409: { ...problems[400], description: 'Something is already at the target path' },
        ...missing,
        ...problems,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('json');
      return c.json(await files.move(c.get('caller').sub, from, to), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/v1/files',
      summary: 'Delete a file, or a folder (a path ending in /) with everything in it',
      request: { query: AnyPathQuery },
      responses: {
        200: jsonResponse(z.object({ deleted: z.number() }), 'How many files went'),
        ...missing,
        ...problems,
      },
    }),
    async (c) => c.json(await files.remove(c.get('caller').sub, c.req.valid('query').path), 200),
  );

  return app;
}
