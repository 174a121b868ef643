/**
 * The Object store port: S3's semantics as the floor, so what works on the local disk also
 * works on S3. Clients move object bytes directly with pre-signed URLs that bind the method,
 * the key, the content type, a size limit and an expiry; the server only signs and reads
 * metadata. Every completed write emits an S3-notification-shaped event.
 */
import { AppError, badRequest } from './errors.ts';

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  /** Quoted MD5 hex, as S3 gives for single-part uploads: `"9e107d9d372bb6826bd81d3542a419d6"`. */
  etag: string;
  /** Base64 SHA-256 of the bytes (S3's `ChecksumSHA256`). */
  checksumSha256: string;
  /** ISO 8601. */
  lastModified: string;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT' | 'POST';
  /**
   * Headers the client must send exactly as given: `Content-Type` for a PUT. Empty for a POST,
   * whose content type is one of the `fields` (the request itself is multipart/form-data).
   */
  headers: Record<string, string>;
  /** Form fields to send before the file (an S3 POST policy); absent for PUT. */
  fields?: Record<string, string>;
  /** ISO 8601. */
  expiresAt: string;
}

export interface PresignUploadInput {
  key: string;
  contentType: string;
  /** The most bytes the upload may carry; a larger body is refused. */
  maxSize: number;
  expiresInSeconds?: number;
}

export interface PresignDownloadInput {
  key: string;
  expiresInSeconds?: number;
  /** When given, the download is served as an attachment under this name. */
  filename?: string;
}

export interface ObjectStore {
  presignUpload(input: PresignUploadInput): Promise<PresignedUpload>;
  presignDownload(input: PresignDownloadInput): Promise<{ url: string; expiresAt: string }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** A server-side write (thumbnails, exports); emits `ObjectCreated:Put` as an upload does. */
  put(key: string, body: Buffer, contentType: string): Promise<ObjectInfo>;
  get(key: string): Promise<{ info: ObjectInfo; body: NodeJS.ReadableStream } | undefined>;
  /** S3 CopyObject (the way to rename or move); emits `ObjectCreated:Copy`. 404 when the source is missing. */
  copy(fromKey: string, toKey: string): Promise<ObjectInfo>;
  /** Idempotent: deleting a missing key succeeds. Emits `ObjectRemoved:Delete` when an object went away. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix`; returns how many went. */
  deletePrefix(prefix: string): Promise<number>;
  /** A page of the keys under `prefix`, in key order (S3's ListObjectsV2); `after` is the last key of the previous page. */
  listKeys(prefix: string, after?: string): Promise<{ keys: string[]; next?: string }>;
}

// ---------------------------------------------------------------- limits and validation

export const objectLimits = {
  /** S3's key limit, in UTF-8 bytes. */
  keyBytes: 1024,
  /** S3's single PUT limit. */
  objectBytes: 5 * 1024 ** 3,
  /** S3's longest pre-signed URL lifetime (seven days). */
  expiresInSeconds: 7 * 24 * 3600,
  contentTypeChars: 255,
  filenameChars: 255,
} as const;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** No lone surrogates: the text survives UTF-8 unchanged. */
const isWellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

/**
 * Refuses keys that would be dangerous or non-portable anywhere (S3, a disk path, a URL):
 * empty, over 1024 UTF-8 bytes, a leading `/`, a `.` or `..` segment, a backslash or a control
 * character.
 */
export function validateObjectKey(key: string, what = 'key'): void {
  if (typeof key !== 'string' || key === '') throw badRequest('InvalidKey', `The object ${what} must not be empty`);
  if (Buffer.byteLength(key) > objectLimits.keyBytes) {
    throw badRequest('KeyTooLong', `The object ${what} may be at most ${objectLimits.keyBytes} UTF-8 bytes`);
  }
  if (!isWellFormed(key)) throw badRequest('InvalidKey', `The object ${what} is not valid Unicode`);
  if (CONTROL.test(key)) throw badRequest('InvalidKey', `The object ${what} must not contain control characters`);
  if (key.includes('\\')) throw badRequest('InvalidKey', `The object ${what} must not contain a backslash`);
  if (key.startsWith('/')) throw badRequest('InvalidKey', `The object ${what} must not start with "/"`);
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw badRequest('InvalidKey', `The object ${what} must not contain "." or ".." segments`);
  }
}

/** A key prefix: the rules of a key (it may end with `/`). */
export function validateObjectPrefix(prefix: string): void {
  validateObjectKey(prefix, 'prefix');
}

/** A media type such as `image/jpeg` or `text/plain; charset=utf-8`. */
export function validateContentType(contentType: string): void {
  if (
    typeof contentType !== 'string' ||
    contentType.length > objectLimits.contentTypeChars ||
    CONTROL.test(contentType) ||
    !/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/.test(contentType)
  ) {
    throw badRequest('InvalidContentType', 'The content type must be a media type such as image/jpeg');
  }
}

/** The largest upload a grant allows; 0 is an empty file, which people do upload. */
export function validateMaxSize(maxSize: number): void {
  if (!Number.isSafeInteger(maxSize) || maxSize < 0 || maxSize > objectLimits.objectBytes) {
    throw badRequest(
      'InvalidMaxSize',
      `The size limit must be a whole number of bytes from 0 to ${objectLimits.objectBytes}`,
    );
  }
}

export function validateExpiresIn(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > objectLimits.expiresInSeconds) {
    throw badRequest(
      'InvalidExpiry',
      `A pre-signed URL lasts from 1 to ${objectLimits.expiresInSeconds} seconds (seven days)`,
    );
  }
}

export function validateFilename(filename: string): void {
  if (
    typeof filename !== 'string' ||
    filename === '' ||
    filename.length > objectLimits.filenameChars ||
    !isWellFormed(filename) ||
    CONTROL.test(filename) ||
    /[/\\]/.test(filename)
  ) {
    throw badRequest(
      'InvalidFilename',
      `The download filename must be 1 to ${objectLimits.filenameChars} characters, without slashes or control characters`,
    );
  }
}

// ---------------------------------------------------------------- what every adapter answers alike

/** A read of a key that holds no object. */
export const noSuchKey = (key: string) => new AppError(404, 'NoSuchKey', `There is no object with the key ${key}`);

/** An upload past the size its pre-signed grant allows. */
export const tooLarge = (maxSize: number) =>
  new AppError(413, 'EntityTooLarge', `The upload is larger than the ${maxSize} bytes this URL allows`);

/**
 * `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 name
 * (RFC 6266 / RFC 8187), so a download is named the same by every adapter. It is ASCII
 * throughout, as S3's signed `response-content-disposition` parameter must be.
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

// ---------------------------------------------------------------- events

export type ObjectEventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectRemoved:Delete';

/**
 * One record of an S3 event notification (`event.Records[i]`), so the handlers the local queue
 * runs are the ones S3 invokes on AWS.
 */
export interface ObjectEventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  /** ISO 8601. */
  eventTime: string;
  eventName: ObjectEventName;
  s3: {
    s3SchemaVersion: '1.0';
    bucket: { name: string; arn: string };
    object: {
      /** URL-encoded as S3 sends it (spaces as `+`); read it with {@link objectKeyOf}. */
      key: string;
      /** Absent on removals, as on S3. */
      size?: number;
      /** Unquoted MD5 hex, as S3 sends it; absent on removals. */
      eTag?: string;
      /** Orders events for one key: compare as strings of equal length. */
      sequencer: string;
    };
  };
}

/** How S3 writes a key into an event: form-URL-encoded, spaces as `+`. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+');
}

/** The object key of an event record, decoded (S3 sends it URL-encoded with `+` for spaces). */
export function objectKeyOf(record: ObjectEventRecord): string {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
}

/** Runs on object events: locally from the durable queue, on AWS from S3 notifications. At least once. */
export interface ObjectEventHandler {
  /** Stable: deliveries are tracked under this name. */
  name: string;
  handle(record: ObjectEventRecord): Promise<void>;
}
