import { badRequest } from '../../platform/errors.ts';

/**
 * The longest path a file may have, in UTF-8 bytes. S3 keys stop at 1024 bytes and a file's
 * key is `users/<sub>/files/<path>`, so 1024 minus that prefix (49 bytes) is what fits on both.
 */
export const PATH_MAX_BYTES = 1024 - 'users/00000000-0000-0000-0000-000000000000/files/'.length;
const SEGMENT_MAX_BYTES = 255;
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/**
 * Checks and normalises a file path (NFC): relative, `/`-separated, no empty, `.` or `..`
 * segment, no control character or backslash, each name at most 255 bytes, the whole at most
 * {@link PATH_MAX_BYTES}. Returns the normalised path.
 */
export function filePath(input: string, field = 'path'): string {
  const path = input.normalize('NFC');
  const fail = (why: string) =>
    badRequest('InvalidPath', `The ${field} ${why}`, { fields: [{ field: `body.${field}`, message: why }] });
  if (path === '') throw fail('must not be empty');
  if (path.startsWith('/')) throw fail('must be relative (no leading /)');
  if (path.endsWith('/')) throw fail('must name a file (no trailing /)');
  if (FORBIDDEN.test(path)) throw fail('must not contain control characters or backslashes');
  if (Buffer.byteLength(path) > PATH_MAX_BYTES) throw fail(`must be at most ${PATH_MAX_BYTES} bytes`);
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw fail('must not contain empty, . or .. segments');
    if (Buffer.byteLength(segment) > SEGMENT_MAX_BYTES)
      throw fail(`must not have a name over ${SEGMENT_MAX_BYTES} bytes`);
  }
  return path;
}

/** A folder: `''` (the root) or a path ending in `/`. */
export function folderPath(input: string, field = 'prefix'): string {
  if (input === '') return '';
  if (!input.endsWith('/')) {
    throw badRequest('InvalidPath', `The ${field} must be a folder: empty for the root, or ending with /`);
  }
  return `${filePath(input.slice(0, -1), field)}/`;
}

/** The folder holding a path (`a/b/c.txt` → `a/b/`; `c.txt` → ``) and its own name. */
export function splitPath(path: string): { parent: string; name: string } {
  const slash = path.lastIndexOf('/', path.endsWith('/') ? path.length - 2 : path.length);
  return { parent: path.slice(0, slash + 1), name: path.slice(slash + 1) };
}

/** Every folder above a path: `a/b/c.txt` → [`a/`, `a/b/`]. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
}
