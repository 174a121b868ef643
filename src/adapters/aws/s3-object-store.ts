import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import {
  attachmentDisposition,
  noSuchKey,
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
import { isMissingObject, isPreconditionFailed } from './s3-errors.ts';

export interface S3ObjectStoreOptions {
  /** On AWS the Lambda's default client; in tests one pointed at s3rver. */
  client: S3Client;
  bucket: string;
  /** Signs download URLs and states their expiry. Upload policies are signed at the SDK's time (see presignUpload). */
  clock?: Clock;
  /** Lifetime of pre-signed URLs when the caller gives none (as the local adapter: 15 minutes). */
  defaultExpiresInSeconds?: number;
  /** Keys listed and deleted per request by `deletePrefix`: S3's maximum, 1000, unless a test wants pages. */
  deleteBatchSize?: number;
}

/** What S3 POST does with this text in a `key` field: it puts the uploaded file's own name there. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own variable, written literally
const FILENAME_VARIABLE = '${filename}';
/** How often `head`/`get` start over when the object is replaced while its SHA-256 is being computed. */
const CHECKSUM_ATTEMPTS = 3;

/**
 * The Object store on S3. Clients upload with a pre-signed POST whose policy binds the exact
 * key, the exact content type, the size range and the expiry, so S3 itself refuses anything
 * else (a pre-signed PUT can fix an exact length, not a limit); they download with a pre-signed GET. Object
 * events come from S3's own notifications (see `s3-events.ts`): this class emits none.
 *
 * `checksumSha256` is S3's `ChecksumSHA256` when the object has a full-object one: `put` sends
 * the SHA-256 (S3 checks it) and `copy` asks S3 to compute it. Uploads by POST carry none (the
 * port does not ask clients for a checksum before they upload), so for those `head` and `get`
 * compute it by reading the object once more, pinned to the ETag they saw.
 */
/** Keys per `listKeys` page: S3's maximum. */
const LIST_PAGE_KEYS = 1000;

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly clock: Clock;
  private readonly defaultExpiresIn: number;
  private readonly deleteBatchSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.clock = options.clock ?? systemClock;
    this.defaultExpiresIn = options.defaultExpiresInSeconds ?? 900;
    validateExpiresIn(this.defaultExpiresIn);
    this.deleteBatchSize = options.deleteBatchSize ?? 1000;
    if (!Number.isSafeInteger(this.deleteBatchSize) || this.deleteBatchSize < 1 || this.deleteBatchSize > 1000) {
      throw new Error('deleteBatchSize must be from 1 to 1000 (the most DeleteObjects takes)');
    }
  }

  // ------------------------------------------------------------------ signing

  /**
   * A pre-signed POST: the client sends `fields` as form fields, then the file as the last
   * field, named `file`. The policy's conditions are the SDK's equality ones for every field
   * (bucket, key, Content-Type, the signing fields) plus `content-length-range` 0..maxSize
   * (an empty file is a file, as on the local disk). The SDK signs the policy at its own time
   * (`Date.now()` corrected by the client's clock skew), so `expiresAt` is read back from the
   * policy it made rather than computed beside it.
   */
  async presignUpload(input: PresignUploadInput): Promise<PresignedUpload> {
    validateObjectKey(input.key);
    validateContentType(input.contentType);
    validateMaxSize(input.maxSize);
    if (input.key.includes(FILENAME_VARIABLE)) {
      // The SDK would turn the key condition into a starts-with (any key under the prefix),
      // and S3 would replace the variable with whatever name the client's file has.
      throw badRequest('InvalidKey', `The object key must not contain ${FILENAME_VARIABLE}`);
    }
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: input.key,
      Fields: { 'Content-Type': input.contentType },
      Conditions: [['content-length-range', 0, input.maxSize]],
      Expires: this.expiresIn(input.expiresInSeconds),
    });
    return { url, method: 'POST', headers: {}, fields, expiresAt: policyExpiration(fields.Policy) };
  }

  /**
   * A pre-signed GET. `response-cache-control` keeps browsers from caching the bytes past the
   * URL's life; `response-content-disposition` names an attachment. Both are signed query
   * parameters, so S3 refuses a URL where either was changed.
   */
  async presignDownload(input: PresignDownloadInput): Promise<{ url: string; expiresAt: string }> {
    validateObjectKey(input.key);
    if (input.filename !== undefined) validateFilename(input.filename);
    const expiresIn = this.expiresIn(input.expiresInSeconds);
    // SigV4 dates have whole seconds: the URL lives from the start of the signing second.
    const signedAt = Math.floor(this.clock.now() / 1000) * 1000;
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ResponseCacheControl: `private, max-age=${expiresIn}`,
      ...(input.filename === undefined ? {} : { ResponseContentDisposition: attachmentDisposition(input.filename) }),
    });
    const url = await getSignedUrl(this.client, command, { expiresIn, signingDate: new Date(signedAt) });
    return { url, expiresAt: new Date(signedAt + expiresIn * 1000).toISOString() };
  }

  // ------------------------------------------------------------------ reads

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    for (let attempt = 1; attempt <= CHECKSUM_ATTEMPTS; attempt += 1) {
      const head = await this.headObject(key);
      if (!head) return undefined;
      const checksum = fullObjectSha256(head) ?? (await this.computeSha256(key, head.ETag));
      if (checksum !== undefined) return toInfo(key, head, checksum);
    }
    throw changingWhileHashed(key);
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: NodeJS.ReadableStream } | undefined> {
    validateObjectKey(key);
    for (let attempt = 1; attempt <= CHECKSUM_ATTEMPTS; attempt += 1) {
      let response: GetObjectCommandOutput;
      try {
        response = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
        );
      } catch (error) {
        if (isMissingObject(error)) return undefined;
        throw error;
      }
      const body = nodeStream(response.Body);
      let checksum: string | undefined;
      try {
        checksum = fullObjectSha256(response) ?? (await this.computeSha256(key, response.ETag));
      } catch (error) {
        body.destroy();
        throw error;
      }
      if (checksum !== undefined) return { info: toInfo(key, response, checksum), body };
      body.destroy();
    }
    throw changingWhileHashed(key);
  }

  // ------------------------------------------------------------------ writes

  /** A server-side write. S3 checks the SHA-256 sent with it, and keeps it as the object's checksum. */
  async put(key: string, body: Buffer, contentType: string): Promise<ObjectInfo> {
    validateObjectKey(key);
    validateContentType(contentType);
    if (body.length > objectLimits.objectBytes) throw tooLarge(objectLimits.objectBytes);
    const checksumSha256 = createHash('sha256').update(body).digest('base64');
    const written = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ChecksumSHA256: checksumSha256,
      }),
    );
    const etag = written.ETag ?? `"${createHash('md5').update(body).digest('hex')}"`;
    // PutObject does not answer with Last-Modified; S3's is read back, pinned to this write.
    const head = await this.headObject(key, etag);
    const lastModified = head?.LastModified ?? new Date(Math.floor(this.clock.now() / 1000) * 1000);
    return { key, size: body.length, contentType, etag, checksumSha256, lastModified: lastModified.toISOString() };
  }

  /** CopyObject within the bucket, with S3 computing the copy's SHA-256 (so even a POST upload's copy has one). */
  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    validateObjectKey(fromKey, 'source key');
    validateObjectKey(toKey, 'destination key');
    if (fromKey === toKey) throw badRequest('InvalidRequest', 'An object cannot be copied onto itself');
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${encodeKeyPath(fromKey)}`,
          MetadataDirective: 'COPY',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    } catch (error) {
      if (isMissingObject(error)) throw noSuchKey(fromKey);
      throw error;
    }
    // CopyObject answers with the ETag only; size and type are read back.
    const info = await this.head(toKey);
    // Deleted the moment it was made: report it missing rather than invent metadata.
    if (!info) throw noSuchKey(toKey);
    return info;
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Lists the prefix a page at a time (ListObjectsV2) and deletes each page with one
   * DeleteObjects (at most 1000 keys, S3's limit). A key S3 refuses to delete fails the call
   * after its page, naming the keys, so a retry can finish the job.
   */
  async deletePrefix(prefix: string): Promise<number> {
    validateObjectPrefix(prefix);
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: this.deleteBatchSize,
          ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
      if (keys.length > 0) {
        const result = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const errors = result.Errors ?? [];
        if (errors.length > 0) {
          const named = errors.map((error) => `${error.Key} (${error.Code})`).join(', ');
          throw new Error(`S3 did not delete ${errors.length} of ${keys.length} objects under ${prefix}: ${named}`);
        }
        deleted += keys.length;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return deleted;
  }

  async listKeys(prefix: string, after?: string): Promise<{ keys: string[]; next?: string }> {
    validateObjectPrefix(prefix);
    const page = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix,
        MaxKeys: LIST_PAGE_KEYS,
        ...(after ? { StartAfter: after } : {}),
      }),
    );
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
    const last = keys.at(-1);
    return page.IsTruncated && last ? { keys, next: last } : { keys };
  }

  // ------------------------------------------------------------------ internals

  /** HeadObject, or undefined when the key is missing (or, with `ifMatch`, holds another version). */
  private async headObject(key: string, ifMatch?: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(
        new HeadObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ChecksumMode: 'ENABLED',
          ...(ifMatch ? { IfMatch: ifMatch } : {}),
        }),
      );
    } catch (error) {
      if (isMissingObject(error) || (ifMatch && isPreconditionFailed(error))) return undefined;
      throw error;
    }
  }

  /**
   * Reads the object's bytes through SHA-256, pinned with `If-Match` to the version whose
   * metadata is at hand; undefined when that version is gone (replaced or deleted meanwhile).
   */
  private async computeSha256(key: string, etag: string | undefined): Promise<string | undefined> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }),
      );
    } catch (error) {
      if (isMissingObject(error) || isPreconditionFailed(error)) return undefined;
      throw error;
    }
    const hash = createHash('sha256');
    for await (const chunk of nodeStream(response.Body)) hash.update(chunk as Buffer);
    return hash.digest('base64');
  }

  private expiresIn(seconds = this.defaultExpiresIn): number {
    validateExpiresIn(seconds);
    return seconds;
  }
}

/** The object's SHA-256 when S3 holds one for the whole object (not a multipart checksum of checksums). */
function fullObjectSha256(response: { ChecksumSHA256?: string; ChecksumType?: string }): string | undefined {
  const checksum = response.ChecksumSHA256;
  if (!checksum || response.ChecksumType === 'COMPOSITE' || /-\d+$/.test(checksum)) return undefined;
  return checksum;
}

function toInfo(
  key: string,
  response: HeadObjectCommandOutput | GetObjectCommandOutput,
  checksumSha256: string,
): ObjectInfo {
  return {
    key,
    size: response.ContentLength ?? 0,
    // S3 stores `binary/octet-stream` when a writer gave no type; every writer here gives one.
    contentType: response.ContentType ?? 'application/octet-stream',
    etag: response.ETag ?? '',
    checksumSha256,
    lastModified: (response.LastModified ?? new Date(0)).toISOString(),
  };
}

/** The policy's own `expiration`, so the grant states exactly what S3 will enforce. */
function policyExpiration(policy: string | undefined): string {
  const decoded = JSON.parse(Buffer.from(policy ?? '', 'base64').toString('utf8')) as { expiration?: string };
  const expiration = Date.parse(decoded.expiration ?? '');
  if (Number.isNaN(expiration)) throw new Error('The pre-signed POST policy has no expiration');
  return new Date(expiration).toISOString();
}

/** `x-amz-copy-source` is URL-encoded; each segment is encoded and the `/` between them kept. */
function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** In Node the SDK's streaming body is an `http.IncomingMessage` (or a checksum-validating Duplex): a Readable. */
function nodeStream(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as NodeWebStream);
  throw new Error('Expected the S3 object body as a stream');
}

const changingWhileHashed = (key: string) =>
  new AppError(
    409,
    'ObjectChanging',
    `The object ${key} kept being replaced while it was read: try again once uploads to it have finished`,
  );
