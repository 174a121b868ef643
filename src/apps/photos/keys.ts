import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';

/*
 * Objects. A photo's folder holds its upload and one folder of renditions per processed upload
 * (named after the upload's ETag), so a replaced upload never mixes with cached renditions:
 *   users/<sub>/photos/<photoId>/original
 *   users/<sub>/photos/<photoId>/<version>/s300.jpg
 * A profile picture's renditions are public (see src/platform/media.ts); its upload is not:
 *   users/<sub>/avatars/<avatarId>/original
 *   users/<sub>/avatars/<avatarId>/s300.jpg
 */
export const photosPrefix = (sub: string): string => `users/${sub}/photos/`;
export const photoFolder = (sub: string, id: string): string => `${photosPrefix(sub)}${id}/`;
export const photoOriginalKey = (sub: string, id: string): string => `${photoFolder(sub, id)}original`;
export const photoRenditionKey = (sub: string, id: string, version: string, name: string): string =>
  `${photoFolder(sub, id)}${version}/${name}`;

export const avatarsPrefix = (sub: string): string => `users/${sub}/avatars/`;
export const avatarFolder = (sub: string, id: string): string => `${avatarsPrefix(sub)}${id}/`;
export const avatarOriginalKey = (sub: string, id: string): string => `${avatarFolder(sub, id)}original`;
export const avatarRenditionKey = (sub: string, id: string, name: string): string => `${avatarFolder(sub, id)}${name}`;

/** The upload an object key is, if it is one: a photo's or a profile picture's original. */
export function parseOriginalKey(key: string): { kind: 'photo' | 'avatar'; sub: string; id: string } | undefined {
  const match = /^users\/([^/]+)\/(photos|avatars)\/([0-9a-z]{26})\/original$/.exec(key);
  if (!match) return undefined;
  return { kind: match[2] === 'photos' ? 'photo' : 'avatar', sub: match[1] as string, id: match[3] as string };
}

/*
 * Items, all in the owner's partition except the share links:
 *   PHOTO#<photoId>                  the photo (OwnedCollection 'photo')
 *   ALBUM#<albumId>                  the album (OwnedCollection 'album')
 *   INALBUM#<albumId>#<photoId>      a photo in an album: the album's photos, newest first
 *   PHOTOALBUM#<photoId>#<albumId>   the same fact the other way: the albums of a photo
 *   SHARETO#<kind>#<id>#<token>      a share link, listed by what it shares
 *   AVATAR                           the profile picture being processed
 *   SHARE#<token> / SHARE            a share link, looked up by its token (no owner needed)
 */
export const inAlbumKey = (sub: string, albumId: string, photoId: string): Key => ({
  PK: userPartition(sub),
  SK: `INALBUM#${albumId}#${photoId}`,
});
export const inAlbumPrefix = (albumId: string): string => `INALBUM#${albumId}#`;
export const photoAlbumKey = (sub: string, photoId: string, albumId: string): Key => ({
  PK: userPartition(sub),
  SK: `PHOTOALBUM#${photoId}#${albumId}`,
});
export const photoAlbumPrefix = (photoId: string): string => `PHOTOALBUM#${photoId}#`;

export type ShareKind = 'photo' | 'album';
export const shareKey = (token: string): Key => ({ PK: `SHARE#${token}`, SK: 'SHARE' });
export const ownedShareKey = (sub: string, kind: ShareKind, id: string, token: string): Key => ({
  PK: userPartition(sub),
  SK: `SHARETO#${kind}#${id}#${token}`,
});
export const ownedSharesPrefix = (kind?: ShareKind, id?: string): string =>
  kind ? `SHARETO#${kind}#${id}#` : 'SHARETO#';

export const avatarKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'AVATAR' });
