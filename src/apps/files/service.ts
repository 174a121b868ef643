import type { Clock } from '../../platform/clock.ts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import {
  type ObjectEventHandler,
  type ObjectInfo,
  type ObjectStore,
  objectKeyOf,
  validateContentType,
} from '../../platform/objects.ts';
import type { StreamHandler } from '../../platform/stream.ts';
import { type Item, type Table, TransactionCanceledError, when } from '../../platform/table.ts';
import { onAccountRemoved } from '../users/events.ts';
import {
  fileKey,
  filesPrefix,
  folderIndexKeys,
  folderIndexPartition,
  folderKey,
  objectKey,
  parseObjectKey,
  usageKey,
} from './keys.ts';
import { ancestors, splitPath } from './paths.ts';

export interface FileLimits {
  /** Bytes one user may store in all. Default 1 GiB. */
  quotaBytes: number;
  /** Bytes one file may have. Default 100 MiB. */
  maxFileBytes: number;
}

export const defaultFileLimits: FileLimits = { quotaBytes: 1024 ** 3, maxFileBytes: 100 * 1024 ** 2 };

/** How long upload and download URLs live. */
const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 5 * 60;
/** Files one move or delete request may touch; a larger folder is moved or deleted in parts. */
const MAX_FILES_PER_REQUEST = 1000;

export interface FileView {
  kind: 'file';
  path: string;
  name: string;
  size: number;
  contentType: string;
  checksumSha256: string;
  modifiedAt: string;
}
export interface FolderView {
  kind: 'folder';
  path: string;
  name: string;
}

/**
 * Each user's private folder. Bytes go straight between the client and the object store
 * through pre-signed URLs; the table holds what listing needs (one item per file and folder,
 * indexed by parent folder) and the user's usage. The object-created handler records an
 * upload once it has landed, and enforces the limits a second time, since a client can
 * upload less or more often than it asked to.
 */
export class FileService {
  constructor(
    private readonly table: Table,
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    private readonly limits: FileLimits = defaultFileLimits,
  ) {}

  async presignUpload(sub: string, input: { path: string; contentType: string; size: number }) {
    validateContentType(input.contentType);
    this.checkFileSize(input.size);
    const usage = await this.usage(sub);
    const existing = await this.table.get(fileKey(sub, input.path));
    const after = usage.bytes - Number(existing?.size ?? 0) + input.size;
    if (after > this.limits.quotaBytes) throw this.overQuota(usage.bytes);
    const upload = await this.objects.presignUpload({
      key: objectKey(sub, input.path),
      contentType: input.contentType,
      maxSize: input.size,
      expiresInSeconds: UPLOAD_URL_SECONDS,
    });
    return { path: input.path, ...upload };
  }

  async usage(sub: string): Promise<{ bytes: number; files: number; quotaBytes: number; maxFileBytes: number }> {
    const item = await this.table.get(usageKey(sub));
    return {
      bytes: Number(item?.bytes ?? 0),
      files: Number(item?.files ?? 0),
      quotaBytes: this.limits.quotaBytes,
      maxFileBytes: this.limits.maxFileBytes,
    };
  }

  /** One folder's folders (first) and files, by name. */
  async list(sub: string, folder: string, page: { limit: number; cursor?: string | undefined }) {
    const result = await this.table.query({
      index: 'GSI1',
      partition: folderIndexPartition(sub, folder),
      limit: page.limit,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    const items = result.items.map((item) => (item.type === 'folder' ? folderView(item) : fileView(item)));
    return result.cursor ? { items, nextCursor: result.cursor } : { items };
  }

  async get(sub: string, path: string): Promise<FileView> {
    return fileView(await this.requireFile(sub, path));
  }

  async downloadUrl(sub: string, path: string) {
    await this.requireFile(sub, path);
    return this.objects.presignDownload({
      key: objectKey(sub, path),
      filename: splitPath(path).name,
      expiresInSeconds: DOWNLOAD_URL_SECONDS,
    });
  }

  /** Renames or moves a file (`a.txt` → `b/a.txt`) or a whole folder (`a/` → `b/`). */
  async move(sub: string, from: string, to: string): Promise<{ moved: number }> {
    if (from.endsWith('/') !== to.endsWith('/')) {
      throw new AppError(400, 'InvalidMove', 'Move a file to a file path, or a folder (ending in /) to a folder');
    }
    if (from === to) return { moved: 0 };
    if (!from.endsWith('/')) {
      await this.moveFile(sub, from, to);
      return { moved: 1 };
    }
    if (to.startsWith(from)) throw new AppError(400, 'InvalidMove', 'A folder cannot be moved into itself');
    const files = await this.filesUnder(sub, from);
    if (files.length === 0 && !(await this.table.get(folderKey(sub, from)))) {
      throw notFound(`There is no folder ${from}`);
    }
    for (const file of files)
      await this.moveFile(sub, file.path as string, `${to}${(file.path as string).slice(from.length)}`);
    await this.removeFolderMarkers(sub, from);
    await this.ensureFolders(sub, to);
    return { moved: files.length };
  }

  /** Deletes a file, or a folder (ending in /) with everything in it. */
  async remove(sub: string, path: string): Promise<{ deleted: number }> {
    if (!path.endsWith('/')) {
      await this.deleteFile(sub, await this.requireFile(sub, path));
      return { deleted: 1 };
    }
    const files = await this.filesUnder(sub, path);
    if (files.length === 0 && !(await this.table.get(folderKey(sub, path)))) {
      throw notFound(`There is no folder ${path}`);
    }
    for (const file of files) await this.deleteFile(sub, file);
    await this.removeFolderMarkers(sub, path);
    return { deleted: files.length };
  }

  /** Records uploads once they land (S3 notifications on AWS, the local queue on one machine). */
  objectHandler(): ObjectEventHandler {
    return {
      name: 'files.record-uploads',
      handle: async (record) => {
        const owned = parseObjectKey(objectKeyOf(record));
        if (!owned || !record.eventName.startsWith('ObjectCreated')) return;
        const info = await this.objects.head(objectKeyOf(record));
        // Gone, or overwritten since: the newer write has an event of its own.
        if (!info || info.etag !== `"${record.s3.object.eTag}"`) return;
        await this.recordUpload(owned.sub, owned.path, info);
      },
    };
  }

  /** When an account is deleted, its files go too (the table items go with the partition). */
  accountRemovalHandler(): StreamHandler {
    return onAccountRemoved('files.delete-objects-of-removed-accounts', async (sub) => {
      await this.objects.deletePrefix(filesPrefix(sub));
    });
  }

  private async recordUpload(sub: string, path: string, info: ObjectInfo): Promise<void> {
    const existing = await this.table.get(fileKey(sub, path));
    if (existing?.etag === info.etag) return; // a redelivered event: already recorded
    const usage = await this.usage(sub);
    const delta = info.size - Number(existing?.size ?? 0);
    if (info.size > this.limits.maxFileBytes || usage.bytes + delta > this.limits.quotaBytes) {
      // The upload went past what was granted (a race with another upload): it is not kept.
      await this.objects.delete(objectKey(sub, path));
      if (existing) await this.forgetFile(sub, existing);
      return;
    }
    const item: Item = {
      ...fileKey(sub, path),
      ...folderIndexKeys(sub, path, 'file'),
      type: 'file',
      path,
      size: info.size,
      contentType: info.contentType,
      checksumSha256: info.checksumSha256,
      etag: info.etag,
      modifiedAt: info.lastModified,
    };
    await this.table.transact([
      { put: item, condition: existing ? when.equals('etag', existing.etag ?? null) : when.notExists() },
      { update: usageKey(sub), changes: { add: { bytes: delta, files: existing ? 0 : 1 } } },
    ]);
    await this.ensureFolders(sub, path);
  }

  private async moveFile(sub: string, from: string, to: string): Promise<void> {
    const file = await this.requireFile(sub, from);
    if (await this.table.get(fileKey(sub, to))) {
      throw conflict('FileExists', `There is already a file at ${to}: delete or move it first`);
    }
    const copied = await this.objects.copy(objectKey(sub, from), objectKey(sub, to));
    const moved: Item = {
      ...file,
      ...fileKey(sub, to),
      ...folderIndexKeys(sub, to, 'file'),
      path: to,
      etag: copied.etag,
      modifiedAt: new Date(this.clock.now()).toISOString(),
    };
    try {
      await this.table.transact([
        { put: moved, condition: when.notExists() },
        { delete: fileKey(sub, from), condition: when.equals('etag', file.etag ?? null) },
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCanceledError)) throw error;
      throw conflict('FileChanged', `${from} or ${to} changed while moving: list the folder and retry`);
    }
    await this.ensureFolders(sub, to);
    await this.objects.delete(objectKey(sub, from));
  }

  private async deleteFile(sub: string, file: Item): Promise<void> {
    await this.objects.delete(objectKey(sub, file.path as string));
    await this.forgetFile(sub, file);
  }

  private async forgetFile(sub: string, file: Item): Promise<void> {
    try {
      await this.table.transact([
        { delete: fileKey(sub, file.path as string), condition: when.equals('etag', file.etag ?? null) },
        { update: usageKey(sub), changes: { add: { bytes: -Number(file.size), files: -1 } } },
      ]);
    } catch (error) {
      // Already gone or replaced: the other writer accounted for it.
      if (!(error instanceof TransactionCanceledError)) throw error;
    }
  }

  private async filesUnder(sub: string, folder: string): Promise<Item[]> {
    const files: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.query({
        partition: fileKey(sub, folder).PK,
        sort: { beginsWith: fileKey(sub, folder).SK },
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      files.push(...page.items);
      if (files.length > MAX_FILES_PER_REQUEST) {
        throw new AppError(
          422,
          'TooManyFiles',
          `The folder holds more than ${MAX_FILES_PER_REQUEST} files: move or delete its sub-folders first`,
        );
      }
      cursor = page.cursor;
    } while (cursor);
    return files;
  }

  /** Folder markers for every folder above `path` (and `path` itself if it is a folder), so each is listed. */
  private async ensureFolders(sub: string, path: string): Promise<void> {
    const puts = ancestors(path).map((folder) => ({
      ...folderKey(sub, folder),
      ...folderIndexKeys(sub, folder, 'folder'),
      type: 'folder',
      path: folder,
    }));
    for (let i = 0; i < puts.length; i += 25) await this.table.batchWrite({ puts: puts.slice(i, i + 25) });
  }

  private async removeFolderMarkers(sub: string, folder: string): Promise<void> {
    const { PK, SK } = folderKey(sub, folder);
    for (;;) {
      const page = await this.table.query({ partition: PK, sort: { beginsWith: SK }, limit: 25 });
      if (page.items.length === 0) return;
      await this.table.batchWrite({ deletes: page.items.map((item) => ({ PK: item.PK, SK: item.SK })) });
    }
  }

  private async requireFile(sub: string, path: string): Promise<Item> {
    const file = await this.table.get(fileKey(sub, path));
    if (!file) throw notFound(`There is no file ${path}`);
    return file;
  }

  private checkFileSize(size: number): void {
    if (size > this.limits.maxFileBytes) {
      throw new AppError(413, 'FileTooLarge', `A file may be at most ${mib(this.limits.maxFileBytes)}`);
    }
  }

  private overQuota(used: number): AppError {
    return new AppError(
      413,
      'QuotaExceeded',
      `This upload would take your files past your quota of ${mib(this.limits.quotaBytes)} (${mib(used)} used): delete some files first`,
    );
  }
}

function fileView(item: Item): FileView {
  const path = item.path as string;
  return {
    kind: 'file',
    path,
    name: splitPath(path).name,
    size: item.size as number,
    contentType: item.contentType as string,
    checksumSha256: item.checksumSha256 as string,
    modifiedAt: item.modifiedAt as string,
  };
}

function folderView(item: Item): FolderView {
  const path = item.path as string;
  return { kind: 'folder', path, name: splitPath(path).name.slice(0, -1) };
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 ** 2) * 10) / 10} MiB`;
