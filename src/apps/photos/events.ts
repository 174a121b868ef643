import type { ObjectStore } from '../../platform/objects.ts';
import { type ObjectEventHandler, objectKeyOf } from '../../platform/objects.ts';
import { forEachRecord, type StreamHandler } from '../../platform/stream.ts';
import type { Table } from '../../platform/table.ts';
import { onAccountRemoved } from '../users/events.ts';
import type { AlbumService } from './albums.ts';
import type { AvatarService } from './avatars.ts';
import { avatarsPrefix, parseOriginalKey, photoFolder, photosPrefix, shareKey } from './keys.ts';
import type { PhotoService } from './service.ts';
import type { ShareService } from './shares.ts';

/** Processes photo and profile-picture uploads when they land (S3 notifications on AWS, the durable queue locally). */
export function processUploads(photos: PhotoService, avatars: AvatarService): ObjectEventHandler {
  return {
    name: 'photos.process-uploads',
    handle: async (record) => {
      if (!record.eventName.startsWith('ObjectCreated')) return;
      const upload = parseOriginalKey(objectKeyOf(record));
      if (!upload) return;
      const eTag = record.s3.object.eTag;
      if (upload.kind === 'photo') await photos.process(upload.sub, upload.id, eTag);
      else await avatars.process(upload.sub, upload.id, eTag);
    },
  };
}

/**
 * What follows a deletion, from the change stream (so it is retried until done and survives a
 * restart): a deleted or expired photo's objects, album places and share links go; a deleted
 * album's places and share links go; a share link's owner item going (revoked, or its photo,
 * album or account deleted) takes its public item with it. Every step is idempotent.
 */
export function cleanUpAfterDeletions(
  table: Table,
  objects: ObjectStore,
  albums: AlbumService,
  shares: ShareService,
): StreamHandler {
  return {
    name: 'photos.clean-up-after-deletions',
    handle: (records) =>
      forEachRecord(records, async (record) => {
        if (record.eventName !== 'REMOVE') return;
        const { PK, SK } = record.dynamodb.Keys;
        if (!PK.startsWith('USER#')) return;
        const sub = PK.slice('USER#'.length);
        const parts = SK.split('#');
        const [prefix, id] = parts;
        if (prefix === 'PHOTO' && id) {
          await albums.forgetPhoto(sub, id);
          await shares.revokeAllOf(sub, 'photo', id);
          await objects.deletePrefix(photoFolder(sub, id));
        } else if (prefix === 'ALBUM' && id) {
          await albums.forgetAlbum(sub, id);
          await shares.revokeAllOf(sub, 'album', id);
        } else if (prefix === 'SHARETO' && parts[3]) {
          // SHARETO#<kind>#<id>#<token>
          const share = await table.get(shareKey(parts[3]), { consistent: true });
          if (share?.owner === sub) await table.delete(shareKey(parts[3]));
        }
      }),
  };
}

/** A deleted account's photos and pictures go with it. */
export function deleteMediaOfRemovedAccounts(objects: ObjectStore): StreamHandler {
  return onAccountRemoved('photos.delete-media-of-removed-accounts', async (sub) => {
    await objects.deletePrefix(photosPrefix(sub));
    await objects.deletePrefix(avatarsPrefix(sub));
  });
}
