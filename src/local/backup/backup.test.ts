import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { type Database, openDatabase } from '../../adapters/local/database.ts';
import { DiskObjectStore, loadOrCreateObjectSigningSecret } from '../../adapters/local/disk-object-store.ts';
import { LocalIdentity } from '../../adapters/local/local-identity.ts';
import { SqliteQueue } from '../../adapters/local/sqlite-queue.ts';
import { SqliteQuotaStore } from '../../adapters/local/sqlite-rate-store.ts';
import { SqliteTable } from '../../adapters/local/sqlite-table.ts';
import { LocalStreamDispatcher } from '../../adapters/local/stream-dispatcher.ts';
import { loadOrCreateSigningKeys } from '../../adapters/local/token-keys.ts';
import { keepBlobsIn, pruneBackups, type RunningBackups, startBackups } from './backups.ts';
import { backupBlobPath } from './blob-vault.ts';
import { tableShapes } from './changelog.ts';
import { listLogFiles } from './log-shipping.ts';
import { RestoreRefused, restore } from './restore.ts';
import { listSnapshots } from './snapshots.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A data folder and its sibling backup folder in a fresh temporary directory. */
async function folders() {
  const base = await mkdtemp(join(tmpdir(), 'stratus-backup-'));
  return { base, dataDir: join(base, 'data'), backupDir: join(base, 'data-backups') };
}

/** The local stores on one database, as the runtime builds them, with backups on. */
async function openStack(dataDir: string, backupDir: string, options: { identity?: boolean; schema?: string } = {}) {
  const db = openDatabase(join(dataDir, 'stratus.db'));
  if (options.schema) db.exec(options.schema);
  const table = new SqliteTable(db);
  const queue = new SqliteQueue(db, []);
  const objects = await DiskObjectStore.open({
    dir: join(dataDir, 'objects'),
    db,
    queue,
    publicUrl: 'http://127.0.0.1:1',
    secret: await loadOrCreateObjectSigningSecret(dataDir),
    keepBlob: keepBlobsIn(backupDir),
  });
  const quotas = new SqliteQuotaStore(db);
  new LocalStreamDispatcher(db, []);
  const identity = options.identity
    ? new LocalIdentity({
        db,
        keys: await loadOrCreateSigningKeys(dataDir),
        notifier: { send: async () => ({ messageId: 'test' }) },
        issuer: 'https://stratus.test',
        clientId: 'test',
      })
    : undefined;
  // Long timers: the tests ship and snapshot by hand.
  const backups: RunningBackups = startBackups({
    db,
    dataDir,
    backupDir,
    everyMinutes: 600,
    shipEverySeconds: 3600,
    logger: pino({ level: 'silent' }),
  });
  return {
    db,
    table,
    objects,
    quotas,
    identity,
    backups,
    async close() {
      await backups.stop();
      db.close();
    },
  };
}

type State = { tables: Record<string, unknown[][]>; objects: Record<string, string> };

/** Every app table's rows (and SQLite's AUTOINCREMENT counters) and every object's bytes, comparable. */
async function stateOf(db: Database, dataDir: string): Promise<State> {
  const tables: Record<string, unknown[][]> = {};
  for (const shape of tableShapes(db)) {
    const order = shape.columns.map((_, i) => i + 1).join(', ');
    tables[shape.name] = db
      .prepare(`SELECT ${shape.columns.map((c) => `"${c}"`).join(', ')} FROM "${shape.name}" ORDER BY ${order}`)
      .safeIntegers() // 64-bit integers compared exactly
      .raw()
      .all() as unknown[][];
  }
  tables.sqlite_sequence = db
    .prepare("SELECT name, seq FROM sqlite_sequence WHERE name <> 'backup_changelog' ORDER BY name")
    .raw()
    .all() as unknown[][];
  const objects: Record<string, string> = {};
  const rows = db.prepare('SELECT key, blob FROM stored_objects').all() as { key: string; blob: string }[];
  for (const { key, blob } of rows) {
    const bytes = await readFile(join(dataDir, 'objects', 'blobs', blob.slice(0, 2), blob));
    objects[key] = createHash('sha256').update(bytes).digest('hex');
  }
  return { tables, objects };
}

async function stateOfFolder(dataDir: string): Promise<State> {
  const db = new BetterSqlite3(join(dataDir, 'stratus.db'), { readonly: true });
  try {
    return await stateOf(db, dataDir);
  } finally {
    db.close();
  }
}

/**
 * Every file under a folder with its bytes' hash: to prove a folder untouched. SQLite's side
 * files are left out when they hold no data: a read-only reader creates an empty WAL and its index.
 */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (entry.name.endsWith('.db-shm')) continue;
    if (entry.name.endsWith('.db-wal') && (await stat(path)).size === 0) continue;
    result[path.slice(dir.length)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return result;
}

function child(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForLine(process: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    process.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').includes(line)) resolve();
    });
    process.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${line}: ${seen}`)));
  });
}

function exitOf(process: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  process.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  process.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => process.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const put = (store: DiskObjectStore, key: string, text: string) => store.put(key, Buffer.from(text), 'text/plain');

test('a restore to a moment between writes gives exactly the rows and object bytes of that moment, from the live log or from the shipped log alone', async () => {
  const { base, dataDir, backupDir } = await folders();
  // A table of the kinds of values JSON cannot hold as they are: BLOBs, 64-bit integers, reals.
  const schema = 'CREATE TABLE IF NOT EXISTS odd_values (id INTEGER PRIMARY KEY, bytes BLOB, big INTEGER, ratio REAL)';
  const stack = await openStack(dataDir, backupDir, { identity: true, schema });
  const { db, table, objects, quotas } = stack;
  const odd = db.prepare('INSERT INTO odd_values (bytes, big, ratio) VALUES (?, ?, ?)');
  odd.run(Buffer.from([0, 255, 1]), 1n, 1 / 3);
  for (let i = 0; i < 20; i++) await table.put({ PK: `user#${i}`, SK: 'profile', name: `User ${i}`, GSI1PK: 'all' });
  await put(objects, 'photos/a.jpg', 'bytes of a');
  await put(objects, 'photos/b.jpg', 'bytes of b');
  await put(objects, 'photos/c.jpg', 'bytes of c');
  await stack.identity?.signUp({ email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' });
  await stack.backups.takeBackup();

  await table.update({ PK: 'user#1', SK: 'profile' }, { set: { name: 'Renamed', big: 2 ** 53 + 2 } });
  await table.delete({ PK: 'user#2', SK: 'profile' });
  await table.transact([
    { put: { PK: 'order#1', SK: 'line#1', qty: 0.1 } },
    { delete: { PK: 'user#3', SK: 'profile' } },
  ]);
  await put(objects, 'photos/a.jpg', 'new bytes of a');
  await objects.delete('photos/b.jpg');
  await put(objects, 'photos/d.jpg', 'bytes of d');
  await objects.copy('photos/c.jpg', 'photos/c-copy.jpg');
  await quotas.add([{ id: 'key-1', day: '2025-01-01', count: 3 }]);
  db.prepare("INSERT INTO identity_codes SELECT sub, 'reset', 'x', 1, 0, 1, 1 FROM identity_users").run();
  odd.run(Buffer.from('bytes\0with a zero'), 2n ** 62n + 1n, 0.1 + 0.2);
  db.prepare('UPDATE odd_values SET bytes = ? WHERE id = 1').run(Buffer.alloc(0));
  await stack.backups.shipLog();

  await sleep(5);
  const expected = await stateOf(db, dataDir);
  const moment = new Date();
  await sleep(5);

  await objects.delete('photos/a.jpg');
  await objects.delete('photos/d.jpg');
  await put(objects, 'photos/c.jpg', 'replaced c');
  for (let i = 10; i < 20; i++) await table.delete({ PK: `user#${i}`, SK: 'profile' });
  await table.put({ PK: 'user#99', SK: 'profile', name: 'Later' });
  db.prepare('DELETE FROM identity_users').run(); // cascades to identity_codes
  db.prepare('DELETE FROM odd_values WHERE id = 2').run();
  await stack.backups.shipLog();

  const fromLive = await restore({ backupDir, dataDir, to: moment });
  assert.equal(fromLive.source, 'database');
  assert.deepEqual(await stateOfFolder(fromLive.restoredDir), expected);
  assert.deepEqual(
    await readFile(join(fromLive.restoredDir, 'keys', 'object-signing-secret')),
    await readFile(join(dataDir, 'keys', 'object-signing-secret')),
  );

  // The data folder is lost: the shipped log alone brings back the same moment.
  await stack.close();
  await rm(dataDir, { recursive: true });
  const fromLog = await restore({ backupDir, dataDir, to: moment });
  assert.equal(fromLog.source, 'shipped log');
  assert.deepEqual(fromLog.warnings, []);
  assert.deepEqual(await stateOfFolder(fromLog.restoredDir), expected);
  await rm(base, { recursive: true, force: true });
});

test('backups taken while another process commits transactions without pause restore with every transaction whole and none skipped', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  await stack.table.put({ PK: 'seed', SK: 'seed', payload: 'x'.repeat(2000) });
  await stack.backups.takeBackup();

  const writer = child(['src/local/backup/test-processes.ts', 'writer', dataDir, '30000']);
  const writerDone = exitOf(writer);
  await waitForLine(writer, 'writing');
  // One backup from the runtime's own connection, one from `npm run backup` in a third process.
  await sleep(200);
  await stack.backups.takeBackup();
  const moments: Date[] = [new Date()];
  const script = await exitOf(child(['scripts/backup.ts'], { DATA_DIR: dataDir, BACKUP_DIR: backupDir }));
  assert.equal(script.code, 0, script.stderr);
  moments.push(new Date());
  await sleep(300);
  moments.push(new Date());
  await sleep(100);
  writer.kill('SIGTERM'); // stop writing
  const done = await writerDone;
  assert.equal(done.code, 0, done.stderr);
  const written = Number(/done (\d+)/.exec(done.stdout)?.[1]);
  await stack.backups.shipLog();
  assert.equal((await listSnapshots(backupDir)).length, 4);

  for (const moment of moments) {
    const result = await restore({ backupDir, dataDir, to: moment });
    const restored = new BetterSqlite3(join(result.restoredDir, 'stratus.db'), { readonly: true });
    const halves = restored.prepare("SELECT pk, count(*) AS n FROM items WHERE pk LIKE 'pair#%' GROUP BY pk").all() as {
      pk: string;
      n: number;
    }[];
    const records = restored.prepare("SELECT count(*) AS n FROM stream_records WHERE pk LIKE 'pair#%'").get() as {
      n: number;
    };
    restored.close();
    // At most what was written (a busy machine may starve the writer between the last moment and its stop).
    assert.ok(
      halves.length > 0 && halves.length <= written,
      `a moment during the writes (${halves.length} of ${written})`,
    );
    assert.ok(
      halves.every((pair) => pair.n === 2),
      'each transaction wrote both items or neither',
    );
    // Commit order kept: the pairs present are exactly the first ones written.
    const numbers = halves.map((pair) => Number(pair.pk.slice(5))).sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i),
    );
    assert.equal(records.n, halves.length * 2, 'every item has its change record');
  }
  await stack.close();
  await rm(base, { recursive: true, force: true });
});

test('a restore cut between the rows of one transaction written in different milliseconds takes all of it or none', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  const { db } = stack;
  await stack.backups.takeBackup();
  await sleep(5);
  const insert = db.prepare('INSERT INTO rate_limit_daily (id, day, count) VALUES (?, ?, ?)');
  db.transaction(() => {
    insert.run('first', '2025-01-01', 1);
    const next = Date.now() + 3;
    while (Date.now() < next) {} // the second row lands at least two milliseconds later
    insert.run('second', '2025-01-01', 1);
  })();
  await sleep(3);
  // A statement of its own, writing several rows at one time: one group too.
  db.prepare("INSERT INTO rate_limit_daily (id, day, count) VALUES ('x', 'd', 1), ('y', 'd', 1)").run();
  const logged = db
    .prepare('SELECT grp, at_ms AS at FROM backup_changelog WHERE tbl = ? ORDER BY seq')
    .all('rate_limit_daily') as { grp: number; at: number }[];
  const [first, second, x, y] = logged as [
    (typeof logged)[0],
    (typeof logged)[0],
    (typeof logged)[0],
    (typeof logged)[0],
  ];
  assert.equal(first.grp, second.grp, 'one transaction, one group');
  assert.ok(second.at > first.at + 1, 'the transaction straddles a millisecond boundary');
  assert.ok(x.grp < 0 && x.grp === y.grp && x.at === y.at, 'one autocommit statement, one time');

  const ids = async (to: number) => {
    const result = await restore({ backupDir, dataDir, to: new Date(to) });
    const restored = new BetterSqlite3(join(result.restoredDir, 'stratus.db'), { readonly: true });
    const rows = restored.prepare('SELECT id FROM rate_limit_daily ORDER BY id').pluck().all();
    restored.close();
    return rows;
  };
  assert.deepEqual(await ids(first.at), [], 'cut after the first row: the transaction is not complete, so none of it');
  assert.deepEqual(await ids(second.at), ['first', 'second']);
  assert.deepEqual(await ids(x.at), ['first', 'second', 'x', 'y']);
  await stack.close();
  await rm(base, { recursive: true, force: true });
});

test('kill -9 during a backup leaves the live data intact and no snapshot counted; the next backup clears the remains', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  const items = Array.from({ length: 300 }, (_, i) => ({ PK: `bulk#${i}`, SK: 'x', payload: 'y'.repeat(1500) }));
  for (let i = 0; i < items.length; i += 25) {
    await stack.table.transact(items.slice(i, i + 25).map((item) => ({ put: item })));
  }
  await stack.backups.takeBackup();
  const before = await stateOf(stack.db, dataDir);
  const snapshotsBefore = await listSnapshots(backupDir);

  const backup = child(['src/local/backup/test-processes.ts', 'slow-backup', dataDir, backupDir]);
  const exited = exitOf(backup);
  await waitForLine(backup, 'copying');
  backup.kill('SIGKILL');
  assert.equal((await exited).code, null, 'killed, not finished');

  const leftovers = (await readdir(join(backupDir, 'snapshots'))).filter((name) => name.startsWith('.partial-'));
  assert.equal(leftovers.length, 1, 'the killed backup was mid-way');
  assert.deepEqual(await listSnapshots(backupDir), snapshotsBefore);
  assert.deepEqual(await stateOf(stack.db, dataDir), before);
  assert.equal(stack.db.pragma('integrity_check', { simple: true }), 'ok');

  await stack.backups.takeBackup();
  assert.equal((await listSnapshots(backupDir)).length, snapshotsBefore.length + 1);
  const remains = (await readdir(join(backupDir, 'snapshots'))).filter((name) => name.startsWith('.'));
  assert.deepEqual(remains, []);
  await stack.close();
  await rm(base, { recursive: true, force: true });
});

test('a restore without confirm writes the result beside the data folder and leaves the live folder untouched', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  await stack.table.put({ PK: 'a', SK: 'a' });
  await put(stack.objects, 'kept.txt', 'kept');
  await stack.backups.takeBackup();
  await stack.table.put({ PK: 'b', SK: 'b' });
  await stack.close();
  const live = await fingerprint(dataDir);

  const result = await restore({ backupDir, dataDir, to: new Date() });
  assert.notEqual(result.restoredDir, dataDir);
  assert.ok(result.restoredDir.startsWith(`${dataDir}.restored-`));
  assert.equal(result.movedAsideTo, undefined);
  assert.deepEqual(await fingerprint(dataDir), live);
  assert.deepEqual((await stateOfFolder(result.restoredDir)).tables.items?.length, 2);
  await rm(base, { recursive: true, force: true });
});

test('a restore refuses a time before the oldest snapshot or in the future, naming the window', async () => {
  const { base, dataDir, backupDir } = await folders();
  const noSnapshots = await restore({ backupDir, dataDir, to: new Date() }).catch((error: unknown) => error);
  assert.ok(noSnapshots instanceof RestoreRefused && /no snapshot/.test(noSnapshots.message));
  const beforeAll = new Date();
  await sleep(5);
  const stack = await openStack(dataDir, backupDir);
  await stack.backups.takeBackup();
  await stack.close();
  const [oldest] = await listSnapshots(backupDir);

  await assert.rejects(
    restore({ backupDir, dataDir, to: beforeAll }),
    (error: unknown) =>
      error instanceof RestoreRefused &&
      error.message.includes('before the oldest snapshot') &&
      error.message.includes(oldest?.takenAt as string),
  );
  await assert.rejects(
    restore({ backupDir, dataDir, to: new Date(Date.now() + 60_000) }),
    (error: unknown) => error instanceof RestoreRefused && error.message.includes('in the future'),
  );
  await rm(base, { recursive: true, force: true });
});

test('a restore refuses when an object’s bytes are missing, naming the object, and leaves no partial folder', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  const { objects } = stack;
  await put(objects, 'docs/report.pdf', 'report');
  await stack.backups.takeBackup();
  const blob = (stack.db.prepare('SELECT blob FROM stored_objects').pluck().get() as string) ?? '';
  await stack.close();
  await rm(backupBlobPath(backupDir, blob));
  await rm(join(dataDir, 'objects', 'blobs', blob.slice(0, 2), blob));

  await assert.rejects(
    restore({ backupDir, dataDir, to: new Date() }),
    (error: unknown) =>
      error instanceof RestoreRefused && error.message.includes('docs/report.pdf') && error.message.includes(blob),
  );
  const siblings = await readdir(base);
  assert.deepEqual(siblings.sort(), ['data', 'data-backups']);
  await rm(base, { recursive: true, force: true });
});

test('a confirmed restore refuses while the database is open, then moves the live folder aside and starts a new timeline', async () => {
  const { base, dataDir, backupDir } = await folders();
  let stack = await openStack(dataDir, backupDir);
  await stack.table.put({ PK: 'early', SK: 'x' });
  await stack.backups.takeBackup();
  await sleep(5);
  const moment = new Date();
  await sleep(5);
  await stack.table.put({ PK: 'abandoned', SK: 'x' });
  await stack.backups.shipLog();

  await assert.rejects(
    restore({ backupDir, dataDir, to: moment, confirm: true }),
    (error: unknown) => error instanceof RestoreRefused && error.message.includes('in use'),
  );
  await stack.close();
  const result = await restore({ backupDir, dataDir, to: moment, confirm: true });
  assert.equal(result.restoredDir, dataDir);
  assert.ok(result.movedAsideTo && (await stat(join(result.movedAsideTo, 'stratus.db'))).isFile());

  // Life goes on in the restored folder; a later restore follows the new timeline, not the abandoned one.
  stack = await openStack(dataDir, backupDir);
  await stack.table.put({ PK: 'after-restore', SK: 'x' });
  await stack.backups.shipLog();
  await stack.close();
  await rm(dataDir, { recursive: true });
  const again = await restore({ backupDir, dataDir, to: new Date() });
  const restored = await stateOfFolder(again.restoredDir);
  assert.deepEqual(
    restored.tables.items?.map((row) => row[0]),
    ['after-restore', 'early'],
  );
  await rm(base, { recursive: true, force: true });
});

test('the backup and restore scripts refuse bad arguments with exit code 64 and say what is wrong', async () => {
  const [noTime, badTime, unknown] = await Promise.all([
    exitOf(child(['scripts/restore.ts'])),
    exitOf(child(['scripts/restore.ts', '--to', 'yesterday'])),
    exitOf(child(['scripts/backup.ts', '--now'])),
  ]);
  assert.equal(noTime.code, 64);
  assert.match(noTime.stderr, /--to is required/);
  assert.equal(badTime.code, 64);
  assert.match(badTime.stderr, /not an ISO date/);
  assert.equal(unknown.code, 64);
  assert.match(unknown.stderr, /Unknown option '--now'/);
});

test('pruning drops shipped changes, log files and blobs older than the retention that no kept snapshot needs', async () => {
  const { base, dataDir, backupDir } = await folders();
  const stack = await openStack(dataDir, backupDir);
  const { db, objects } = stack;
  await put(objects, 'old.txt', 'old');
  const oldBlob = db.prepare('SELECT blob FROM stored_objects').pluck().get() as string;
  await objects.delete('old.txt');
  await stack.backups.shipLog();
  // Age all of it past a one-day retention, then snapshot after it.
  const longAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  db.prepare('UPDATE backup_changelog SET at_ms = ?').run(longAgo.getTime());
  for (const file of await listLogFiles(backupDir)) await utimes(file.path, longAgo, longAgo);
  const newest = await stack.backups.takeBackup();
  await stack.table.put({ PK: 'new', SK: 'x' });
  await stack.backups.shipLog();
  for (const snapshot of await listSnapshots(backupDir)) {
    if (snapshot.name !== newest.name) await rm(snapshot.path, { recursive: true });
  }

  const pruned = await pruneBackups({ db, dataDir, backupDir, retentionMs: 24 * 3600 * 1000, blobGraceMs: 0 });
  assert.ok(pruned.changes >= 2, `old changes pruned (${pruned.changes})`);
  assert.equal(pruned.logFiles, 1);
  assert.equal(pruned.blobs, 1);
  await assert.rejects(stat(backupBlobPath(backupDir, oldBlob)), { code: 'ENOENT' });
  const left = db.prepare('SELECT tbl FROM backup_changelog').pluck().all();
  assert.ok(left.includes('items'), 'the change after the kept snapshot stays');
  // The kept snapshot still rolls forward to now, from the database or from the log alone.
  await stack.close();
  const live = await restore({ backupDir, dataDir, to: new Date() });
  assert.deepEqual(
    (await stateOfFolder(live.restoredDir)).tables.items?.map((row) => row[0]),
    ['new'],
  );
  await rm(dataDir, { recursive: true });
  const shipped = await restore({ backupDir, dataDir, to: new Date() });
  assert.deepEqual(
    (await stateOfFolder(shipped.restoredDir)).tables.items?.map((row) => row[0]),
    ['new'],
  );
  await rm(base, { recursive: true, force: true });
});
