import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { type MediaUrls, mediaExpiry } from '../../platform/media.ts';
import type { ObjectStore } from '../../platform/objects.ts';
import { ConditionFailedError, type Item, type Table, type Update, type Value, when } from '../../platform/table.ts';
import { OwnedCollection, type RecordView } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import { ImageRejected, PHOTO_RENDITIONS, processImage } from './images.ts';
import { photoFolder, photoOriginalKey, photoRenditionKey } from './keys.ts';
import type { PhotoFields, PhotoStatus, RenditionFields } from './model.ts';
import { readObject } from './objects.ts';

export interface PhotoLimits {
  /** Bytes one upload may have. Default 25 MiB. */
  maxUploadBytes: number;
  /** Pixels one image may have (decompression bombs are refused from the header). Default 100 MP. */
  maxPixels: number;
}

export const defaultPhotoLimits: PhotoLimits = { maxUploadBytes: 25 * 1024 ** 2, maxPixels: 100e6 };

/** What an upload may declare; its real type is read from its bytes when it lands. */
export const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif'];

const UPLOAD_URL_SECONDS = 15 * 60;
const ORIGINAL_URL_SECONDS = 5 * 60;
/** A photo whose bytes never arrive goes by itself (the table's TTL), as does a failed one a while later. */
const PENDING_SECONDS = 24 * 3600;
const FAILED_SECONDS = 7 * 24 * 3600;

export interface RenditionView extends RenditionFields {
  url: string;
}

/** A photo as its owner sees it: what processing recorded, and signed URLs for the renditions. */
export type PhotoView = Pick<
  PhotoFields,
  'status' | 'filename' | 'caption' | 'failure' | 'width' | 'height' | 'format' | 'bytes' | 'takenAt'
> & {
  id: string;
  renditions?: RenditionView[];
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** A shared photo, as anyone with the link sees it: no file name, no size, no date, no original. */
export type PublicPhotoView = Pick<PhotoView, 'id' | 'caption' | 'width' | 'height' | 'renditions'>;

/**
 * Photos: `USER#<sub>` / `PHOTO#<ulid>`, newest first by the sort key. The bytes go straight
 * from the client to the object store with a pre-signed upload; the object-created event runs
 * {@link process}, which reads the real type from the bytes, refuses what it must, and writes
 * the renditions. Every view signs its renditions' URLs with the media port.
 */
export class PhotoService {
  readonly records: OwnedCollection<PhotoFields>;

  constructor(
    private readonly table: Table,
    private readonly objects: ObjectStore,
    private readonly media: MediaUrls,
    private readonly clock: Clock,
    readonly limits: PhotoLimits = defaultPhotoLimits,
  ) {
    this.records = new OwnedCollection<PhotoFields>(table, clock, { type: 'photo', noun: 'photo' });
  }

  /** Creates the pending photo and a pre-signed upload for its bytes; a retried request gets the same photo. */
  async startUpload(
    sub: string,
    input: { filename: string; contentType: string; size: number; caption?: string | undefined },
    idempotency?: IdempotentRequest,
  ) {
    checkUpload(input, this.limits);
    const fields: PhotoFields = {
      filename: input.filename,
      contentType: input.contentType,
      size: input.size,
      status: 'pending',
      ttl: epochSeconds(this.clock) + PENDING_SECONDS,
      ...(input.caption ? { caption: input.caption } : {}),
    };
    const created = await this.records.create(sub, fields, idempotency);
    // A retry is answered with the photo as it is now, and a fresh URL while its bytes are still awaited.
    const record = created.replayed ? await this.records.get(sub, created.record.id) : created.record;
    if (record.status !== 'pending') throw alreadyUploaded(record.id);
    const upload = await this.objects.presignUpload({
      key: photoOriginalKey(sub, record.id),
      contentType: input.contentType,
      maxSize: input.size,
      expiresInSeconds: UPLOAD_URL_SECONDS,
    });
    return { photo: await this.view(sub, record), upload, replayed: created.replayed };
  }

  async list(sub: string, page: { limit: number; cursor?: string | undefined; status?: PhotoStatus | undefined }) {
    const status = page.status;
    const result = await this.records.list(
      this.records.basePartition(sub),
      page,
      status ? (item) => item.status === status : undefined,
    );
    return { ...result, items: await Promise.all(result.items.map((record) => this.view(sub, record))) };
  }

  /** One photo, with a short-lived link to download the original (which keeps its EXIF). */
  async get(sub: string, id: string) {
    const record = await this.records.get(sub, id);
    const view = await this.view(sub, record);
    if (record.status !== 'ready') return view;
    const original = await this.objects.presignDownload({
      key: photoOriginalKey(sub, id),
      filename: record.filename,
      expiresInSeconds: ORIGINAL_URL_SECONDS,
    });
    return { ...view, original };
  }

  async setCaption(sub: string, id: string, version: number | '*', caption: string | null) {
    return this.view(sub, await this.records.update(sub, id, version, { caption }));
  }

  /** Deletes the photo item; its objects, album places and share links follow from the change stream. */
  async delete(sub: string, id: string, version: number | '*') {
    await this.records.delete(sub, id, version);
  }

  /** Many photos by id (missing ones left out), for albums and shares. */
  async many(sub: string, ids: string[]): Promise<Map<string, RecordView<PhotoFields>>> {
    const found = new Map<string, RecordView<PhotoFields>>();
    for (let i = 0; i < ids.length; i += 100) {
      const items = await this.table.batchGet(ids.slice(i, i + 100).map((id) => this.records.key(sub, id)));
      for (const item of items) found.set(item.id as string, this.records.view(item));
    }
    return found;
  }

  async view(sub: string, record: RecordView<PhotoFields>): Promise<PhotoView> {
    return {
      id: record.id,
      status: record.status,
      filename: record.filename,
      ...pick(record, ['caption', 'failure', 'width', 'height', 'format', 'takenAt']),
      ...(record.bytes !== undefined ? { bytes: record.bytes } : {}),
      ...(record.status === 'ready' ? { renditions: await this.renditionUrls(sub, record) } : {}),
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async publicView(sub: string, record: RecordView<PhotoFields>): Promise<PublicPhotoView> {
    return {
      id: record.id,
      ...pick(record, ['caption', 'width', 'height']),
      renditions: await this.renditionUrls(sub, record),
    };
  }

  private async renditionUrls(sub: string, record: RecordView<PhotoFields>): Promise<RenditionView[]> {
    const expiresAt = mediaExpiry(epochSeconds(this.clock));
    const version = record.renditionsVersion as string;
    return Promise.all(
      (record.renditions ?? []).map(async (rendition) => ({
        ...rendition,
        url: await this.media.signed(photoRenditionKey(sub, record.id, version, rendition.name), expiresAt),
      })),
    );
  }

  // ------------------------------------------------------------------ processing

  /**
   * Runs when an upload lands (the object-created event, at least once). Idempotent: the item
   * records which upload (ETag) it was made from, so a redelivered event does nothing, and the
   * renditions of one upload always go to the same keys.
   */
  async process(sub: string, id: string, eTag: string | undefined): Promise<void> {
    const key = photoOriginalKey(sub, id);
    const info = await this.objects.head(key);
    // Gone, or replaced since: the newer upload has an event of its own.
    if (!info || info.etag !== `"${eTag}"`) return;
    const item = await this.table.get(this.records.key(sub, id), { consistent: true });
    if (!item) {
      // Deleted, or expired unuploaded, before the bytes landed: nothing may keep them.
      await this.objects.deletePrefix(photoFolder(sub, id));
      return;
    }
    if (item.source === info.etag) return;
    const version = info.etag.replace(/"/g, '').slice(0, 16);
    try {
      if (info.size > this.limits.maxUploadBytes) {
        throw new ImageRejected(`The upload is larger than ${mib(this.limits.maxUploadBytes)}`);
      }
      const processed = await processImage(await readObject(this.objects, key), PHOTO_RENDITIONS, this.limits);
      await Promise.all(
        processed.renditions.map((r) =>
          this.objects.put(photoRenditionKey(sub, id, version, r.name), r.body, r.contentType),
        ),
      );
      const renditions: RenditionFields[] = processed.renditions.map(({ name, contentType, width, height }) => ({
        name,
        contentType,
        width,
        height,
      }));
      const ready = await this.record(item, {
        set: {
          status: 'ready',
          source: info.etag,
          renditionsVersion: version,
          renditions: renditions as unknown as Value,
          width: processed.width,
          height: processed.height,
          format: processed.format,
          bytes: info.size,
          ...(processed.takenAt ? { takenAt: processed.takenAt } : {}),
        },
        remove: ['ttl', 'failure', ...(processed.takenAt ? [] : ['takenAt'])],
      });
      if (!ready) {
        await this.objects.deletePrefix(photoFolder(sub, id));
        return;
      }
      const previous = item.renditionsVersion;
      if (typeof previous === 'string' && previous !== version) {
        await this.objects.deletePrefix(`${photoFolder(sub, id)}${previous}/`);
      }
    } catch (error) {
      if (!(error instanceof ImageRejected)) throw error;
      // Refused: the bytes go, and the item says why until it expires.
      await this.objects.delete(key);
      await this.record(item, {
        set: {
          status: 'failed',
          failure: error.message,
          source: info.etag,
          ttl: epochSeconds(this.clock) + FAILED_SECONDS,
        },
      });
    }
  }

  /**
   * Writes processing's result unless the photo was deleted meanwhile (false then). A caption
   * edited meanwhile is kept: the write changes only what processing owns, and bumps the version.
   */
  private async record(item: Item, changes: Update): Promise<boolean> {
    try {
      await this.table.update(
        { PK: item.PK, SK: item.SK },
        {
          ...changes,
          set: { ...changes.set, updatedAt: new Date(this.clock.now()).toISOString() },
          add: { version: 1 },
        },
        { condition: when.exists() },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }
}

export function checkUpload(input: { contentType: string; size: number }, limits: PhotoLimits): void {
  const type = input.contentType.toLowerCase();
  if (type === 'image/heic' || type === 'image/heif') {
    throw new AppError(
      415,
      'UnsupportedMediaType',
      'HEIC photos cannot be read here: upload JPEG (iPhone: Settings → Camera → Formats → Most Compatible)',
    );
  }
  if (!UPLOAD_TYPES.includes(type)) {
    throw new AppError(
      415,
      'UnsupportedMediaType',
      `Photos may be ${UPLOAD_TYPES.join(', ')}; ${input.contentType} is not a photo type`,
    );
  }
  if (input.size > limits.maxUploadBytes) {
    throw new AppError(413, 'PhotoTooLarge', `A photo may be at most ${mib(limits.maxUploadBytes)}`);
  }
  if (input.size === 0) throw new AppError(400, 'EmptyPhoto', 'The photo is empty: choose another file');
}

const alreadyUploaded = (id: string) =>
  new AppError(409, 'AlreadyUploaded', `Photo ${id} was already uploaded: start a new upload for another photo`);

function pick<T extends object, K extends keyof T>(record: T, names: K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const name of names) if (record[name] !== undefined) picked[name] = record[name];
  return picked;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`;
