/**
 * Object bytes in the backup (S3 versioning's role): `<BACKUP_DIR>/blobs/<shard>/<blob>`,
 * the same layout as the live store. Blobs are immutable files with random names, so each is
 * kept once, the moment it is written, by a hard link: no bytes are copied and a later delete
 * or replace in the live store cannot lose them (the link keeps the inode). Where a link is
 * impossible (the backup on another filesystem) the file is copied instead.
 */
import { link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { copyFileDurable, exists, syncDirectory } from './durable-files.ts';

/** Blob names are random hex made by the store; anything else is refused before it becomes a path. */
const BLOB_NAME = /^[A-Za-z0-9_-]{3,}$/;

export function backupBlobPath(backupDir: string, blob: string): string {
  return blobPathIn(join(backupDir, 'blobs'), blob);
}

export function liveBlobPath(dataDir: string, blob: string): string {
  return blobPathIn(join(dataDir, 'objects', 'blobs'), blob);
}

function blobPathIn(blobsDir: string, blob: string): string {
  if (!BLOB_NAME.test(blob)) throw new Error(`${JSON.stringify(blob)} is not a blob name`);
  return join(blobsDir, blob.slice(0, 2), blob);
}

/** Keeps the blob file at `source` in the backup (a no-op if it is there already). */
export async function keepBlob(backupDir: string, source: string, blob: string): Promise<void> {
  const target = backupBlobPath(backupDir, blob);
  if (await exists(target)) return;
  await mkdir(dirname(target), { recursive: true });
  try {
    await link(source, target);
    await syncDirectory(dirname(target));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT') throw error;
    await copyFileDurable(source, target); // EXDEV (another filesystem), EPERM (no links), ...
  }
}

/**
 * Makes sure each blob named is in the backup, taking it from the live store where needed
 * (data written before backups were on, or a link that failed). Returns the blobs found nowhere.
 */
export async function ensureBlobsKept(backupDir: string, dataDir: string, blobs: Iterable<string>): Promise<string[]> {
  const missing: string[] = [];
  for (const blob of new Set(blobs)) {
    if (await exists(backupBlobPath(backupDir, blob))) continue;
    try {
      await keepBlob(backupDir, liveBlobPath(dataDir, blob), blob);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(blob);
    }
  }
  return missing;
}

/**
 * Removes kept blobs no restorable state names. Blobs newer than `graceMs` stay whatever
 * names them: one is linked just before its metadata commits, so it may not be named yet.
 */
export async function pruneBlobs(backupDir: string, named: Set<string>, graceMs: number, nowMs: number) {
  const root = join(backupDir, 'blobs');
  let removed = 0;
  for (const shard of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!shard.isDirectory()) continue;
    for (const blob of await readdir(join(root, shard.name))) {
      if (named.has(blob)) continue;
      const path = join(root, shard.name, blob);
      const info = await stat(path).catch(() => undefined);
      // ctime, not mtime: linking it into a snapshot's keeping just now counts as new.
      if (!info || nowMs - Math.max(info.mtimeMs, info.ctimeMs) < graceMs) continue;
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
