/**
 * Backups of the one-machine runtime (DynamoDB PITR and S3 versioning play this role on AWS):
 * change capture in the database, a snapshot every hour, the change log shipped every minute
 * and object bytes kept as they are written, all in `BACKUP_DIR` (by default a sibling of the
 * data folder: a backup inside it would be lost with it). `restore.ts` brings any moment of
 * the window back: from the oldest kept snapshot to the last shipped minute (to now, when the
 * data folder's own log is still readable).
 *
 * Work runs one piece at a time (ship, snapshot, prune), off the request path; a failure is
 * logged and retried at the next tick rather than stopping the server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../adapters/local/database.ts';
import { keepBlob, pruneBlobs } from './blob-vault.ts';
import { captureChanges, hasTable, readCaptureState } from './changelog.ts';
import { listLogFiles, pruneLogFiles, shipLog } from './log-shipping.ts';
import {
  listSnapshots,
  pruneSnapshots,
  SNAPSHOT_DATABASE,
  type Snapshot,
  schemaFingerprint,
  takeSnapshot,
} from './snapshots.ts';

/** For the runtime with backups off: drops the capture triggers an earlier run left. */
export { stopCapturingChanges } from './changelog.ts';

export const BACKUP_DEFAULTS = { everyMinutes: 60, keep: 48, retentionDays: 7, shipEverySeconds: 60 } as const;

const DAY_MS = 24 * 3600 * 1000;
/** A kept blob younger than this is never pruned: it may be linked before its object commits. */
const BLOB_GRACE_MS = DAY_MS;
const PRUNE_BATCH = 10_000;

/** The part of a pino logger backups use. */
export interface BackupLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

const silent: BackupLogger = { info() {}, warn() {} };

/** `<DATA_DIR>-backups`: beside the data folder, not in it. */
export function defaultBackupDir(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, '')}-backups`;
}

/**
 * The object store's `keepBlob` hook: hard-links each new blob into the backup. A failure is
 * logged, not thrown (an upload should not fail because the backup disk is full); the next
 * log shipment copies what it names from the live store.
 */
export function keepBlobsIn(backupDir: string, logger: BackupLogger = silent) {
  return async (path: string, blob: string): Promise<void> => {
    await keepBlob(backupDir, path, blob).catch((error: unknown) =>
      logger.warn({ err: error, blob }, 'backup: could not keep an object blob (retried at the next log shipment)'),
    );
  };
}

export interface TakeBackupOptions {
  dataDir: string;
  backupDir: string;
  /** The live connection; without it the database is opened read-only (a backup from another process). */
  db?: Database;
  /** Snapshots kept. */
  keep?: number;
  /** Pages copied per step (see snapshots.ts); by default small in-process, one step from another process. */
  pagesPerStep?: number;
  onStep?: () => void;
}

/** Takes a snapshot now (online: writers do not wait), then deletes all but the newest `keep`. */
export async function takeBackup(options: TakeBackupOptions): Promise<Snapshot> {
  const db = options.db ?? openReadOnly(join(options.dataDir, SNAPSHOT_DATABASE));
  try {
    const snapshot = await takeSnapshot({
      db,
      dataDir: options.dataDir,
      backupDir: options.backupDir,
      // Another process's copy restarts on every write it sees between steps: copy in one step.
      pagesPerStep: options.pagesPerStep ?? (options.db ? 1000 : 0x7fffffff),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    await pruneSnapshots(options.backupDir, options.keep ?? BACKUP_DEFAULTS.keep);
    return snapshot;
  } finally {
    if (!options.db) db.close();
  }
}

function openReadOnly(path: string): Database {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Deletes what no restorable moment needs any more: from the database's change log and from
 * the shipped log, changes that are shipped, older than the retention and before the oldest
 * kept snapshot of their timeline; kept blobs no snapshot, log or live object names.
 */
export async function pruneBackups(options: {
  db: Database;
  dataDir: string;
  backupDir: string;
  retentionMs: number;
  /** Kept blobs younger than this stay whatever names them (default a day). */
  blobGraceMs?: number;
}): Promise<{ changes: number; logFiles: number; blobs: number }> {
  const { db, backupDir, retentionMs } = options;
  const nowMs = Date.now();
  const snapshots = await listSnapshots(backupDir);
  const neededAfter = new Map<string, number>();
  for (const snapshot of snapshots) {
    if (snapshot.timeline === null || snapshot.lastSeq === null) continue;
    neededAfter.set(snapshot.timeline, Math.min(neededAfter.get(snapshot.timeline) ?? Infinity, snapshot.lastSeq));
  }
  const changes = pruneChangelog(db, neededAfter, nowMs - retentionMs);
  const logFiles = await pruneLogFiles(backupDir, neededAfter, retentionMs, nowMs);
  const named = await blobsStillNamed(db, backupDir, snapshots, neededAfter);
  const blobs = await pruneBlobs(backupDir, named, options.blobGraceMs ?? BLOB_GRACE_MS, nowMs);
  return { changes, logFiles, blobs };
}

function pruneChangelog(db: Database, neededAfter: Map<string, number>, olderThanMs: number): number {
  const state = readCaptureState(db);
  if (!state) return 0;
  const upTo = Math.min(state.shippedSeq, neededAfter.get(state.timeline) ?? Infinity);
  const batch = db.prepare<[number, number, number], { seq: number }>(
    'SELECT seq FROM backup_changelog WHERE seq <= ? AND at_ms < ? ORDER BY seq LIMIT ?',
  );
  const remove = db.prepare<[number, number]>('DELETE FROM backup_changelog WHERE seq <= ? AND at_ms < ?');
  const record = db.prepare<[number, number]>('UPDATE backup_state SET pruned_seq = ? WHERE id = 1 AND pruned_seq < ?');
  let removed = 0;
  for (;;) {
    // In batches: each delete holds the write lock only briefly.
    const last = batch.all(upTo, olderThanMs, PRUNE_BATCH).at(-1)?.seq;
    if (last === undefined) return removed;
    removed += remove.run(last, olderThanMs).changes;
    record.run(last, last);
  }
}

/** Every blob a restorable moment may need: in kept snapshots, in the log after them, and live. */
async function blobsStillNamed(
  db: Database,
  backupDir: string,
  snapshots: Snapshot[],
  neededAfter: Map<string, number>,
): Promise<Set<string>> {
  const named = new Set<string>();
  for (const snapshot of snapshots) {
    const copy = new BetterSqlite3(join(snapshot.path, SNAPSHOT_DATABASE), { readonly: true });
    try {
      if (hasTable(copy, 'stored_objects')) {
        for (const blob of copy.prepare<[], string>('SELECT blob FROM stored_objects').pluck().iterate()) {
          named.add(blob);
        }
      }
    } finally {
      copy.close();
    }
  }
  for (const file of await listLogFiles(backupDir)) {
    if (file.last <= (neededAfter.get(file.timeline) ?? Infinity)) continue;
    for (const line of (await readFile(file.path, 'utf8')).split('\n')) {
      if (!line.includes('"stored_objects"')) continue;
      const change = JSON.parse(line) as { table: string; row: { blob?: unknown } | null };
      if (change.table === 'stored_objects' && typeof change.row?.blob === 'string') named.add(change.row.blob);
    }
  }
  if (hasTable(db, 'stored_objects')) {
    for (const blob of db.prepare<[], string>('SELECT blob FROM stored_objects').pluck().iterate()) named.add(blob);
  }
  if (hasTable(db, 'backup_changelog')) {
    const fromLog = db
      .prepare<[], string>(
        "SELECT json_extract(row, '$.blob') FROM backup_changelog WHERE tbl = 'stored_objects' AND row IS NOT NULL",
      )
      .pluck();
    for (const blob of fromLog.iterate()) named.add(blob);
  }
  return named;
}

export interface StartBackupsOptions {
  /** The live database, after every store has made its tables (they are captured from now on). */
  db: Database;
  dataDir: string;
  backupDir: string;
  /** Minutes between snapshots. */
  everyMinutes?: number;
  /** Snapshots kept. */
  keep?: number;
  /** Days of change log kept (and never less than the oldest kept snapshot needs). */
  retentionDays?: number;
  /** Seconds between log shipments: the recovery point if the data folder is lost. */
  shipEverySeconds?: number;
  logger?: BackupLogger;
}

export interface RunningBackups {
  /** A snapshot now (also ships the log and prunes). */
  takeBackup(): Promise<Snapshot>;
  /** Ships the log now. */
  shipLog(): Promise<void>;
  /** Stops the timers, ships what is left and waits for work under way; call before closing the database. */
  stop(): Promise<void>;
}

/**
 * Turns capture on and schedules the work. Takes a first snapshot at once when this timeline
 * has none yet (backups just turned on, or a restore) or the schema changed since the last.
 */
export function startBackups(options: StartBackupsOptions): RunningBackups {
  const { db, dataDir, backupDir } = options;
  const logger = options.logger ?? silent;
  const keep = options.keep ?? BACKUP_DEFAULTS.keep;
  const retentionMs = (options.retentionDays ?? BACKUP_DEFAULTS.retentionDays) * DAY_MS;
  const capture = captureChanges(db);

  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const ship = async () => {
    const result = await shipLog({ db, backupDir, dataDir });
    if (result.missingBlobs.length > 0) {
      logger.warn({ blobs: result.missingBlobs }, 'backup: object bytes were gone before they could be kept');
    }
  };
  const snapshot = async () => {
    await ship();
    const taken = await takeBackup({ db, dataDir, backupDir, keep });
    if (taken.missingBlobs.length > 0) {
      logger.warn({ blobs: taken.missingBlobs }, 'backup: the snapshot names object bytes that were not found');
    }
    const pruned = await pruneBackups({ db, dataDir, backupDir, retentionMs });
    logger.info({ snapshot: taken.name, lastSeq: taken.lastSeq, pruned }, 'backup: snapshot taken');
    return taken;
  };
  const inBackground = (what: string, work: () => Promise<unknown>) => () => {
    if (stopped) return;
    serially(work).catch((error: unknown) => logger.warn({ err: error }, `backup: ${what} failed`));
  };

  const shipTimer = setInterval(
    inBackground('log shipment', ship),
    (options.shipEverySeconds ?? BACKUP_DEFAULTS.shipEverySeconds) * 1000,
  ).unref();
  const snapshotTimer = setInterval(
    inBackground('snapshot', snapshot),
    (options.everyMinutes ?? BACKUP_DEFAULTS.everyMinutes) * 60_000,
  ).unref();
  inBackground('first snapshot', async () => {
    const newest = (await listSnapshots(backupDir)).filter((s) => s.timeline === capture.timeline).at(-1);
    if (!newest || newest.schema !== schemaFingerprint(db)) await snapshot();
  })();

  return {
    takeBackup: () => serially(snapshot),
    shipLog: () => serially(ship),
    async stop() {
      if (stopped) return queue.then(() => {});
      stopped = true;
      clearInterval(shipTimer);
      clearInterval(snapshotTimer);
      await serially(ship).catch((error: unknown) => logger.warn({ err: error }, 'backup: last log shipment failed'));
    },
  };
}
