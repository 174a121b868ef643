import { type Clock, epochSeconds } from '../../platform/clock.ts';
import type { MediaUrls } from '../../platform/media.ts';
import type { ObjectStore } from '../../platform/objects.ts';
import { ConditionFailedError, type Item, type Table, when } from '../../platform/table.ts';
import { newSortableId } from '../common/ids.ts';
import { AVATAR_RENDITIONS, ImageRejected, processImage } from './images.ts';
import { avatarFolder, avatarKey, avatarOriginalKey, avatarRenditionKey, avatarsPrefix } from './keys.ts';
import { readObject } from './objects.ts';
import { checkUpload, type PhotoLimits } from './service.ts';

const UPLOAD_URL_SECONDS = 15 * 60;

export interface AvatarView {
  id: string;
  status: 'pending' | 'ready' | 'failed';
  failure?: string;
  /** The public picture URLs once ready, by size. */
  urls?: Record<string, string>;
}

/**
 * Profile pictures, through the photos' pipeline: the upload lands under
 * `users/<sub>/avatars/<id>/original`, processing makes 150 and 300 px squares (public: anyone
 * who sees the profile sees the picture), sets the profile's picture URL, then deletes the
 * original (its EXIF included) and the previous picture. `USER#<sub>` / `AVATAR` tracks the
 * latest upload, so a slower, older upload can never replace a newer one.
 */
export class AvatarService {
  constructor(
    private readonly table: Table,
    private readonly objects: ObjectStore,
    private readonly media: MediaUrls,
    private readonly clock: Clock,
    private readonly limits: PhotoLimits,
    private readonly setPicture: (sub: string, url: string | null) => Promise<void>,
  ) {}

  async startUpload(sub: string, input: { contentType: string; size: number }) {
    checkUpload(input, this.limits);
    const id = newSortableId(this.clock);
    const previous = await this.table.get(avatarKey(sub), { consistent: true });
    await this.table.put({
      ...avatarKey(sub),
      type: 'avatar',
      id,
      status: 'pending',
      ...(previous?.current ? { current: previous.current } : {}),
    });
    const upload = await this.objects.presignUpload({
      key: avatarOriginalKey(sub, id),
      contentType: input.contentType,
      maxSize: input.size,
      expiresInSeconds: UPLOAD_URL_SECONDS,
    });
    return { avatar: { id, status: 'pending' as const }, upload };
  }

  async get(sub: string): Promise<AvatarView | undefined> {
    const item = await this.table.get(avatarKey(sub));
    return item && this.view(sub, item);
  }

  /** Removes the profile picture. */
  async remove(sub: string): Promise<void> {
    await this.table.delete(avatarKey(sub));
    await this.setPicture(sub, null);
    await this.objects.deletePrefix(avatarsPrefix(sub));
  }

  /** Runs when an avatar upload lands (at least once). */
  async process(sub: string, id: string, eTag: string | undefined): Promise<void> {
    const key = avatarOriginalKey(sub, id);
    const info = await this.objects.head(key);
    if (!info || info.etag !== `"${eTag}"`) return;
    const item = await this.table.get(avatarKey(sub), { consistent: true });
    if (item?.id !== id || item.status !== 'pending') {
      // Superseded by a newer upload, removed, or done already: this upload is not kept.
      if (item?.current !== id) await this.objects.deletePrefix(avatarFolder(sub, id));
      return;
    }
    try {
      if (info.size > this.limits.maxUploadBytes) throw new ImageRejected('The upload is larger than allowed');
      const processed = await processImage(await readObject(this.objects, key), AVATAR_RENDITIONS, this.limits);
      await Promise.all(
        processed.renditions.map((r) => this.objects.put(avatarRenditionKey(sub, id, r.name), r.body, r.contentType)),
      );
      if (!(await this.settle(sub, id, { status: 'ready', current: id }))) {
        await this.objects.deletePrefix(avatarFolder(sub, id));
        return;
      }
      await this.setPicture(sub, this.media.publicUrl(avatarRenditionKey(sub, id, 's300.jpg')));
      await this.objects.delete(key);
      if (typeof item.current === 'string' && item.current !== id) {
        await this.objects.deletePrefix(avatarFolder(sub, item.current));
      }
    } catch (error) {
      if (!(error instanceof ImageRejected)) throw error;
      await this.objects.delete(key);
      await this.settle(sub, id, { status: 'failed', failure: error.message });
    }
  }

  /** Records the outcome unless a newer upload took the slot meanwhile (false then). */
  private async settle(sub: string, id: string, outcome: Record<string, string>): Promise<boolean> {
    try {
      await this.table.update(
        avatarKey(sub),
        { set: { ...outcome, processedAt: epochSeconds(this.clock) } },
        { condition: when.equals('id', id) },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }

  private view(sub: string, item: Item): AvatarView {
    const id = item.id as string;
    const status = item.status as AvatarView['status'];
    const current = item.current as string | undefined;
    return {
      id,
      status,
      ...(typeof item.failure === 'string' ? { failure: item.failure } : {}),
      ...(current
        ? {
            urls: Object.fromEntries(
              AVATAR_RENDITIONS.map((r) => [r.name, this.media.publicUrl(avatarRenditionKey(sub, current, r.name))]),
            ),
          }
        : {}),
    };
  }
}
