import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError, notFound, unprocessable } from '../../platform/errors.ts';
import type { ObjectStore } from '../../platform/objects.ts';
import { ConditionFailedError, type Item, type Table, TTL_ATTRIBUTE, when } from '../../platform/table.ts';
import { newSortableId } from '../common/ids.ts';
import { userPartition } from '../users/profile.ts';
import { attachmentKey, attachmentObjectKey, attachmentPrefix, taskKey } from './keys.ts';

export interface AttachmentLimits {
  /** Bytes one file may have. */
  maxFileBytes: number;
  /** Files one task may have. */
  maxFilesPerTask: number;
}

export const defaultAttachmentLimits: AttachmentLimits = { maxFileBytes: 25 * 1024 ** 2, maxFilesPerTask: 10 };

export interface AttachmentView {
  id: string;
  taskId: string;
  filename: string;
  contentType: string;
  size: number;
  status: 'pending' | 'ready';
  createdAt: string;
  /** A short-lived link, once the bytes have arrived. */
  download?: { url: string; expiresAt: string };
}

const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 5 * 60;
/** An attachment whose bytes never arrive goes by itself. */
const PENDING_SECONDS = 24 * 3600;

/**
 * A task's files: `USER#<sub>` / `TASKFILE#<taskId>#<ulid>`, bytes at
 * `users/<sub>/tasks/<taskId>/<ulid>`. The client uploads straight to the object store with a
 * pre-signed URL bound to the declared size; the object-created event marks the file ready.
 */
export class AttachmentService {
  constructor(
    private readonly table: Table,
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    readonly limits: AttachmentLimits = defaultAttachmentLimits,
  ) {}

  async startUpload(sub: string, taskId: string, input: { filename: string; contentType: string; size: number }) {
    await this.requireTask(sub, taskId);
    if (input.size > this.limits.maxFileBytes) {
      throw new AppError(
        413,
        'AttachmentTooLarge',
        `An attachment may be at most ${this.limits.maxFileBytes / 1024 ** 2} MB; this one is ${(input.size / 1024 ** 2).toFixed(1)} MB`,
      );
    }
    const existing = await this.items(sub, taskId);
    if (existing.length >= this.limits.maxFilesPerTask) {
      throw unprocessable(
        'TooManyAttachments',
        `A task may have at most ${this.limits.maxFilesPerTask} attachments: remove one first`,
      );
    }
    const id = newSortableId(this.clock);
    const item: Item = {
      ...attachmentKey(sub, taskId, id),
      type: 'task-attachment',
      id,
      taskId,
      filename: input.filename,
      contentType: input.contentType,
      size: input.size,
      status: 'pending',
      createdAt: new Date(this.clock.now()).toISOString(),
      [TTL_ATTRIBUTE]: epochSeconds(this.clock) + PENDING_SECONDS,
    };
    await this.table.put(item, { condition: when.notExists() });
    const upload = await this.objects.presignUpload({
      key: attachmentObjectKey(sub, taskId, id),
      contentType: input.contentType,
      maxSize: input.size,
      expiresInSeconds: UPLOAD_URL_SECONDS,
    });
    return { attachment: view(item), upload };
  }

  async list(sub: string, taskId: string): Promise<AttachmentView[]> {
    await this.requireTask(sub, taskId);
    return Promise.all((await this.items(sub, taskId)).map((item) => this.withDownload(sub, item)));
  }

  async get(sub: string, taskId: string, id: string): Promise<AttachmentView> {
    const item = await this.table.get(attachmentKey(sub, taskId, id));
    if (!item) throw notFound(`Task ${taskId} has no attachment ${id}`);
    return this.withDownload(sub, item);
  }

  /** The item goes now; its bytes follow from the change stream (`deleteRemovedAttachments`). */
  async delete(sub: string, taskId: string, id: string): Promise<void> {
    const removed = await this.table.delete(attachmentKey(sub, taskId, id));
    if (!removed) throw notFound(`Task ${taskId} has no attachment ${id}`);
  }

  /** The bytes arrived: the file is ready, with the size the store measured. */
  async uploaded(sub: string, taskId: string, id: string): Promise<void> {
    const info = await this.objects.head(attachmentObjectKey(sub, taskId, id));
    if (!info) return;
    try {
      await this.table.update(
        attachmentKey(sub, taskId, id),
        { set: { status: 'ready', size: info.size }, remove: [TTL_ATTRIBUTE] },
        { condition: when.exists() },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      // The attachment or its task went while the bytes were on their way.
      await this.objects.delete(attachmentObjectKey(sub, taskId, id));
    }
  }

  private async withDownload(sub: string, item: Item): Promise<AttachmentView> {
    const attachment = view(item);
    if (attachment.status !== 'ready') return attachment;
    const download = await this.objects.presignDownload({
      key: attachmentObjectKey(sub, attachment.taskId, attachment.id),
      filename: attachment.filename,
      expiresInSeconds: DOWNLOAD_URL_SECONDS,
    });
    return { ...attachment, download };
  }

  private async items(sub: string, taskId: string): Promise<Item[]> {
    const page = await this.table.query({
      partition: userPartition(sub),
      sort: { beginsWith: attachmentPrefix(taskId) },
      limit: 100,
    });
    return page.items;
  }

  private async requireTask(sub: string, taskId: string): Promise<void> {
    if (!(await this.table.get(taskKey(sub, taskId)))) throw notFound(`There is no task with id ${taskId}`);
  }
}

function view(item: Item): AttachmentView {
  return {
    id: item.id as string,
    taskId: item.taskId as string,
    filename: item.filename as string,
    contentType: item.contentType as string,
    size: item.size as number,
    status: item.status as AttachmentView['status'],
    createdAt: item.createdAt as string,
  };
}
