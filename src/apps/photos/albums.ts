import type { Clock } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type Item, type Table, TransactionCanceledError, type WriteOp, when } from '../../platform/table.ts';
import { OwnedCollection, type Patch, type RecordView } from '../common/collection.ts';
import type { IdempotentRequest } from '../common/idempotency.ts';
import { userPartition } from '../users/profile.ts';
import { inAlbumKey, inAlbumPrefix, photoAlbumKey, photoAlbumPrefix } from './keys.ts';
import type { AlbumFields } from './model.ts';
import type { PhotoService, PublicPhotoView } from './service.ts';

/** Concurrent changes to one album are retried this often before the caller is asked to retry. */
const ATTEMPTS = 5;

export type AlbumView = RecordView<AlbumFields> & { cover?: PublicPhotoView };

/**
 * Albums: `USER#<sub>` / `ALBUM#<ulid>`. A photo in an album is two items written together,
 * `INALBUM#<album>#<photo>` (the album's photos, newest first) and `PHOTOALBUM#<photo>#<album>`
 * (a photo's albums, for removing it everywhere), with the album's count and cover in the same
 * transaction, conditioned on the album's version so concurrent changes never lose a count.
 */
export class AlbumService {
  readonly records: OwnedCollection<AlbumFields>;

  constructor(
    private readonly table: Table,
    clock: Clock,
    private readonly photos: PhotoService,
  ) {
    this.records = new OwnedCollection<AlbumFields>(table, clock, { type: 'album', noun: 'album' });
  }

  async create(sub: string, input: { title: string }, idempotency?: IdempotentRequest) {
    const created = await this.records.create(sub, { title: input.title, photoCount: 0 }, idempotency);
    return { ...created, record: (await this.withCovers(sub, [created.record]))[0] as AlbumView };
  }

  async list(sub: string, page: { limit: number; cursor?: string | undefined }) {
    const result = await this.records.list(this.records.basePartition(sub), page);
    return { ...result, items: await this.withCovers(sub, result.items) };
  }

  async get(sub: string, id: string): Promise<AlbumView> {
    return (await this.withCovers(sub, [await this.records.get(sub, id)]))[0] as AlbumView;
  }

  /** Renames the album, or chooses its cover (one of its photos; null goes back to the newest). */
  async update(
    sub: string,
    id: string,
    version: number | '*',
    change: { title?: string; coverPhotoId?: string | null },
  ) {
    const patch: Patch<AlbumFields> = {};
    if (change.title !== undefined) patch.title = change.title;
    if (change.coverPhotoId === null) {
      patch.coverChosen = null;
      const newest = await this.newestPhotos(sub, id, 1);
      patch.coverPhotoId = newest[0] ?? null;
    } else if (change.coverPhotoId !== undefined) {
      if (!(await this.table.get(inAlbumKey(sub, id, change.coverPhotoId)))) {
        throw new AppError(422, 'NotInAlbum', `Photo ${change.coverPhotoId} is not in this album: add it first`);
      }
      patch.coverPhotoId = change.coverPhotoId;
      patch.coverChosen = true;
    }
    return (await this.withCovers(sub, [await this.records.update(sub, id, version, patch)]))[0] as AlbumView;
  }

  /** Deletes the album; its photos stay, its places and share links go by the change stream. */
  async delete(sub: string, id: string, version: number | '*') {
    await this.records.delete(sub, id, version);
  }

  /** The album's photos, newest first. */
  async photosOf(sub: string, id: string, page: { limit: number; cursor?: string | undefined }) {
    const { records, nextCursor } = await this.photoRecordsOf(sub, id, page);
    const items = await Promise.all(records.map((photo) => this.photos.view(sub, photo)));
    return nextCursor ? { items, nextCursor } : { items };
  }

  /** The album's photo records, newest first, for views of either kind (the owner's, or a share link's). */
  async photoRecordsOf(sub: string, id: string, page: { limit: number; cursor?: string | undefined }) {
    await this.records.read(sub, id);
    const result = await this.table.query({
      partition: userPartition(sub),
      sort: { beginsWith: inAlbumPrefix(id) },
      reverse: true,
      limit: page.limit,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    const ids = result.items.map((item) => item.photoId as string);
    const found = await this.photos.many(sub, ids);
    // A photo deleted a moment ago may still have its place until the change stream removes it.
    const records = ids.flatMap((photoId) => {
      const photo = found.get(photoId);
      return photo ? [photo] : [];
    });
    return { records, ...(result.cursor ? { nextCursor: result.cursor } : {}) };
  }

  /** Puts a photo in the album; adding it again changes nothing. */
  async addPhoto(sub: string, albumId: string, photoId: string): Promise<AlbumView> {
    return this.changeMembership(sub, albumId, photoId, 'add');
  }

  /** Takes a photo out of the album (the photo itself stays); removing it again changes nothing. */
  async removePhoto(sub: string, albumId: string, photoId: string): Promise<AlbumView> {
    return this.changeMembership(sub, albumId, photoId, 'remove');
  }

  /** A deleted photo leaves every album it was in (from the change stream; idempotent). */
  async forgetPhoto(sub: string, photoId: string): Promise<void> {
    for (const place of await this.allWithPrefix(sub, photoAlbumPrefix(photoId))) {
      const albumId = place.albumId as string;
      if (await this.table.get(this.records.key(sub, albumId))) {
        await this.changeMembership(sub, albumId, photoId, 'remove').catch((error) => {
          if (!(error instanceof AppError && error.status === 404)) throw error;
        });
      }
      await this.table.batchWrite({
        deletes: [inAlbumKey(sub, albumId, photoId), photoAlbumKey(sub, photoId, albumId)],
      });
    }
  }

  /** A deleted album's places go (from the change stream; idempotent). */
  async forgetAlbum(sub: string, albumId: string): Promise<void> {
    const places = await this.allWithPrefix(sub, inAlbumPrefix(albumId));
    for (let i = 0; i < places.length; i += 12) {
      const deletes = places
        .slice(i, i + 12)
        .flatMap((place) => [
          inAlbumKey(sub, albumId, place.photoId as string),
          photoAlbumKey(sub, place.photoId as string, albumId),
        ]);
      await this.table.batchWrite({ deletes });
    }
  }

  private async changeMembership(
    sub: string,
    albumId: string,
    photoId: string,
    change: 'add' | 'remove',
  ): Promise<AlbumView> {
    for (let attempt = 1; ; attempt++) {
      const album = await this.records.read(sub, albumId);
      const placed = await this.table.get(inAlbumKey(sub, albumId, photoId), { consistent: true });
      if ((change === 'add') === !!placed) return this.get(sub, albumId);
      const set: Record<string, string> = {};
      const remove: string[] = [];
      const chosen = album.coverChosen === true;
      const cover = album.coverPhotoId as string | undefined;
      if (change === 'add' && !chosen && (!cover || photoId > cover)) set.coverPhotoId = photoId;
      if (change === 'remove' && cover === photoId) {
        const next = (await this.newestPhotos(sub, albumId, 2)).find((id) => id !== photoId);
        if (next) set.coverPhotoId = next;
        else remove.push('coverPhotoId');
        remove.push('coverChosen');
      }
      const albumOp: WriteOp = {
        update: this.records.key(sub, albumId),
        changes: {
          ...(Object.keys(set).length > 0 ? { set } : {}),
          ...(remove.length > 0 ? { remove } : {}),
          add: { photoCount: change === 'add' ? 1 : -1, version: 1 },
        },
        condition: when.equals('version', album.version as number),
      };
      const ops: WriteOp[] =
        change === 'add'
          ? [
              albumOp,
              {
                put: { ...inAlbumKey(sub, albumId, photoId), type: 'inalbum', albumId, photoId },
                condition: when.notExists(),
              },
              {
                put: { ...photoAlbumKey(sub, photoId, albumId), type: 'photoalbum', albumId, photoId },
                condition: when.notExists(),
              },
              { check: this.photos.records.key(sub, photoId), condition: when.exists() },
            ]
          : [
              albumOp,
              { delete: inAlbumKey(sub, albumId, photoId), condition: when.exists() },
              { delete: photoAlbumKey(sub, photoId, albumId) },
            ];
      try {
        await this.table.transact(ops);
        return this.get(sub, albumId);
      } catch (error) {
        if (!(error instanceof TransactionCanceledError)) throw error;
        if (error.reasons[3] === 'ConditionalCheckFailed') throw notFound(`There is no photo with id ${photoId}`);
        if (attempt >= ATTEMPTS) {
          throw new AppError(409, 'AlbumBusy', 'The album is being changed by another request: try again');
        }
      }
    }
  }

  private async newestPhotos(sub: string, albumId: string, limit: number): Promise<string[]> {
    const page = await this.table.query({
      partition: userPartition(sub),
      sort: { beginsWith: inAlbumPrefix(albumId) },
      reverse: true,
      limit,
    });
    return page.items.map((item) => item.photoId as string);
  }

  private async allWithPrefix(sub: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.query({
        partition: userPartition(sub),
        sort: { beginsWith: prefix },
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }

  private async withCovers(sub: string, albums: RecordView<AlbumFields>[]): Promise<AlbumView[]> {
    const covers = await this.photos.many(
      sub,
      albums.flatMap((album) => (album.coverPhotoId ? [album.coverPhotoId] : [])),
    );
    return Promise.all(
      albums.map(async (album) => {
        const cover = album.coverPhotoId ? covers.get(album.coverPhotoId) : undefined;
        return cover?.status === 'ready' ? { ...album, cover: await this.photos.publicView(sub, cover) } : album;
      }),
    );
  }
}
