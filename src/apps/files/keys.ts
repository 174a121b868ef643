import type { Key } from '../../platform/table.ts';
import { userPartition } from '../users/profile.ts';
import { splitPath } from './paths.ts';

/** Every object of a user's folder lives under this key prefix. */
export const filesPrefix = (sub: string): string => `users/${sub}/files/`;
export const objectKey = (sub: string, path: string): string => `${filesPrefix(sub)}${path}`;

/** `users/<sub>/files/<path>` → its owner and path; undefined for other keys. */
export function parseObjectKey(key: string): { sub: string; path: string } | undefined {
  const match = /^users\/([^/]+)\/files\/(.+)$/.exec(key);
  return match ? { sub: match[1] as string, path: match[2] as string } : undefined;
}

/** A file's metadata item: `USER#<sub>` / `FILE#<path>`. */
export const fileKey = (sub: string, path: string): Key => ({ PK: userPartition(sub), SK: `FILE#${path}` });
/** A folder's marker item: `USER#<sub>` / `DIR#<folder/>`. */
export const folderKey = (sub: string, folder: string): Key => ({ PK: userPartition(sub), SK: `DIR#${folder}` });
/** The user's running totals: bytes and files stored. */
export const usageKey = (sub: string): Key => ({ PK: userPartition(sub), SK: 'FILESUSAGE' });

/**
 * The folder index (GSI1): each file and folder is listed under its parent folder, folders
 * (`D#`) before files (`F#`), each group by name. Listing a folder is one index query.
 */
export const folderIndexPartition = (sub: string, folder: string): string => `${userPartition(sub)}#DIR#${folder}`;

export function folderIndexKeys(sub: string, path: string, kind: 'file' | 'folder') {
  const { parent, name } = splitPath(path);
  return {
    GSI1PK: folderIndexPartition(sub, parent),
    GSI1SK: `${kind === 'folder' ? 'D' : 'F'}#${kind === 'folder' ? name.slice(0, -1) : name}`,
  };
}
