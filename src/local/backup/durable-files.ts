/**
 * File helpers for backups, where "written" must mean "on disk": a snapshot or log file that
 * a power cut can undo is no backup. Files are written beside their final name, flushed, then
 * renamed; the folder is flushed so the rename itself survives.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, cp, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Flushes a folder's entries (a rename or a new file in it); skipped where impossible (Windows). */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  try {
    await handle?.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes every file and folder under `root` (a snapshot before it is renamed into place). */
export async function syncTree(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) await syncFile(path);
  }
  await syncDirectory(root);
}

/** Writes `data` to `path` all or nothing, and durably. */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Copies a file all or nothing (a clone where the filesystem can), flushed. */
export async function copyFileDurable(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temporary = join(dirname(to), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await copyFile(from, temporary, constants.COPYFILE_FICLONE);
    await syncFile(temporary);
    await rename(temporary, to);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(to));
}

/** Copies the folder `from` into `to` if it exists (keys, TLS files, the dev outbox). */
export async function copyFolderIfPresent(from: string, to: string): Promise<void> {
  if (await exists(from)) await cp(from, to, { recursive: true, preserveTimestamps: true });
}
