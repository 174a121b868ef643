/**
 * `npm run restore -- --to <ISO time> [--confirm]`: rebuilds the data folder as it was at that
 * time from BACKUP_DIR. Without --confirm the result is written beside the data folder and
 * the live one is untouched; with --confirm (Stratus stopped) the live folder is moved aside
 * and the result put in its place. Reads DATA_DIR (default ./data) and BACKUP_DIR (default
 * `<DATA_DIR>-backups`). `--to now` restores the newest state the backup holds.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultBackupDir } from '../src/local/backup/backups.ts';
import { RestoreRefused, restore } from '../src/local/backup/restore.ts';

const EX_USAGE = 64;
const usage = 'Usage: npm run restore -- --to <ISO time, e.g. 2025-01-31T14:05:00Z, or now> [--confirm]';

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let values: { to?: string; confirm?: boolean };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: { to: { type: 'string' }, confirm: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, EX_USAGE);
}
if (!values.to) fail(`--to is required\n${usage}`, EX_USAGE);
// A date and a time; a time without a zone is local time, as Date reads it.
const isoLike = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const to = values.to === 'now' ? new Date() : new Date(values.to);
if ((values.to !== 'now' && !isoLike.test(values.to)) || Number.isNaN(to.getTime())) {
  fail(`--to ${values.to} is not an ISO date and time (like 2025-01-31T14:05:00Z)\n${usage}`, EX_USAGE);
}

const dataDir = resolve(process.env.DATA_DIR || './data');
const backupDir = resolve(process.env.BACKUP_DIR || defaultBackupDir(dataDir));
try {
  const result = await restore({ dataDir, backupDir, to, confirm: values.confirm === true });
  console.log(
    `Restored to ${to.toISOString()} from snapshot ${result.snapshot} and ${result.replayed} change(s) (${result.source}).`,
  );
  console.log(`The newest change in the result is from ${result.stateAt.toISOString()}.`);
  for (const warning of result.warnings) console.warn(`Warning: ${warning}`);
  if (result.movedAsideTo) {
    console.log(
      `The restored data is now in ${result.restoredDir}; the previous data folder was moved to ${result.movedAsideTo}.`,
    );
  } else {
    console.log(`The restored data is in ${result.restoredDir}. The live data folder ${dataDir} was not touched.`);
    console.log('To use it: stop Stratus and run this again with --confirm (or point DATA_DIR at the folder above).');
  }
} catch (error) {
  if (error instanceof RestoreRefused) fail(`Restore refused: ${error.message}`);
  fail(`The restore failed: ${(error as Error).message}`);
}
