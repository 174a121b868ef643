/**
 * Point-in-time restore: rebuilds the data folder as it was at a chosen moment, from the
 * newest snapshot taken at or before it, rolled forward with the change log (whole
 * transactions only, in commit order), plus every object's bytes from the blob vault.
 *
 * The live data folder is never overwritten. The result is built in a new folder beside it;
 * without `confirm` it stays there. With `confirm` the live folder is moved aside
 * (`<dataDir>.before-restore-<time>`) and the result takes its place, but only if no process
 * has the database open: we try to take SQLite's exclusive lock (locking_mode EXCLUSIVE,
 * BEGIN EXCLUSIVE, no waiting). That fails while any connection is open, even an idle one
 * (a WAL connection holds a shared lock for as long as it is open), so it detects a running
 * Stratus or `npm run backup` without a lock file that a crash could leave behind.
 *
 * The restored database starts a new timeline: its log is shipped apart from the log of the
 * future it abandoned, and a snapshot of it is taken at once (with `confirm`), so later
 * restores to moments before and after this one both find the right history.
 */
import { randomUUID } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { copyFile, cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { backupBlobPath, liveBlobPath } from './blob-vault.ts';
import {
  type Change,
  dropCaptureTriggers,
  hasTable,
  lastAllocatedSeq,
  readCaptureState,
  readChanges,
} from './changelog.ts';
import { exists, syncDirectory, syncTree } from './durable-files.ts';
import { readShippedChanges } from './log-shipping.ts';
import { applyChanges, changesUntil } from './replay.ts';
import { compactIso, listSnapshots, SNAPSHOT_DATABASE, type Snapshot, takeSnapshot } from './snapshots.ts';

/** A restore that was not done, with the reason in words a person can act on. Nothing was changed. */
export class RestoreRefused extends Error {}

export interface RestoreOptions {
  backupDir: string;
  dataDir: string;
  /** The moment to bring back. */
  to: Date;
  /** Put the result in place of the live folder (which is moved aside, not deleted). */
  confirm?: boolean;
}

export interface RestoreResult {
  /** Where the restored data folder is: `dataDir` when confirmed, else a folder beside it. */
  restoredDir: string;
  /** Where the live folder went (with `confirm`). */
  movedAsideTo?: string;
  snapshot: string;
  /** Changes replayed on top of the snapshot. */
  replayed: number;
  /** The time of the newest change in the result (or of the snapshot). */
  stateAt: Date;
  /** Where the replayed changes came from. */
  source: 'database' | 'shipped log' | 'shipped log and database' | 'snapshot only';
  warnings: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const dataDir = resolve(options.dataDir);
  const backupDir = resolve(options.backupDir);
  const toMs = options.to.getTime();
  if (!Number.isFinite(toMs)) throw new RestoreRefused('The time to restore to is not a valid date');
  const nowMs = Date.now();
  if (toMs > nowMs) {
    throw new RestoreRefused(`${iso(toMs)} is in the future (it is now ${iso(nowMs)}): give a time that has passed`);
  }
  const snapshot = await pickSnapshot(backupDir, toMs);
  const liveDatabase = join(dataDir, SNAPSHOT_DATABASE);
  if (options.confirm) refuseIfInUse(liveDatabase);

  const stamp = compactIso(nowMs);
  const work = `${dataDir}.restoring-${stamp}`;
  try {
    await cp(snapshot.path, work, { recursive: true });
    await rm(join(work, 'meta.json'), { force: true });
    const gathered = await gatherChanges(backupDir, liveDatabase, snapshot, nowMs);
    const cut = changesUntil(gathered.changes, toMs);
    const blobs = rollForward(join(work, SNAPSHOT_DATABASE), cut.changes);
    await copyBlobs(backupDir, dataDir, work, blobs);
    await syncTree(work);

    const warnings = [...gathered.warnings];
    if (toMs > gathered.knownUntilMs) {
      warnings.push(
        `The backup holds changes only up to ${iso(gathered.knownUntilMs)} (${gathered.limit}): ` +
          `the result is the state at that time, not at ${iso(toMs)}`,
      );
    }
    const result = {
      snapshot: snapshot.name,
      replayed: cut.changes.length,
      stateAt: new Date(cut.reachedMs ?? snapshot.takenAtMs),
      source: gathered.source,
      warnings,
    } satisfies Omit<RestoreResult, 'restoredDir'>;

    if (!options.confirm) {
      const beside = `${dataDir}.restored-${stamp}`;
      await rename(work, beside);
      await syncDirectory(dirname(beside));
      return { ...result, restoredDir: beside };
    }
    refuseIfInUse(liveDatabase); // again, just before the swap
    const aside = `${dataDir}.before-restore-${stamp}`;
    const hadLive = await exists(dataDir);
    if (hadLive) await rename(dataDir, aside);
    await rename(work, dataDir).catch(async (error: unknown) => {
      if (hadLive) await rename(aside, dataDir); // put the live folder back as it was
      throw error;
    });
    await syncDirectory(dirname(dataDir));
    await snapshotRestored(dataDir, backupDir, warnings);
    return { ...result, restoredDir: dataDir, ...(hadLive ? { movedAsideTo: aside } : {}) };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

async function pickSnapshot(backupDir: string, toMs: number): Promise<Snapshot> {
  const snapshots = await listSnapshots(backupDir);
  const oldest = snapshots[0];
  if (!oldest) {
    throw new RestoreRefused(
      `There is no snapshot in ${join(backupDir, 'snapshots')}: nothing to restore from (take one with npm run backup)`,
    );
  }
  if (toMs < oldest.takenAtMs) {
    throw new RestoreRefused(
      `${iso(toMs)} is before the oldest snapshot (${oldest.takenAt}): the earliest time that can be restored is ${oldest.takenAt}`,
    );
  }
  return snapshots.filter((s) => s.takenAtMs <= toMs).at(-1) as Snapshot;
}

/** Refuses when any process has the database open (see the top of this file for how). */
export function refuseIfInUse(databasePath: string): void {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(databasePath, { fileMustExist: true, timeout: 0 });
  } catch {
    return; // no live database: nothing runs on it
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new RestoreRefused(
        `${databasePath} is in use (Stratus or a backup is running on it): stop it, then run the restore again`,
      );
    }
    // Any other error: the file is damaged (the reason to restore); the lock was not refused.
  } finally {
    db.close();
  }
}

interface Gathered {
  changes: Change[];
  source: RestoreResult['source'];
  /** Up to when the gathered log is known complete. */
  knownUntilMs: number;
  /** Why it ends there, for the warning. */
  limit: string;
  warnings: string[];
}

/**
 * The changes after the snapshot: from the live database's own log when it is readable and
 * reaches back far enough, else the shipped log (and the database's log for what comes after
 * the shipped part).
 */
async function gatherChanges(
  backupDir: string,
  liveDatabase: string,
  snapshot: Snapshot,
  nowMs: number,
): Promise<Gathered> {
  if (snapshot.timeline === null || snapshot.lastSeq === null) {
    return {
      changes: [],
      source: 'snapshot only',
      knownUntilMs: snapshot.takenAtMs,
      limit: 'the snapshot was taken before change capture was on, so nothing can be replayed on it',
      warnings: [],
    };
  }
  const warnings: string[] = [];
  const live = readLiveLog(liveDatabase, snapshot.timeline, warnings);
  if (live && live.prunedSeq <= snapshot.lastSeq) {
    return {
      changes: live.read(snapshot.lastSeq),
      source: 'database',
      knownUntilMs: nowMs,
      limit: '',
      warnings,
    };
  }
  const shipped = await readShippedChanges(backupDir, snapshot.timeline, snapshot.lastSeq);
  if (shipped.gapAfter !== undefined) {
    warnings.push(`The shipped log has a hole after change ${shipped.gapAfter} (a log file is missing)`);
  }
  if (live && live.prunedSeq <= shipped.coveredSeq) {
    return {
      changes: [...shipped.changes, ...live.read(shipped.coveredSeq)],
      source: 'shipped log and database',
      knownUntilMs: nowMs,
      limit: '',
      warnings,
    };
  }
  const lastChangeMs = shipped.changes.at(-1)?.atMs ?? snapshot.takenAtMs;
  return {
    changes: shipped.changes,
    source: 'shipped log',
    knownUntilMs: shipped.throughMs ?? lastChangeMs,
    limit: live ? 'the shipped log ends there' : 'the live database is unreadable and the shipped log ends there',
    warnings,
  };
}

/** The live database's change log, if it can be read and is of the same timeline. */
function readLiveLog(path: string, timeline: string, warnings: string[]) {
  if (!existsSync(path)) return undefined; // the data folder is lost: the shipped log it is
  const open = () => new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  let prunedSeq: number;
  try {
    const db = open();
    try {
      const state = readCaptureState(db);
      if (!state || state.timeline !== timeline) return undefined;
      prunedSeq = state.prunedSeq;
    } finally {
      db.close();
    }
  } catch (error) {
    warnings.push(`The live database could not be read (${(error as Error).message}): using the shipped log`);
    return undefined;
  }
  return {
    prunedSeq,
    read(afterSeq: number): Change[] {
      const db = open();
      try {
        const changes: Change[] = [];
        for (
          let page = readChanges(db, afterSeq);
          page.length > 0;
          page = readChanges(db, (page.at(-1) as Change).seq)
        ) {
          changes.push(...page);
        }
        return changes;
      } finally {
        db.close();
      }
    },
  };
}

/**
 * Replays the changes into the restored copy and starts its new timeline; returns the blobs
 * its objects name. Triggers are off during the replay (their effects are in the log).
 */
function rollForward(path: string, changes: Change[]): Map<string, string> {
  const db = new BetterSqlite3(path);
  try {
    db.pragma('foreign_keys = OFF');
    const appTriggers = db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, 15) <> 'backup_capture_'",
      )
      .all();
    dropCaptureTriggers(db);
    for (const trigger of appTriggers) db.exec(`DROP TRIGGER "${trigger.name.replaceAll('"', '""')}"`);
    applyChanges(db, changes);
    for (const trigger of appTriggers) db.exec(trigger.sql);
    if (readCaptureState(db)) {
      // A new timeline, starting after the last number given out (capture re-creates the triggers at start).
      const last = lastAllocatedSeq(db);
      db.prepare('DELETE FROM backup_changelog').run();
      db.prepare('UPDATE backup_state SET timeline = ?, shipped_seq = ?, pruned_seq = ? WHERE id = 1').run(
        randomUUID(),
        last,
        last,
      );
    }
    const quick = db.pragma('quick_check', { simple: true });
    if (quick !== 'ok') throw new Error(`The restored database fails SQLite's check: ${String(quick)}`);
    const objects = hasTable(db, 'stored_objects')
      ? db.prepare<[], { key: string; blob: string }>('SELECT key, blob FROM stored_objects').all()
      : [];
    return new Map(objects.map((o) => [o.blob, o.key]));
  } finally {
    db.close();
  }
}

/** Copies in the bytes of every restored object, from the backup (or the live store); all or refuse. */
async function copyBlobs(backupDir: string, dataDir: string, work: string, blobs: Map<string, string>) {
  await mkdir(join(work, 'objects', 'blobs'), { recursive: true });
  const missing: string[] = [];
  for (const [blob, key] of blobs) {
    const target = liveBlobPath(work, blob);
    let copied = false;
    await mkdir(dirname(target), { recursive: true });
    for (const source of [backupBlobPath(backupDir, blob), liveBlobPath(dataDir, blob)]) {
      try {
        // Not flushed one by one: the whole folder is flushed before it is put anywhere.
        await copyFile(source, target, constants.COPYFILE_FICLONE);
        copied = true;
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (!copied) missing.push(`${key} (blob ${blob})`);
  }
  if (missing.length > 0) {
    throw new RestoreRefused(
      `The bytes of ${missing.length} object(s) are in neither ${join(backupDir, 'blobs')} nor the live store, ` +
        `so the restore would be incomplete: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
    );
  }
}

/** The restored state's first snapshot, so later restores to moments after now find its timeline. */
async function snapshotRestored(dataDir: string, backupDir: string, warnings: string[]): Promise<void> {
  const db = new BetterSqlite3(join(dataDir, SNAPSHOT_DATABASE));
  try {
    await takeSnapshot({ db, dataDir, backupDir });
  } catch (error) {
    warnings.push(`Could not snapshot the restored data (${(error as Error).message}): run npm run backup now`);
  } finally {
    db.close();
  }
}
