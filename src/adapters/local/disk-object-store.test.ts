import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { objectStoreContract } from '../../../test/contracts/objects.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import type { AppEnv } from '../../http/context.ts';
import { problemResponse, toAppError } from '../../http/problem.ts';
import type { ObjectEventRecord } from '../../platform/objects.ts';
import { type Database, openDatabase } from './database.ts';
import {
  DiskObjectStore,
  isObjectRoute,
  loadOrCreateObjectSigningSecret,
  OBJECT_ROUTE_PREFIX,
  objectEventQueueHandler,
  objectRoutes,
} from './disk-object-store.ts';
import { SqliteQueue } from './sqlite-queue.ts';

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** A local installation: the store, its queue and routes served over real HTTP on a free port. */
async function openLocal(dataDir: string, options: { clock?: TestClock; db?: Database } = {}) {
  const clock = options.clock ?? new TestClock();
  const db = options.db ?? openDatabase(join(dataDir, 'stratus.db'));
  const delivered: ObjectEventRecord[] = [];
  const queue = new SqliteQueue(
    db,
    [objectEventQueueHandler({ name: 'recorder', handle: async (record) => void delivered.push(record) })],
    { clock, baseDelayMs: 10 },
  );
  let app: Hono<AppEnv> | undefined;
  const server = serve({ fetch: (request) => (app as Hono<AppEnv>).fetch(request), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = join(dataDir, 'objects');
  const store = await DiskObjectStore.open({
    dir,
    db,
    queue,
    clock,
    publicUrl: `http://127.0.0.1:${port}/`,
    secret: await loadOrCreateObjectSigningSecret(dataDir),
  });
  const routes = new Hono<AppEnv>();
  routes.route('/', objectRoutes(store));
  routes.onError((error, c) => problemResponse(c, toAppError(error)));
  app = routes;
  return {
    store,
    queue,
    db,
    clock,
    dir,
    port,
    delivered,
    files: () => filesUnder(dir),
    close: async () => {
      await queue.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as Server).closeAllConnections();
      await closed;
      db.close();
    },
  };
}

objectStoreContract('local disk', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-objects-'));
  const local = await openLocal(dataDir);
  return {
    store: local.store,
    clock: local.clock,
    files: local.files,
    events: async () => {
      await local.queue.drain();
      return [...local.delivered];
    },
    close: async () => {
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

test('the signing secret is 32 random bytes made once per installation, readable by the owner only', async () => {
  const one = await mkdtemp(join(tmpdir(), 'stratus-secret-'));
  const two = await mkdtemp(join(tmpdir(), 'stratus-secret-'));
  try {
    const first = await loadOrCreateObjectSigningSecret(one);
    assert.equal(first.length, 32);
    assert.deepEqual(await loadOrCreateObjectSigningSecret(one), first, 'the same secret after a restart');
    const path = join(one, 'keys', 'object-signing-secret');
    assert.deepEqual(await readFile(path), first);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.notDeepEqual(await loadOrCreateObjectSigningSecret(two), first, 'another installation, another secret');
  } finally {
    await rm(one, { recursive: true, force: true });
    await rm(two, { recursive: true, force: true });
  }
});

test('a URL signed by another installation is refused', async () => {
  const mine = await mkdtemp(join(tmpdir(), 'stratus-objects-'));
  const theirs = await mkdtemp(join(tmpdir(), 'stratus-objects-'));
  const local = await openLocal(mine);
  const other = await openLocal(theirs);
  try {
    const grant = await other.store.presignUpload({ key: 'k', contentType: 'text/plain', maxSize: 10 });
    const url = new URL(grant.url);
    url.port = String(local.port);
    const response = await fetch(url, { method: 'PUT', body: 'x', headers: grant.headers });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, 'SignatureDoesNotMatch');
    assert.equal(await local.store.head('k'), undefined);
  } finally {
    await local.close();
    await other.close();
    await rm(mine, { recursive: true, force: true });
    await rm(theirs, { recursive: true, force: true });
  }
});

test('objects, and events not yet delivered, survive a restart; what a crash left half-written is swept', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-objects-'));
  try {
    const first = await openLocal(dataDir);
    await first.store.put('kept/one.txt', Buffer.from('still here'), 'text/plain');
    assert.equal(first.queue.depth(), 1, 'the event is waiting in the queue');
    const keptFiles = await first.files();
    await first.close();
    // What a crash mid-upload leaves: a partial temporary file and a blob never recorded.
    await writeFile(join(first.dir, 'incoming', 'dead.part'), 'partial');
    await mkdir(join(first.dir, 'blobs', 'ff'), { recursive: true });
    await writeFile(join(first.dir, 'blobs', 'ff', 'ff00orphan'), 'orphan');

    const second = await openLocal(dataDir);
    assert.deepEqual(await second.files(), keptFiles);
    const got = await second.store.get('kept/one.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of got?.body ?? []) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'still here');
    await second.queue.drain();
    assert.deepEqual(
      second.delivered.map((r) => r.s3.object.key),
      ['kept%2Fone.txt'],
    );
    await second.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the store refuses a queue on another database: an object and its event must commit together', async () => {
  const db = openDatabase(':memory:');
  const other = openDatabase(':memory:');
  assert.throws(
    () =>
      new DiskObjectStore({
        dir: join(tmpdir(), 'unused'),
        db,
        queue: new SqliteQueue(other, []),
        publicUrl: 'http://127.0.0.1',
        secret: Buffer.alloc(32),
      }),
    /share one database/,
  );
  db.close();
  other.close();
});

test('object routes are recognised by their prefix, so the JSON body limit can skip them', () => {
  assert.equal(OBJECT_ROUTE_PREFIX, '/_objects/');
  assert.equal(isObjectRoute('/_objects/a/b.jpg'), true);
  assert.equal(isObjectRoute('/v1/objects'), false);
  assert.equal(isObjectRoute('/_objectsX'), false);
});

test('a declared Content-Length over the limit is refused before any of the body is read', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-objects-'));
  const local = await openLocal(dataDir);
  try {
    const grant = await local.store.presignUpload({ key: 'huge', contentType: 'video/mp4', maxSize: 100 });
    // Announces 1 MB but sends a single byte and waits: only the declared length can be refused.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(grant.url, {
        method: 'PUT',
        headers: { ...grant.headers, 'Content-Length': String(1024 * 1024) },
        timeout: 5000,
      });
      req.on('response', (response) => {
        assert.equal(response.headers.connection, 'close', 'the unread body makes the connection unusable');
        response.resume();
        resolve(response.statusCode ?? 0);
        req.destroy();
      });
      req.on('timeout', () => {
        req.destroy();
        reject(new Error('no answer before the body was sent'));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1));
    });
    assert.equal(status, 413);
    assert.equal(await local.store.head('huge'), undefined);
    assert.deepEqual(await local.files(), []);
  } finally {
    await local.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
