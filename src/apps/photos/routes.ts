import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { setHeader } from '../../http/headers.ts';
import { jsonBody, jsonResponse, problems, router } from '../../http/openapi.ts';
import { notFound } from '../../platform/errors.ts';
import { idempotentRequest } from '../common/idempotency.ts';
import { PageQuery, PresignedUploadSchema } from '../common/model.ts';
import { crudRoutes } from '../common/routes.ts';
import type { AlbumService } from './albums.ts';
import type { AvatarService } from './avatars.ts';
import {
  AlbumChange,
  AlbumCreate,
  AlbumPhotoParams,
  AlbumSchema,
  AvatarUploadRequest,
  CaptionChange,
  PhotoId,
  PhotoListQuery,
  PhotoSchema,
  PhotoUploadRequest,
  ShareCreate,
  SharedSchema,
  ShareSchema,
  ShareToken,
} from './model.ts';
import type { PhotoService } from './service.ts';
import type { ShareService } from './shares.ts';

const sub = (c: Context<AppEnv>) => c.get('caller').sub;
const tooLarge = { 413: { ...problems[400], description: 'Over the size limit' } };
const unsupported = {
  415: { ...problems[400], description: 'Not a photo type Stratus reads (JPEG, PNG, WebP, AVIF)' },
};

/** `/v1/photos`, `/v1/albums`, `/v1/shares` (signed in) and `/v1/shared/<token>` (anyone with the link). */
export function photoRoutes(
  services: { photos: PhotoService; albums: AlbumService; shares: ShareService },
  signedIn: MiddlewareHandler<AppEnv>[],
) {
  const { photos, albums, shares } = services;
  const app = router();
  const common = { security: [{ Bearer: [] }], middleware: signedIn };

  app.openapi(
    createRoute({
      ...common,
      tags: ['Photos'],
      method: 'post',
      path: '/v1/photos/uploads',
      summary: 'Start a photo upload: the pending photo, and a pre-signed URL to send its bytes to',
      description:
        'Send the bytes to `upload.url` with `upload.method` and `upload.headers` (and `upload.fields` for a POST) before `upload.expiresAt`. The photo is `pending` until processing makes it `ready` (or `failed`, with `failure` saying why).',
      request: {
        ...jsonBody(PhotoUploadRequest),
        headers: z.object({ 'idempotency-key': z.string().optional() }),
      },
      responses: {
        201: jsonResponse(z.object({ photo: PhotoSchema, upload: PresignedUploadSchema }), 'Upload the bytes there'),
        409: { ...problems[400], description: 'The Idempotency-Key belongs to a photo already uploaded' },
        ...tooLarge,
        ...unsupported,
        ...problems,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const idempotency = idempotentRequest(c.req.header('idempotency-key'), 'POST /v1/photos/uploads', body);
      const { photo, upload, replayed } = await photos.startUpload(sub(c), body, idempotency);
      setHeader(c, 'Location', `/v1/photos/${photo.id}`);
      if (replayed) setHeader(c, 'Idempotent-Replayed', 'true');
      return c.json({ photo, upload }, 201);
    },
  );

  app.route(
    '/',
    crudRoutes({
      path: '/v1/photos',
      tag: 'Photos',
      noun: 'photo',
      signedIn,
      schemas: { change: CaptionChange, record: PhotoSchema, filters: PhotoListQuery },
      holdsExpiringUrls: true,
      service: {
        list: (owner, query) => photos.list(owner, query),
        get: (owner, id) => photos.get(owner, id),
        update: (owner, id, version, change) => photos.setCaption(owner, id, version, change.caption),
        delete: (owner, id, version) => photos.delete(owner, id, version),
      },
    }),
  );

  app.route(
    '/',
    crudRoutes({
      path: '/v1/albums',
      tag: 'Albums',
      noun: 'album',
      signedIn,
      schemas: { create: AlbumCreate, change: AlbumChange, record: AlbumSchema, filters: z.object({}) },
      service: albums,
      holdsExpiringUrls: true,
    }),
  );

  app.openapi(
    createRoute({
      ...common,
      tags: ['Albums'],
      method: 'get',
      path: '/v1/albums/{id}/photos',
      summary: "An album's photos, newest first",
      request: { params: AlbumPhotoParams.pick({ id: true }), query: PageQuery },
      responses: {
        200: jsonResponse(z.object({ items: z.array(PhotoSchema), nextCursor: z.string().optional() }), 'One page'),
        ...problems,
      },
    }),
    async (c) => c.json(await albums.photosOf(sub(c), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  for (const [method, change] of [
    ['put', 'add'],
    ['delete', 'remove'],
  ] as const) {
    app.openapi(
      createRoute({
        ...common,
        tags: ['Albums'],
        method,
        path: '/v1/albums/{id}/photos/{photoId}',
        summary:
          change === 'add'
            ? 'Put a photo in the album (again: no change)'
            : 'Take a photo out of the album (it stays in your photos)',
        request: { params: AlbumPhotoParams },
        responses: { 200: jsonResponse(AlbumSchema, 'The album as it is now'), ...problems },
      }),
      async (c) => {
        const { id, photoId } = c.req.valid('param');
        const album =
          change === 'add' ? await albums.addPhoto(sub(c), id, photoId) : await albums.removePhoto(sub(c), id, photoId);
        return c.json(album, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      ...common,
      tags: ['Sharing'],
      method: 'post',
      path: '/v1/shares',
      summary: 'Make a read-only link to a photo or an album, optionally expiring',
      request: jsonBody(ShareCreate),
      responses: { 201: jsonResponse(ShareSchema, 'The link: anyone holding its url can look'), ...problems },
    }),
    async (c) => c.json(await shares.create(sub(c), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      ...common,
      tags: ['Sharing'],
      method: 'get',
      path: '/v1/shares',
      summary: 'Your share links: all, or those of one photo or album',
      request: {
        query: z.object({
          kind: z.enum(['photo', 'album']).optional(),
          id: PhotoId.optional().openapi({ description: 'The photo or album id (with kind)' }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ShareSchema) }), 'The links, newest first'),
        ...problems,
      },
    }),
    async (c) => {
      const { kind, id } = c.req.valid('query');
      return c.json({ items: await shares.list(sub(c), kind && id ? { kind, id } : undefined) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      tags: ['Sharing'],
      method: 'delete',
      path: '/v1/shares/{token}',
      summary: 'Turn a share link off, at once',
      request: { params: ShareToken },
      responses: { 204: { description: 'Revoked' }, ...problems },
    }),
    async (c) => {
      await shares.revoke(sub(c), c.req.valid('param').token);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      tags: ['Sharing'],
      method: 'get',
      path: '/v1/shared/{token}',
      summary: 'The gallery a share link opens (no sign-in)',
      request: { params: ShareToken, query: PageQuery },
      responses: {
        200: jsonResponse(SharedSchema, 'What the link shares'),
        404: { ...problems[400], description: 'No such link, or it was turned off' },
        410: { ...problems[400], description: 'The link has expired' },
        ...problems,
      },
    }),
    async (c) => {
      const gallery = await shares.open(c.req.valid('param').token, c.req.valid('query'));
      // Revoking must work at once: no cache may keep what a link showed.
      setHeader(c, 'Cache-Control', 'no-store');
      return c.json(gallery, 200);
    },
  );

  return app;
}

/** `/v1/me/avatar`: the profile picture, through the photos' pipeline. Part of the account routes. */
export function avatarRoutes(avatars: AvatarService, signedIn: MiddlewareHandler<AppEnv>[]) {
  const app = router();
  const common = { tags: ['Account'], security: [{ Bearer: [] }], middleware: signedIn };
  const AvatarSchema = z
    .object({
      id: z.string(),
      status: z.enum(['pending', 'ready', 'failed']),
      failure: z.string().optional(),
      urls: z
        .record(z.string(), z.string())
        .optional()
        .openapi({ description: 'Public URLs of the current picture, by size' }),
    })
    .openapi('Avatar');

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/me/avatar',
      summary: 'Start a profile picture upload; the profile picture URL changes once it is processed',
      request: jsonBody(AvatarUploadRequest),
      responses: {
        201: jsonResponse(z.object({ avatar: AvatarSchema, upload: PresignedUploadSchema }), 'Upload the bytes there'),
        ...tooLarge,
        ...unsupported,
        ...problems,
      },
    }),
    async (c) => c.json(await avatars.startUpload(sub(c), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/me/avatar',
      summary: 'The latest profile picture upload and its state',
      responses: {
        200: jsonResponse(AvatarSchema, 'The picture'),
        404: { ...problems[400], description: 'None yet' },
        ...problems,
      },
    }),
    async (c) => {
      const avatar = await avatars.get(sub(c));
      if (!avatar) throw notFound('You have no profile picture yet');
      return c.json(avatar, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/v1/me/avatar',
      summary: 'Remove the profile picture',
      responses: { 204: { description: 'Removed' }, ...problems },
    }),
    async (c) => {
      await avatars.remove(sub(c));
      return c.body(null, 204);
    },
  );

  return app;
}
