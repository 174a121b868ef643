import { z } from '@hono/zod-openapi';
import { SORTABLE_ID } from '../common/ids.ts';
import { Filename, Line, noControlCharacters, RecordMeta, Text } from '../common/model.ts';

export type PhotoStatus = 'pending' | 'ready' | 'failed';

export type RenditionFields = { name: string; contentType: string; width: number; height: number };

/** What a photo item holds beside its bookkeeping. */
export type PhotoFields = {
  filename: string;
  /** As declared by the uploader; the real format is read from the bytes (`format`). */
  contentType: string;
  size: number;
  status: PhotoStatus;
  caption?: string;
  failure?: string;
  width?: number;
  height?: number;
  format?: string;
  bytes?: number;
  takenAt?: string;
  /** The ETag of the upload the renditions were made from. */
  source?: string;
  /** The folder of the current renditions. */
  renditionsVersion?: string;
  renditions?: RenditionFields[];
  ttl?: number;
};

export type AlbumFields = {
  title: string;
  /** Chosen by the owner; otherwise the newest photo added is the cover. */
  coverPhotoId?: string;
  coverChosen?: boolean;
  photoCount: number;
};

const MAX_CAPTION_BYTES = 2200;

export const Caption = Text(MAX_CAPTION_BYTES).openapi({ example: 'Sunset over the bay' });

export const PhotoId = z.string().regex(SORTABLE_ID, 'must be a photo id returned by this API');

export const PhotoUploadRequest = z
  .object({
    filename: Filename,
    contentType: z.string().min(3).max(255).openapi({ example: 'image/jpeg' }),
    size: z.number().int('must be a whole number of bytes').min(0, 'must not be negative'),
    caption: Caption.optional(),
  })
  .strict()
  .openapi('PhotoUploadRequest');

export const AvatarUploadRequest = z
  .object({
    contentType: z.string().min(3).max(255).openapi({ example: 'image/jpeg' }),
    size: z.number().int('must be a whole number of bytes').min(0, 'must not be negative'),
  })
  .strict()
  .openapi('AvatarUploadRequest');

export const CaptionChange = z.object({ caption: Caption.nullable() }).strict().openapi('PhotoChange');

export const PhotoListQuery = z.object({
  status: z.enum(['pending', 'ready', 'failed']).optional().openapi({ description: 'Only photos in this state' }),
});

export const RenditionSchema = z
  .object({
    name: z.string().openapi({ example: 's300.jpg' }),
    contentType: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    url: z.string().openapi({ description: 'Signed; expires in 6 to 12 hours, stable meanwhile (cacheable)' }),
  })
  .openapi('Rendition');

export const PhotoSchema = z
  .object({
    ...RecordMeta,
    status: z.enum(['pending', 'ready', 'failed']),
    filename: z.string(),
    caption: z.string().optional(),
    failure: z.string().optional().openapi({ description: 'Why processing refused the upload' }),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    format: z.string().optional().openapi({ description: 'Read from the bytes: jpeg, png, webp or avif' }),
    bytes: z.number().int().optional(),
    takenAt: z.string().optional().openapi({
      description: 'EXIF DateTimeOriginal: with its offset when the camera recorded one, else the local wall time',
    }),
    renditions: z.array(RenditionSchema).optional(),
    original: z
      .object({ url: z.string(), expiresAt: z.string() })
      .optional()
      .openapi({ description: 'Download of the original upload, on a single photo read only' }),
  })
  .openapi('Photo');

export const PublicPhotoSchema = z
  .object({
    id: z.string(),
    caption: z.string().optional(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    renditions: z.array(RenditionSchema).optional(),
  })
  .openapi('SharedPhoto');

// ---------------------------------------------------------------- albums

export const AlbumCreate = z
  .object({ title: Line(100) })
  .strict()
  .openapi('AlbumCreate');
export const AlbumChange = z
  .object({
    title: Line(100).optional(),
    coverPhotoId: PhotoId.nullable().optional().openapi({ description: 'null: the newest photo added' }),
  })
  .strict()
  .openapi('AlbumChange');

export const AlbumSchema = z
  .object({
    ...RecordMeta,
    title: z.string(),
    photoCount: z.number().int(),
    coverPhotoId: z.string().optional(),
    coverChosen: z.boolean().optional(),
    cover: PublicPhotoSchema.optional(),
  })
  .openapi('Album');

export const AlbumPhotoParams = z.object({
  id: z
    .string()
    .regex(SORTABLE_ID, 'must be an album id returned by this API')
    .openapi({ param: { name: 'id', in: 'path' } }),
  photoId: PhotoId.openapi({ param: { name: 'photoId', in: 'path' } }),
});

// ---------------------------------------------------------------- share links

export const ShareCreate = z
  .object({
    kind: z.enum(['photo', 'album']),
    id: z.string().regex(SORTABLE_ID, 'must be a photo or album id returned by this API'),
    expiresAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date and time, e.g. 2026-12-31T23:59:59Z' })
      .optional()
      .openapi({ description: 'When the link stops working; absent: until revoked' }),
  })
  .strict()
  .openapi('ShareCreate');

export const ShareSchema = z
  .object({
    token: z.string(),
    kind: z.enum(['photo', 'album']),
    id: z.string(),
    url: z.string().openapi({ description: 'The public gallery page of this link' }),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    expired: z.boolean(),
  })
  .openapi('Share');

export const ShareToken = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a share token as the link gives it')
    .openapi({ param: { name: 'token', in: 'path' } }),
});

export const SharedSchema = z
  .object({
    kind: z.enum(['photo', 'album']),
    title: z.string().optional(),
    owner: z.string().optional().openapi({ description: "The owner's name" }),
    photoCount: z.number().int().optional(),
    photos: z.array(PublicPhotoSchema),
    nextCursor: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .openapi('SharedGallery');
