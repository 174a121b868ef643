/**
 * `npm run backup`: takes a snapshot of the data folder now, into BACKUP_DIR. Works while
 * Stratus runs (from this other process, the database is read in one consistent pass that
 * does not block its writers). Reads DATA_DIR (default ./data), BACKUP_DIR (default
 * `<DATA_DIR>-backups`) and BACKUP_KEEP (snapshots kept, default 48).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKUP_DEFAULTS, defaultBackupDir, takeBackup } from '../src/local/backup/backups.ts';

const EX_USAGE = 64;
const usage = 'Usage: npm run backup   (environment: DATA_DIR, BACKUP_DIR, BACKUP_KEEP)';

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

try {
  parseArgs({ args: process.argv.slice(2), options: {}, strict: true, allowPositionals: false });
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, EX_USAGE);
}
const dataDir = resolve(process.env.DATA_DIR || './data');
const backupDir = resolve(process.env.BACKUP_DIR || defaultBackupDir(dataDir));
const keepText = process.env.BACKUP_KEEP || String(BACKUP_DEFAULTS.keep);
const keep = Number(keepText);
if (!Number.isInteger(keep) || keep < 1)
  fail(`BACKUP_KEEP must be a whole number of snapshots, at least 1 (it is ${keepText})`, EX_USAGE);
if (!existsSync(join(dataDir, 'stratus.db')))
  fail(`There is no database at ${join(dataDir, 'stratus.db')}: check DATA_DIR`);

try {
  const snapshot = await takeBackup({ dataDir, backupDir, keep });
  console.log(`Snapshot ${snapshot.name} written to ${snapshot.path}`);
  if (snapshot.lastSeq === null) {
    console.log(
      'Change capture is not on for this database (start Stratus with backups on): this snapshot cannot be rolled forward.',
    );
  }
  if (snapshot.missingBlobs.length > 0) {
    console.warn(
      `Warning: the bytes of ${snapshot.missingBlobs.length} object(s) were not found: ${snapshot.missingBlobs.slice(0, 10).join(', ')}`,
    );
  }
} catch (error) {
  fail(`The backup failed: ${(error as Error).message}`);
}
