/**
 * Snapshots: whole copies of the data folder's state in `<BACKUP_DIR>/snapshots/<time>/`
 * (`stratus.db`, `keys/` with both signing secrets, `tls/`, `outbox/`, and `meta.json`).
 * Object bytes are not copied into each snapshot: they live once in `<BACKUP_DIR>/blobs/`.
 *
 * The database is copied online with SQLite's backup API (better-sqlite3's `db.backup`):
 * writers never wait. Everything is written under `.partial-<pid>-…` and renamed to its
 * time only when complete and flushed, and `meta.json` is what makes a folder count, so a
 * crash (even kill -9) mid-backup leaves no snapshot that counts; the next backup removes
 * the leftover once its process is gone. The live data folder is only ever read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../adapters/local/database.ts';
import { ensureBlobsKept } from './blob-vault.ts';
import { hasTable, isInternalTable, lastAllocatedSeq, readCaptureState } from './changelog.ts';
import { copyFolderIfPresent, syncDirectory, syncTree, writeFileDurable } from './durable-files.ts';

export const SNAPSHOT_DATABASE = 'stratus.db';
/** Data folder entries copied into each snapshot besides the database (objects go to the blob vault). */
export const COPIED_FOLDERS = ['keys', 'tls', 'outbox'] as const;

export interface SnapshotMeta {
  format: 1;
  /** When the database copy completed: its state is that of some moment at or before this. */
  takenAt: string;
  takenAtMs: number;
  /** The change log timeline, or null when change capture was not on (the snapshot cannot roll forward). */
  timeline: string | null;
  /** The last change number the copy contains; a restore replays from the next one. */
  lastSeq: number | null;
  /** Fingerprint of the app tables' schema: a change calls for a fresh snapshot. */
  schema: string;
  /** Blobs the copy's objects name that could not be found (objects that will not restore). */
  missingBlobs: string[];
}

export interface Snapshot extends SnapshotMeta {
  name: string;
  path: string;
}

export interface TakeSnapshotOptions {
  /** A connection to the live database (read-only is enough). */
  db: Database;
  dataDir: string;
  backupDir: string;
  /**
   * Pages copied per step. From the connection that writes, small steps keep its event loop
   * free and its writes are carried into the copy; from another process, a write restarts
   * the copy, so copy in one step there (a WAL read does not block writers).
   */
  pagesPerStep?: number;
  /** Called after each step (tests use it to know a backup is under way). */
  onStep?: () => void;
}

const snapshotsDir = (backupDir: string): string => join(backupDir, 'snapshots');
/** Partial folders of this process still being written. */
const inProgress = new Set<string>();

/** `20250102T030405.678Z`: ISO 8601 (basic format), sorts by time, valid as a file name everywhere. */
export function compactIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export async function takeSnapshot(options: TakeSnapshotOptions): Promise<Snapshot> {
  const { db, dataDir, backupDir } = options;
  const root = snapshotsDir(backupDir);
  await mkdir(root, { recursive: true });
  await removeAbandoned(root);
  const partial = join(root, `.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  inProgress.add(partial);
  try {
    await mkdir(partial);
    const pagesPerStep = options.pagesPerStep ?? 1000;
    await db.backup(join(partial, SNAPSHOT_DATABASE), {
      progress: () => {
        options.onStep?.();
        return pagesPerStep;
      },
    });
    const takenAtMs = Date.now();
    const contents = describeCopy(join(partial, SNAPSHOT_DATABASE));
    for (const folder of COPIED_FOLDERS) await copyFolderIfPresent(join(dataDir, folder), join(partial, folder));
    const missingBlobs = await ensureBlobsKept(backupDir, dataDir, contents.blobs);
    const meta: SnapshotMeta = {
      format: 1,
      takenAt: new Date(takenAtMs).toISOString(),
      takenAtMs,
      timeline: contents.timeline,
      lastSeq: contents.lastSeq,
      schema: contents.schema,
      missingBlobs,
    };
    await writeFileDurable(join(partial, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    await syncTree(partial);
    const name = compactIso(takenAtMs);
    await rename(partial, join(root, name));
    await syncDirectory(root);
    return { ...meta, name, path: join(root, name) };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  } finally {
    inProgress.delete(partial);
  }
}

/** Reads what a fresh copy holds; also makes it a single file (no WAL beside it). */
function describeCopy(path: string) {
  const copy = new BetterSqlite3(path);
  try {
    copy.pragma('journal_mode = DELETE');
    const state = readCaptureState(copy);
    const blobs = hasTable(copy, 'stored_objects')
      ? copy.prepare<[], string>('SELECT blob FROM stored_objects').pluck().all()
      : [];
    return {
      timeline: state?.timeline ?? null,
      lastSeq: state ? lastAllocatedSeq(copy) : null,
      schema: schemaFingerprint(copy),
      blobs,
    };
  } finally {
    copy.close();
  }
}

/** A hash of the app tables' and indexes' definitions. */
export function schemaFingerprint(db: Database): string {
  const definitions = db
    .prepare<[], { name: string; sql: string | null }>(
      "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name",
    )
    .all()
    .filter((row) => !isInternalTable(row.name))
    .map((row) => `${row.name}\n${row.sql ?? ''}`);
  return createHash('sha256').update(definitions.join('\n\n')).digest('hex').slice(0, 16);
}

/** The complete snapshots, oldest first. A folder without a readable meta.json does not count. */
export async function listSnapshots(backupDir: string): Promise<Snapshot[]> {
  const root = snapshotsDir(backupDir);
  const snapshots: Snapshot[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith('.')) continue;
    const path = join(root, name);
    try {
      const meta = JSON.parse(await readFile(join(path, 'meta.json'), 'utf8')) as SnapshotMeta;
      if (meta.format === 1 && Number.isFinite(meta.takenAtMs)) snapshots.push({ ...meta, name, path });
    } catch {
      // not a complete snapshot
    }
  }
  return snapshots.sort((a, b) => a.takenAtMs - b.takenAtMs);
}

/** Deletes all but the newest `keep` snapshots; returns the kept ones, oldest first. */
export async function pruneSnapshots(backupDir: string, keep: number): Promise<Snapshot[]> {
  const snapshots = await listSnapshots(backupDir);
  const drop = snapshots.slice(0, Math.max(0, snapshots.length - keep));
  for (const snapshot of drop) {
    // Renamed out of the list first: a half-deleted folder must not count as a snapshot.
    const doomed = join(snapshotsDir(backupDir), `.partial-${process.pid}-deleting-${snapshot.name}`);
    await rename(snapshot.path, doomed);
    await rm(doomed, { recursive: true, force: true });
  }
  return snapshots.slice(drop.length);
}

/** Removes partial folders whose process is gone (killed mid-backup). */
async function removeAbandoned(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    const match = /^\.partial-(\d+)-/.exec(name);
    if (!match) continue;
    const path = join(root, name);
    const pid = Number(match[1]);
    const abandoned = pid === process.pid ? !inProgress.has(path) : !isAlive(pid);
    if (abandoned) await rm(path, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
