import { randomBytes } from 'node:crypto';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { type Item, type Table, TTL_ATTRIBUTE } from '../../platform/table.ts';
import { profileKey, userPartition } from '../users/profile.ts';
import type { AlbumService } from './albums.ts';
import { ownedShareKey, ownedSharesPrefix, type ShareKind, shareKey } from './keys.ts';
import type { PhotoService, PublicPhotoView } from './service.ts';

/** The longest a link may be set to last; a link without an expiry lasts until revoked. */
const MAX_SHARE_SECONDS = 366 * 24 * 3600;
/** An expired link still answers "expired" (410) for a month, then goes with the table's TTL. */
const EXPIRED_KEPT_SECONDS = 30 * 24 * 3600;

export interface ShareView {
  token: string;
  kind: ShareKind;
  id: string;
  url: string;
  createdAt: string;
  expiresAt?: string;
  expired: boolean;
}

export interface SharedGallery {
  kind: ShareKind;
  title?: string;
  owner?: string;
  photoCount?: number;
  photos: PublicPhotoView[];
  nextCursor?: string;
  expiresAt?: string;
}

/**
 * Share links: a random 256-bit token, read-only, optionally expiring, revocable. The link is
 * looked up by its token (`SHARE#<token>`, no owner needed) and listed by its owner under what
 * it shares (`SHARETO#<kind>#<id>#<token>`); both are written and revoked together. A gallery
 * opened by a link shows renditions only: never the original, its file name or its EXIF.
 */
export class ShareService {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly photos: PhotoService,
    private readonly albums: AlbumService,
    /** The web app's page for a link: `https://app.example.com/s/<token>`. */
    private readonly pageUrl: (token: string) => string,
  ) {}

  async create(
    sub: string,
    input: { kind: ShareKind; id: string; expiresAt?: string | undefined },
  ): Promise<ShareView> {
    const now = epochSeconds(this.clock);
    let expires: number | undefined;
    if (input.expiresAt !== undefined) {
      expires = Math.floor(Date.parse(input.expiresAt) / 1000);
      if (expires <= now)
        throw badRequest('InvalidExpiry', 'expiresAt must be in the future', fieldProblem('expiresAt'));
      if (expires > now + MAX_SHARE_SECONDS) {
        throw badRequest(
          'InvalidExpiry',
          'A link may last at most a year: leave expiresAt out for no expiry',
          fieldProblem('expiresAt'),
        );
      }
    }
    if (input.kind === 'photo') {
      const photo = await this.photos.records.get(sub, input.id);
      if (photo.status !== 'ready') {
        throw new AppError(
          409,
          'PhotoNotReady',
          'The photo is still processing (or failed): share it once it is ready',
        );
      }
    } else await this.albums.records.read(sub, input.id);
    const token = randomBytes(32).toString('base64url');
    const share: Item = {
      ...shareKey(token),
      type: 'share',
      owner: sub,
      token,
      kind: input.kind,
      id: input.id,
      createdAt: new Date(this.clock.now()).toISOString(),
      ...(expires !== undefined
        ? { expiresAt: new Date(expires * 1000).toISOString(), [TTL_ATTRIBUTE]: expires + EXPIRED_KEPT_SECONDS }
        : {}),
    };
    const { PK: _pk, SK: _sk, ...fields } = share;
    await this.table.transact([
      { put: share },
      { put: { ...fields, ...ownedShareKey(sub, input.kind, input.id, token) } },
    ]);
    return this.view(share);
  }

  /** The caller's links: all, or those of one photo or album. */
  async list(sub: string, target?: { kind: ShareKind; id: string }): Promise<ShareView[]> {
    const views: ShareView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.query({
        partition: userPartition(sub),
        sort: { beginsWith: ownedSharesPrefix(target?.kind, target?.id) },
        reverse: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      views.push(...page.items.map((item) => this.view(item)));
      cursor = page.cursor;
    } while (cursor);
    return views;
  }

  /** Ends a link at once. Only its owner can; to anyone else it does not exist. */
  async revoke(sub: string, token: string): Promise<void> {
    const share = await this.table.get(shareKey(token), { consistent: true });
    if (!share || share.owner !== sub) throw notFound('There is no share link with that token');
    await this.table.transact([
      { delete: shareKey(token) },
      { delete: ownedShareKey(sub, share.kind as ShareKind, share.id as string, token) },
    ]);
  }

  /** Ends every link to a deleted photo or album (from the change stream; idempotent). */
  async revokeAllOf(sub: string, kind: ShareKind, id: string): Promise<void> {
    for (const share of await this.list(sub, { kind, id })) {
      await this.table.batchWrite({ deletes: [shareKey(share.token), ownedShareKey(sub, kind, id, share.token)] });
    }
  }

  /** The public gallery of a link: anyone holding it may look, nothing more. */
  async open(token: string, page: { limit: number; cursor?: string | undefined }): Promise<SharedGallery> {
    const share = await this.table.get(shareKey(token));
    const gone = notFound('This link does not exist, or its owner has turned it off');
    if (!share) throw gone;
    if (typeof share.expiresAt === 'string' && Date.parse(share.expiresAt) <= this.clock.now()) {
      throw new AppError(410, 'LinkExpired', 'This link has expired: ask its owner for a new one');
    }
    const sub = share.owner as string;
    const owner = (await this.table.get(profileKey(sub)))?.name as string | undefined;
    const about = {
      kind: share.kind as ShareKind,
      ...(owner ? { owner } : {}),
      ...(typeof share.expiresAt === 'string' ? { expiresAt: share.expiresAt } : {}),
    };
    if (share.kind === 'photo') {
      const photo = (await this.photos.many(sub, [share.id as string])).get(share.id as string);
      if (photo?.status !== 'ready') throw gone;
      return { ...about, photoCount: 1, photos: [await this.photos.publicView(sub, photo)] };
    }
    const album = await this.albums.records.read(sub, share.id as string).catch(() => undefined);
    if (!album) throw gone;
    const { records, nextCursor } = await this.albums.photoRecordsOf(sub, share.id as string, page);
    const photos = await Promise.all(
      records.filter((photo) => photo.status === 'ready').map((photo) => this.photos.publicView(sub, photo)),
    );
    return {
      ...about,
      title: album.title as string,
      photoCount: album.photoCount as number,
      photos,
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  private view(item: Item): ShareView {
    const expiresAt = item.expiresAt as string | undefined;
    return {
      token: item.token as string,
      kind: item.kind as ShareKind,
      id: item.id as string,
      url: this.pageUrl(item.token as string),
      createdAt: item.createdAt as string,
      ...(expiresAt ? { expiresAt } : {}),
      expired: expiresAt !== undefined && Date.parse(expiresAt) <= this.clock.now(),
    };
  }
}

const fieldProblem = (field: string) => ({
  fields: [{ field: `body.${field}`, message: 'must be in the future, and at most a year away' }],
});
