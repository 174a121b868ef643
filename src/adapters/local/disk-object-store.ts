import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { problemResponse } from '../../http/problem.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { AppError, badRequest, forbidden } from '../../platform/errors.ts';
import {
  attachmentDisposition,
  encodeEventKey,
  noSuchKey,
  type ObjectEventHandler,
  type ObjectEventName,
  type ObjectEventRecord,
  type ObjectInfo,
  type ObjectStore,
  objectLimits,
  type PresignDownloadInput,
  type PresignedUpload,
  type PresignUploadInput,
  tooLarge,
  validateContentType,
  validateExpiresIn,
  validateFilename,
  validateMaxSize,
  validateObjectKey,
  validateObjectPrefix,
} from '../../platform/objects.ts';
import type { QueueHandler } from '../../platform/queue.ts';
import type { Database } from './database.ts';
import { writeFileAtomic } from './files.ts';
import type { SqliteQueue } from './sqlite-queue.ts';

/** Pre-signed object URLs are served under this path; the JSON body limit must not apply to it. */
export const OBJECT_ROUTE_PREFIX = '/_objects/';

/** True for requests the object routes serve (uploads carry bodies far over the JSON limit). */
export const isObjectRoute = (path: string): boolean => path.startsWith(OBJECT_ROUTE_PREFIX);

/** The queue topic object events travel on (S3 notifications play this role on AWS). */
export const OBJECT_EVENTS_TOPIC = 'object-events';

/** Subscribes an object event handler to the local queue. */
export function objectEventQueueHandler(handler: ObjectEventHandler): QueueHandler<ObjectEventRecord> {
  return { name: handler.name, topic: OBJECT_EVENTS_TOPIC, handle: (record) => handler.handle(record) };
}

/**
 * The installation's secret for signing object URLs: 32 random bytes made on first use in
 * `DATA_DIR/keys` (readable by the owner only), never shipped with the code.
 */
export async function loadOrCreateObjectSigningSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'keys', 'object-signing-secret');
  try {
    const secret = await readFile(path);
    if (secret.length !== 32) throw new Error(`${path} must hold 32 bytes; delete it to make a new one`);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const secret = randomBytes(32);
    await writeFileAtomic(path, secret, 0o600);
    return secret;
  }
}

export interface DiskObjectStoreOptions {
  /** The objects folder, `DATA_DIR/objects`. */
  dir: string;
  /** Holds the object metadata; must be the queue's database, so an object and its event commit together. */
  db: Database;
  queue: SqliteQueue;
  /** Where clients reach this server, e.g. `https://127.0.0.1:8443`: the base of pre-signed URLs. */
  publicUrl: string;
  /** From {@link loadOrCreateObjectSigningSecret}. */
  secret: Buffer;
  clock?: Clock;
  /** Named in event records, as the S3 bucket would be. */
  bucket?: string;
  region?: string;
  /** Lifetime of pre-signed URLs when the caller gives none. */
  defaultExpiresInSeconds?: number;
  /**
   * Called with each new blob's file once its bytes are complete, before its metadata commits
   * (backups hard-link it, so a later delete or replace cannot lose the bytes). If it throws,
   * the write fails and leaves nothing.
   */
  keepBlob?: (path: string, blob: string) => Promise<void>;
}

/** What a verified pre-signed upload URL allows. */
export interface UploadGrant {
  key: string;
  contentType: string;
  maxSize: number;
  /** Epoch seconds. */
  expiresAt: number;
}

/** What a verified pre-signed download URL allows. */
export interface DownloadGrant {
  key: string;
  filename?: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** Seconds until the URL expires, for `Cache-Control: max-age`. */
  secondsLeft: number;
}

/*
 * Metadata lives in a SQLite table rather than in sidecar JSON files, because then:
 * - an object, its metadata and its event commit in one transaction (the queue is on the same
 *   database), so no reader sees new bytes with old metadata and no write is without its event;
 * - a key never becomes a file path: bytes are kept under random blob names, so no key can
 *   traverse the folder, and keys the disk could not hold (a segment over 255 bytes, both
 *   `a` and `a/b`, names reserved on Windows) work as on S3;
 * - a prefix delete (and, later, a listing) is one indexed query, not a folder walk.
 * A replaced blob stays readable by downloads that already opened it (POSIX keeps unlinked
 * files open); blobs left without a row by a crash are swept by `open`.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS stored_objects (
  key TEXT PRIMARY KEY,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  md5 TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  last_modified INTEGER NOT NULL
);
`;

interface ObjectRow {
  key: string;
  blob: string;
  size: number;
  content_type: string;
  md5: string;
  sha256: string;
  last_modified: number;
}

interface Received {
  blob: string;
  size: number;
  md5: string;
  sha256: string;
}

const SIGNATURE_VERSION = 'stratus-object-v1';
const param = {
  method: 'X-Stratus-Method',
  contentType: 'X-Stratus-Content-Type',
  maxSize: 'X-Stratus-Max-Size',
  expires: 'X-Stratus-Expires',
  filename: 'X-Stratus-Filename',
  signature: 'X-Stratus-Signature',
} as const;

const signatureMismatch = (detail: string) => forbidden(detail, 'SignatureDoesNotMatch');

/**
 * The Object store on the local disk: bytes in files under `dir/blobs`, written to
 * `dir/incoming` first and renamed only once complete and flushed; metadata in SQLite; an
 * S3-shaped event on the durable queue for every completed write and every removal.
 * Pre-signed URLs point at this server's own `/_objects/` routes ({@link objectRoutes}).
 */
/** Keys per `listKeys` page, as S3 pages them. */
const LIST_PAGE_KEYS = 1000;

export class DiskObjectStore implements ObjectStore {
  private readonly clock: Clock;
  private readonly bucket: string;
  private readonly region: string;
  private readonly publicUrl: string;
  private readonly defaultExpiresIn: number;
  private readonly blobsDir: string;
  private readonly incomingDir: string;
  private readonly statements;
  private lastSequence = 0n;

  /** Makes the folders and removes what a crash left behind (partial uploads, orphaned blobs). */
  static async open(options: DiskObjectStoreOptions): Promise<DiskObjectStore> {
    const store = new DiskObjectStore(options);
    await store.sweep();
    return store;
  }

  constructor(private readonly options: DiskObjectStoreOptions) {
    if (options.queue.db !== options.db) {
      throw new Error(
        'The object store and its queue must share one database, so a write and its event commit together',
      );
    }
    if (options.secret.length < 32) throw new Error('The object signing secret must be at least 32 bytes');
    this.clock = options.clock ?? systemClock;
    this.bucket = options.bucket ?? 'stratus-local';
    this.region = options.region ?? 'local';
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.defaultExpiresIn = options.defaultExpiresInSeconds ?? 900;
    validateExpiresIn(this.defaultExpiresIn);
    this.blobsDir = join(options.dir, 'blobs');
    this.incomingDir = join(options.dir, 'incoming');
    const db = options.db;
    db.exec(SCHEMA);
    this.statements = {
      get: db.prepare<[string], ObjectRow>('SELECT * FROM stored_objects WHERE key = ?'),
      upsert: db.prepare<[string, string, number, string, string, string, number]>(
        `INSERT INTO stored_objects (key, blob, size, content_type, md5, sha256, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET blob = excluded.blob, size = excluded.size, content_type = excluded.content_type,
           md5 = excluded.md5, sha256 = excluded.sha256, last_modified = excluded.last_modified`,
      ),
      delete: db.prepare<[string]>('DELETE FROM stored_objects WHERE key = ?'),
      withPrefix: db.prepare<[string, string], ObjectRow>(
        'SELECT * FROM stored_objects WHERE substr(key, 1, length(?)) = ?',
      ),
      blobs: db.prepare<[], { blob: string }>('SELECT blob FROM stored_objects'),
      keysAfter: db.prepare<[string, string, string, number], { key: string }>(
        'SELECT key FROM stored_objects WHERE substr(key, 1, length(?)) = ? AND key > ? ORDER BY key LIMIT ?',
      ),
    };
  }

  // ------------------------------------------------------------------ signing

  async presignUpload(input: PresignUploadInput): Promise<PresignedUpload> {
    validateObjectKey(input.key);
    validateContentType(input.contentType);
    validateMaxSize(input.maxSize);
    const expires = this.expiry(input.expiresInSeconds);
    const url = this.objectUrl(input.key);
    url.searchParams.set(param.method, 'PUT');
    url.searchParams.set(param.contentType, input.contentType);
    url.searchParams.set(param.maxSize, String(input.maxSize));
    url.searchParams.set(param.expires, String(expires));
    url.searchParams.set(
      param.signature,
      this.sign(uploadCanonical(input.key, input.contentType, String(input.maxSize), String(expires))),
    );
    return {
      url: url.href,
      method: 'PUT',
      headers: { 'Content-Type': input.contentType },
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  async presignDownload(input: PresignDownloadInput): Promise<{ url: string; expiresAt: string }> {
    validateObjectKey(input.key);
    if (input.filename !== undefined) validateFilename(input.filename);
    const expires = this.expiry(input.expiresInSeconds);
    const url = this.objectUrl(input.key);
    url.searchParams.set(param.method, 'GET');
    url.searchParams.set(param.expires, String(expires));
    if (input.filename !== undefined) url.searchParams.set(param.filename, input.filename);
    url.searchParams.set(param.signature, this.sign(downloadCanonical(input.key, String(expires), input.filename)));
    return { url: url.href, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /**
   * Checks a pre-signed upload URL as it arrived: the signature over the key and every bound
   * parameter first (so nothing unsigned is trusted), then the expiry.
   */
  verifyUpload(url: URL): UploadGrant {
    const query = singleParams(url);
    const key = keyFromPath(url);
    expectMethod(query, 'PUT');
    const contentType = query.get(param.contentType) ?? '';
    const maxSize = query.get(param.maxSize) ?? '';
    const expires = query.get(param.expires) ?? '';
    this.checkSignature(query, uploadCanonical(key, contentType, maxSize, expires));
    const expiresAt = this.checkExpiry(expires);
    validateObjectKey(key);
    return { key, contentType, maxSize: Number(maxSize), expiresAt };
  }

  /** Checks a pre-signed download URL (GET, or HEAD with the same URL). */
  verifyDownload(url: URL): DownloadGrant {
    const query = singleParams(url);
    const key = keyFromPath(url);
    expectMethod(query, 'GET');
    const expires = query.get(param.expires) ?? '';
    const filename = query.get(param.filename) ?? undefined;
    this.checkSignature(query, downloadCanonical(key, expires, filename));
    const expiresAt = this.checkExpiry(expires);
    validateObjectKey(key);
    const secondsLeft = Math.max(0, expiresAt - Math.floor(this.clock.now() / 1000));
    return filename === undefined ? { key, expiresAt, secondsLeft } : { key, filename, expiresAt, secondsLeft };
  }

  // ------------------------------------------------------------------ reads

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    const row = this.statements.get.get(key);
    return row && toInfo(row);
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: NodeJS.ReadableStream } | undefined> {
    const opened = await this.openObject(key);
    return opened && { info: opened.info, body: opened.handle.createReadStream() };
  }

  /**
   * The object's metadata with its bytes opened: the handle keeps reading the version it
   * opened even if the object is replaced or deleted meanwhile. The caller closes it.
   */
  async openObject(key: string): Promise<{ info: ObjectInfo; handle: FileHandle } | undefined> {
    validateObjectKey(key);
    let missingBlob: string | undefined;
    for (;;) {
      const row = this.statements.get.get(key);
      if (!row) return undefined;
      if (row.blob === missingBlob) throw new Error(`The bytes of object ${key} (blob ${row.blob}) are missing`);
      try {
        return { info: toInfo(row), handle: await open(this.blobPath(row.blob), 'r') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // Replaced or deleted between reading the row and opening the file: read the row again.
        missingBlob = row.blob;
      }
    }
  }

  // ------------------------------------------------------------------ writes

  async put(key: string, body: Buffer, contentType: string): Promise<ObjectInfo> {
    validateObjectKey(key);
    validateContentType(contentType);
    if (body.length > objectLimits.objectBytes) throw tooLarge(objectLimits.objectBytes);
    const received = await this.receive(bodyOf(body), objectLimits.objectBytes);
    return this.commit(key, contentType, received, 'ObjectCreated:Put');
  }

  /**
   * Takes a pre-signed upload's body: streamed to a temporary file while counted and hashed,
   * refused the moment it passes the signed size (with or without a Content-Length), and
   * only then renamed into place, recorded and announced. A refused upload leaves nothing.
   */
  async receiveUpload(grant: UploadGrant, body: AsyncIterable<Uint8Array>): Promise<ObjectInfo> {
    const received = await this.receive(body, grant.maxSize, (cause) =>
      badRequest('IncompleteBody', 'The upload ended before all of its bytes arrived: send it again', { cause }),
    );
    return this.commit(grant.key, grant.contentType, received, 'ObjectCreated:Put');
  }

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    validateObjectKey(fromKey, 'source key');
    validateObjectKey(toKey, 'destination key');
    if (fromKey === toKey) throw badRequest('InvalidRequest', 'An object cannot be copied onto itself');
    const source = await this.openObject(fromKey);
    if (!source) throw noSuchKey(fromKey);
    let received: Received;
    try {
      received = await this.receive(source.handle.createReadStream({ autoClose: false }), objectLimits.objectBytes);
    } finally {
      await source.handle.close();
    }
    return this.commit(toKey, source.info.contentType, received, 'ObjectCreated:Copy');
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    const removed = this.options.db.transaction(() => {
      const row = this.statements.get.get(key);
      if (!row) return undefined;
      this.statements.delete.run(key);
      this.options.queue.enqueueInTransaction(OBJECT_EVENTS_TOPIC, this.event('ObjectRemoved:Delete', key));
      return row.blob;
    })();
    if (removed === undefined) return;
    this.options.queue.wake();
    await this.removeBlob(removed);
  }

  async listKeys(prefix: string, after = ''): Promise<{ keys: string[]; next?: string }> {
    validateObjectPrefix(prefix);
    const rows = this.statements.keysAfter.all(prefix, prefix, after, LIST_PAGE_KEYS + 1);
    const keys = rows.slice(0, LIST_PAGE_KEYS).map((row) => row.key);
    const last = keys.at(-1);
    return rows.length > LIST_PAGE_KEYS && last ? { keys, next: last } : { keys };
  }

  async deletePrefix(prefix: string): Promise<number> {
    validateObjectPrefix(prefix);
    const removed = this.options.db.transaction(() => {
      const rows = this.statements.withPrefix.all(prefix, prefix);
      for (const row of rows) {
        this.statements.delete.run(row.key);
        this.options.queue.enqueueInTransaction(OBJECT_EVENTS_TOPIC, this.event('ObjectRemoved:Delete', row.key));
      }
      return rows.map((row) => row.blob);
    })();
    if (removed.length > 0) this.options.queue.wake();
    for (const blob of removed) await this.removeBlob(blob);
    return removed.length;
  }

  /** Removes partial uploads and blobs no object refers to (what a crash can leave). */
  async sweep(): Promise<void> {
    await rm(this.incomingDir, { recursive: true, force: true });
    await mkdir(this.incomingDir, { recursive: true });
    await mkdir(this.blobsDir, { recursive: true });
    const live = new Set(this.statements.blobs.all().map((row) => row.blob));
    for (const shard of await readdir(this.blobsDir, { withFileTypes: true })) {
      if (!shard.isDirectory()) continue;
      for (const blob of await readdir(join(this.blobsDir, shard.name))) {
        if (!live.has(blob)) await rm(join(this.blobsDir, shard.name, blob), { force: true });
      }
    }
  }

  // ------------------------------------------------------------------ internals

  private async receive(
    source: AsyncIterable<Uint8Array>,
    maxSize: number,
    sourceError: (cause: unknown) => Error = (cause) => cause as Error,
  ): Promise<Received> {
    const blob = randomBytes(16).toString('hex');
    const temporary = join(this.incomingDir, `${blob}.part`);
    await mkdir(this.incomingDir, { recursive: true });
    const file = await open(temporary, 'wx', 0o600);
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    const iterator = source[Symbol.asyncIterator]();
    let size = 0;
    let closed = false;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (cause) {
          throw sourceError(cause);
        }
        if (next.done) break;
        size += next.value.byteLength;
        if (size > maxSize) {
          // Stop reading at once; the HTTP server discards (or cuts off) the rest of the body.
          await Promise.resolve(iterator.return?.()).catch(() => {});
          throw tooLarge(maxSize);
        }
        md5.update(next.value);
        sha256.update(next.value);
        await file.write(next.value);
      }
      // Flushed before it is announced: a power cut must not leave a recorded object without its bytes.
      await file.sync();
      await file.close();
      closed = true;
      const path = this.blobPath(blob);
      await mkdir(dirname(path), { recursive: true });
      await rename(temporary, path);
      await syncDirectory(dirname(path));
    } catch (error) {
      if (!closed) await file.close().catch(() => {});
      await rm(temporary, { force: true });
      throw error;
    }
    return { blob, size, md5: md5.digest('hex'), sha256: sha256.digest('base64') };
  }

  /** Records the object and queues its event in one transaction, then retires the bytes it replaced. */
  private async commit(
    key: string,
    contentType: string,
    received: Received,
    eventName: ObjectEventName,
  ): Promise<ObjectInfo> {
    const row: ObjectRow = {
      key,
      blob: received.blob,
      size: received.size,
      content_type: contentType,
      md5: received.md5,
      sha256: received.sha256,
      last_modified: this.clock.now(),
    };
    let replaced: string | undefined;
    try {
      await this.options.keepBlob?.(this.blobPath(received.blob), received.blob);
      replaced = this.options.db.transaction(() => {
        const previous = this.statements.get.get(key)?.blob;
        this.statements.upsert.run(key, row.blob, row.size, row.content_type, row.md5, row.sha256, row.last_modified);
        this.options.queue.enqueueInTransaction(OBJECT_EVENTS_TOPIC, this.event(eventName, key, row));
        return previous;
      })();
    } catch (error) {
      await this.removeBlob(received.blob);
      throw error;
    }
    this.options.queue.wake();
    if (replaced !== undefined) await this.removeBlob(replaced);
    return toInfo(row);
  }

  private event(eventName: ObjectEventName, key: string, row?: ObjectRow): ObjectEventRecord {
    return {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: this.region,
      eventTime: new Date(this.clock.now()).toISOString(),
      eventName,
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: this.bucket, arn: `arn:aws:s3:::${this.bucket}` },
        object: {
          key: encodeEventKey(key),
          ...(row ? { size: row.size, eTag: row.md5 } : {}),
          sequencer: this.nextSequencer(),
        },
      },
    };
  }

  /** Increasing hex of equal length, as S3's sequencer compares. */
  private nextSequencer(): string {
    let sequence = BigInt(this.clock.now()) * 4096n;
    if (sequence <= this.lastSequence) sequence = this.lastSequence + 1n;
    this.lastSequence = sequence;
    return sequence.toString(16).toUpperCase().padStart(16, '0');
  }

  private async removeBlob(blob: string): Promise<void> {
    // A failure here only leaves an orphan, which the next sweep removes.
    await rm(this.blobPath(blob), { force: true }).catch(() => {});
  }

  private blobPath(blob: string): string {
    return join(this.blobsDir, blob.slice(0, 2), blob);
  }

  private objectUrl(key: string): URL {
    return new URL(`${this.publicUrl}${OBJECT_ROUTE_PREFIX}${key.split('/').map(encodeURIComponent).join('/')}`);
  }

  private expiry(expiresInSeconds = this.defaultExpiresIn): number {
    validateExpiresIn(expiresInSeconds);
    return Math.floor(this.clock.now() / 1000) + expiresInSeconds;
  }

  private sign(canonical: string): string {
    return createHmac('sha256', this.options.secret).update(canonical).digest('base64url');
  }

  private checkSignature(query: URLSearchParams, canonical: string): void {
    const given = Buffer.from(query.get(param.signature) ?? '');
    const expected = Buffer.from(this.sign(canonical));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw signatureMismatch(
        'The signature does not match this URL: use the pre-signed URL exactly as it was given, with its method',
      );
    }
  }

  private checkExpiry(expires: string): number {
    const expiresAt = Number(expires);
    if (!Number.isSafeInteger(expiresAt) || this.clock.now() >= expiresAt * 1000) {
      throw forbidden('This pre-signed URL has expired: ask for a new one', 'RequestExpired');
    }
    return expiresAt;
  }
}

function uploadCanonical(key: string, contentType: string, maxSize: string, expires: string): string {
  return JSON.stringify([SIGNATURE_VERSION, 'PUT', key, contentType, maxSize, expires]);
}

function downloadCanonical(key: string, expires: string, filename: string | undefined): string {
  return JSON.stringify([SIGNATURE_VERSION, 'GET', key, expires, filename ?? null]);
}

/** The query, refusing a repeated parameter (which could make the signed value differ from the used one). */
function singleParams(url: URL): URLSearchParams {
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    if (seen.has(name)) throw forbidden(`The URL repeats the ${name} parameter`, 'AccessDenied');
    seen.add(name);
  }
  if (!url.searchParams.has(param.signature)) {
    throw forbidden('This URL is not pre-signed: ask the API for a pre-signed URL', 'AccessDenied');
  }
  return url.searchParams;
}

function keyFromPath(url: URL): string {
  const encoded = url.pathname.slice(OBJECT_ROUTE_PREFIX.length);
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw signatureMismatch('The object key in the URL is not valid percent-encoding');
  }
}

function expectMethod(query: URLSearchParams, method: 'GET' | 'PUT'): void {
  const signed = query.get(param.method);
  if (signed !== method) {
    throw signatureMismatch(`This URL was signed for ${signed ?? 'another method'}, not ${method}`);
  }
}

function toInfo(row: ObjectRow): ObjectInfo {
  return {
    key: row.key,
    size: row.size,
    contentType: row.content_type,
    etag: `"${row.md5}"`,
    checksumSha256: row.sha256,
    lastModified: new Date(row.last_modified).toISOString(),
  };
}

async function syncDirectory(path: string): Promise<void> {
  // Makes the rename durable; not possible on every platform (Windows), where it is skipped.
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {});
  }
}

// ---------------------------------------------------------------- HTTP

/**
 * The routes pre-signed URLs point at: `PUT` uploads, `GET` / `HEAD` downloads. Mount at the
 * root (`app.route('/', objectRoutes(store))`) and keep the JSON body limit off
 * {@link OBJECT_ROUTE_PREFIX}: the signed size limit applies instead. Errors are thrown as
 * `AppError`s for the app's error handler to render.
 */
export function objectRoutes(store: DiskObjectStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.put(`${OBJECT_ROUTE_PREFIX}*`, async (c) => {
    const grant = store.verifyUpload(new URL(c.req.url));
    const contentType = c.req.header('Content-Type')?.trim();
    if (contentType !== grant.contentType) {
      throw signatureMismatch(`Send the header Content-Type: ${grant.contentType}, as the URL was signed for`);
    }
    const length = c.req.header('Content-Length');
    if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw badRequest('InvalidContentLength', 'Content-Length must be a number of bytes');
      if (Number(length) > grant.maxSize) {
        // The body is never read, so this connection cannot carry another request.
        c.header('Connection', 'close');
        throw tooLarge(grant.maxSize);
      }
    }
    let info: ObjectInfo;
    try {
      info = await store.receiveUpload(grant, c.req.raw.body ?? emptyBody());
    } catch (error) {
      if (error instanceof AppError && error.status === 413) c.header('Connection', 'close');
      throw error;
    }
    c.header('ETag', info.etag);
    return c.body(null, 200);
  });

  app.get(`${OBJECT_ROUTE_PREFIX}*`, async (c) => {
    const grant = store.verifyDownload(new URL(c.req.url));
    return sendObject(c, store, grant.key, `private, max-age=${grant.secondsLeft}`, grant.filename);
  });

  return app;
}

/**
 * An object's bytes as a GET/HEAD answer: ETag and Last-Modified, 304 on `If-None-Match`, one
 * `Range` (206/416), and the body streamed from the version opened.
 */
export async function sendObject(
  c: Context<AppEnv>,
  store: DiskObjectStore,
  key: string,
  cacheControl: string,
  filename?: string,
): Promise<Response> {
  c.header('Cache-Control', cacheControl);
  const opened = await store.openObject(key);
  if (!opened) throw noSuchKey(key);
  const { info, handle } = opened;
  let streaming = false;
  try {
    c.header('ETag', info.etag);
    c.header('Last-Modified', new Date(info.lastModified).toUTCString());
    c.header('Accept-Ranges', 'bytes');
    if (ifNoneMatch(c.req.header('If-None-Match'), info.etag)) return c.body(null, 304);

    c.header('Content-Type', info.contentType);
    if (filename !== undefined) c.header('Content-Disposition', attachmentDisposition(filename));
    const range = parseRange(c.req.header('Range'), info.size);
    if (range === 'unsatisfiable') {
      c.header('Content-Range', `bytes */${info.size}`);
      return problemResponse(
        c,
        new AppError(416, 'InvalidRange', `The requested range is outside the object's ${info.size} bytes`),
      );
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? info.size - 1;
    const length = Math.max(0, end - start + 1);
    c.header('Content-Length', String(length));
    if (range) c.header('Content-Range', `bytes ${start}-${end}/${info.size}`);
    const status = range ? 206 : 200;
    if (c.req.method === 'HEAD' || length === 0) return c.body(null, status);
    const stream = Readable.toWeb(handle.createReadStream({ start, end }));
    streaming = true;
    return c.body(stream as unknown as ReadableStream<Uint8Array>, status);
  } finally {
    // A streaming body closes the handle when it ends or the client goes away.
    if (!streaming) await handle.close();
  }
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

async function* bodyOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** `If-None-Match` with the weak comparison RFC 9110 asks for on GET. */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else (several ranges, nonsense) is ignored. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
