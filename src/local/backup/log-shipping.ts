/**
 * Log shipping: copies the captured changes out of the database into the backup folder every
 * minute, so losing the whole data folder loses at most the last minute (the recovery point).
 *
 * Files: `<BACKUP_DIR>/log/<timeline>/<after>-<last>.jsonl`, one change per line holding the
 * changes numbered after `<after>` up to `<last>` (zero-padded, so names sort). Each file is
 * written whole, flushed and renamed, never appended to: a crash leaves a complete file or
 * none. A crash between writing a file and recording it in the database makes the next file
 * overlap it; readers take each change once. `through.json` says up to when everything is
 * shipped, so a restore from the log alone knows how far it can reach.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../adapters/local/database.ts';
import { ensureBlobsKept } from './blob-vault.ts';
import { type Change, readCaptureState } from './changelog.ts';
import { exists, writeFileDurable } from './durable-files.ts';

const LOG_FILE = /^(\d{16})-(\d{16})\.jsonl$/;
const SHIP_BATCH = 10_000;

export interface LogFile {
  timeline: string;
  after: number;
  last: number;
  path: string;
  mtimeMs: number;
}

interface Through {
  seq: number;
  atMs: number;
}

export const logDir = (backupDir: string, timeline: string): string => join(backupDir, 'log', timeline);

const pad = (seq: number): string => String(seq).padStart(16, '0');

/**
 * Ships every change not shipped yet; also makes sure the bytes of every object those changes
 * name are in the backup (the safety net under the store's keepBlob hook). Returns how many
 * changes went out and the blobs that could be found nowhere.
 */
export async function shipLog(options: { db: Database; backupDir: string; dataDir: string }) {
  const { db, backupDir, dataDir } = options;
  const state = readCaptureState(db);
  if (!state) return { shipped: 0, missingBlobs: [] as string[] };
  const startedMs = Date.now();
  const dir = logDir(backupDir, state.timeline);
  const lines = db.prepare<[number, number], { seq: number; line: string }>(
    `SELECT seq, json_object('seq', seq, 'grp', grp, 'at', at_ms, 'table', tbl, 'op', op, 'pk', json(pk), 'row', json(row)) AS line
     FROM backup_changelog WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const blobs = db.prepare<[number, number], { blob: string }>(
    `SELECT DISTINCT json_extract(row, '$.blob') AS blob FROM backup_changelog
     WHERE seq > ? AND seq <= ? AND tbl = 'stored_objects' AND row IS NOT NULL`,
  );
  const record = db.prepare<[number, number]>(
    'UPDATE backup_state SET shipped_seq = ? WHERE id = 1 AND shipped_seq < ?',
  );
  let after = state.shippedSeq;
  let shipped = 0;
  const missingBlobs: string[] = [];
  for (;;) {
    const rows = lines.all(after, SHIP_BATCH);
    const last = rows.at(-1)?.seq;
    if (last === undefined) break;
    const named = blobs.all(after, last).map((row) => row.blob);
    missingBlobs.push(...(await ensureBlobsKept(backupDir, dataDir, named)));
    await writeFileDurable(
      join(dir, `${pad(after)}-${pad(last)}.jsonl`),
      `${rows.map((row) => row.line).join('\n')}\n`,
    );
    record.run(last, last);
    shipped += rows.length;
    after = last;
  }
  // Everything committed before this run started is numbered at most `after`, and shipped.
  const through: Through = { seq: after, atMs: startedMs };
  await writeFileDurable(join(dir, 'through.json'), JSON.stringify(through));
  return { shipped, missingBlobs };
}

/** The shipped log files, of one timeline or all, ordered by position. */
export async function listLogFiles(backupDir: string, timeline?: string): Promise<LogFile[]> {
  const root = join(backupDir, 'log');
  const timelines = timeline ? [timeline] : await readdir(root).catch(() => [] as string[]);
  const files: LogFile[] = [];
  for (const name of timelines) {
    for (const file of await readdir(join(root, name)).catch(() => [] as string[])) {
      const match = LOG_FILE.exec(file);
      if (!match) continue;
      const path = join(root, name, file);
      const { mtimeMs } = await stat(path);
      files.push({ timeline: name, after: Number(match[1]), last: Number(match[2]), path, mtimeMs });
    }
  }
  return files.sort((a, b) => a.after - b.after || a.last - b.last);
}

/**
 * The shipped changes of `timeline` after `afterSeq`, as far as the files join up without a
 * hole. `coveredSeq` is the last position known complete; `throughMs`, when known, the time
 * up to which the log holds every commit.
 */
export async function readShippedChanges(backupDir: string, timeline: string, afterSeq: number) {
  const changes: Change[] = [];
  let coveredSeq = afterSeq;
  let gapAfter: number | undefined;
  // SQLite reads the lines, so 64-bit integers inside rows stay exact (JSON.parse would round them).
  const scratch = new BetterSqlite3(':memory:');
  try {
    const parse = scratch.prepare<{ line: string }, Change>(
      `SELECT json_extract(:line, '$.seq') AS seq, json_extract(:line, '$.grp') AS grp, json_extract(:line, '$.at') AS atMs,
              json_extract(:line, '$.table') AS "table", json_extract(:line, '$.op') AS op,
              json_extract(:line, '$.pk') AS pk, json_extract(:line, '$.row') AS row`,
    );
    for (const file of await listLogFiles(backupDir, timeline)) {
      if (file.last <= coveredSeq) continue;
      if (file.after > coveredSeq) {
        gapAfter = coveredSeq;
        break;
      }
      const text = await readFile(file.path, 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let change: Change | undefined;
        try {
          change = parse.get({ line });
        } catch (cause) {
          throw new Error(`The log file ${file.path} is damaged: ${(cause as Error).message}`, { cause });
        }
        if (change && change.seq > coveredSeq) changes.push(change);
      }
      coveredSeq = file.last;
    }
  } finally {
    scratch.close();
  }
  const through = await readThrough(backupDir, timeline);
  const throughMs = through && through.seq <= coveredSeq && gapAfter === undefined ? through.atMs : undefined;
  return { changes, coveredSeq, throughMs, gapAfter };
}

async function readThrough(backupDir: string, timeline: string): Promise<Through | undefined> {
  const path = join(logDir(backupDir, timeline), 'through.json');
  if (!(await exists(path))) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as Through;
}

/**
 * Removes log files older than the retention that no kept snapshot needs to roll forward
 * (`neededAfter`: per timeline, the lowest position a kept snapshot starts from), and the
 * folders of timelines with nothing left.
 */
export async function pruneLogFiles(
  backupDir: string,
  neededAfter: Map<string, number>,
  retentionMs: number,
  nowMs: number,
): Promise<number> {
  let removed = 0;
  const byTimeline = new Map<string, LogFile[]>();
  for (const file of await listLogFiles(backupDir)) {
    byTimeline.set(file.timeline, [...(byTimeline.get(file.timeline) ?? []), file]);
  }
  for (const timeline of await readdir(join(backupDir, 'log')).catch(() => [] as string[])) {
    const needed = neededAfter.get(timeline) ?? Number.POSITIVE_INFINITY;
    const files = byTimeline.get(timeline) ?? [];
    let left = files.length;
    for (const file of files) {
      if (file.last > needed || nowMs - file.mtimeMs < retentionMs) continue;
      await rm(file.path, { force: true });
      removed++;
      left--;
    }
    if (left === 0 && !neededAfter.has(timeline)) {
      await rm(logDir(backupDir, timeline), { recursive: true, force: true });
      continue;
    }
    // Temporary files of a shipment killed mid-write (shipments are serial: an old one is dead).
    for (const name of await readdir(logDir(backupDir, timeline))) {
      const path = join(logDir(backupDir, timeline), name);
      if (name.endsWith('.tmp') && nowMs - (await stat(path)).mtimeMs > 3600_000) await rm(path, { force: true });
    }
  }
  return removed;
}
