// The photos attached to a post or a story before it is sent. A post names photos of the caller's
// library that are ready, so each file goes the Photos screen's way first: POST /v1/photos/uploads
// for a pending photo and a pre-signed URL, the bytes sent there with upload.ts (XMLHttpRequest,
// for the progress bar), then the photo read every second until processing has made it ready
// (photo-processing.ts). Unlike the Photos screen's uploads, each one can be removed while it is
// on its way: that aborts the upload and deletes the photo that never got its bytes. A photo
// already sent stays in the library (the Photos screen shows it), as a posted one does.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { session } from '../session.ts';
import { type PresignedUpload, percentProgress, sendToPresignedUrl } from '../upload.ts';
import { useWarnBeforeLeaving } from '../upload-list.tsx';
import { type Photo, photoPath } from './photo-model.ts';
import { useProcessingWatch } from './photo-processing.ts';

export type AttachmentState = 'sending' | 'processing' | 'ready' | 'failed';

export interface Attachment {
  key: number;
  name: string;
  /** A blob: URL of the chosen file, shown until the post is sent. */
  preview: string;
  percent: number;
  state: AttachmentState;
  message?: string;
  photoId?: string;
}

/** The browser's type, or one guessed from the extension for systems that do not know AVIF. */
function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const extension = file.name.split('.').at(-1)?.toLowerCase() ?? '';
  const byExtension: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
  return byExtension[extension] ?? (extension ? `image/${extension}` : 'application/octet-stream');
}

export function attachmentStateText(attachment: Attachment, stillProcessing: boolean): string {
  switch (attachment.state) {
    case 'sending':
      return `Uploading ${attachment.percent}%`;
    case 'processing':
      return stillProcessing ? 'Still processing: try again in a moment' : 'Processing…';
    case 'ready':
      return 'Ready';
    case 'failed':
      return `Failed: ${attachment.message ?? 'try again'}`;
  }
}

/** At most `max` photos; `add` returns how many of the files were left out for that limit. */
export function useAttachments(max: number) {
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const nextKey = useRef(0);
  const aborts = useRef(new Map<number, AbortController>());
  const count = useRef(0);
  count.current = attachments.length;

  const update = useCallback((key: number, change: Partial<Attachment>) => {
    setAttachments((shown) => shown.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  const onProcessed = useCallback((photo: Photo) => {
    if (photo.status === 'pending') return;
    setAttachments((shown) =>
      shown.map((item) =>
        item.photoId !== photo.id
          ? item
          : photo.status === 'ready'
            ? { ...item, state: 'ready' }
            : { ...item, state: 'failed', message: photo.failure ?? 'the photo could not be processed' },
      ),
    );
  }, []);
  const { watch, gaveUp } = useProcessingWatch(onProcessed);

  const send = useCallback(
    async (key: number, file: File) => {
      const abort = new AbortController();
      aborts.current.set(key, abort);
      let photo: Photo | undefined;
      try {
        const started = await session.call<{ photo: Photo; upload: Omit<PresignedUpload, 'path'> }>(
          '/v1/photos/uploads',
          {
            method: 'POST',
            headers: { 'idempotency-key': crypto.randomUUID() },
            body: { filename: file.name, contentType: contentTypeOf(file), size: file.size },
            signal: abort.signal,
          },
        );
        photo = started.photo;
        update(key, { photoId: photo.id });
        await sendToPresignedUrl(
          { ...started.upload, path: file.name },
          file,
          percentProgress((percent) => update(key, { percent })),
          abort.signal,
        );
        update(key, { state: 'processing', percent: 100 });
        watch(photo);
      } catch (caught) {
        // The bytes never arrived: the pending photo would only wait a day to expire.
        if (photo) void session.call(photoPath(photo.id), { method: 'DELETE' }).catch(() => {});
        if (!abort.signal.aborted) update(key, { state: 'failed', message: errorText(caught) });
      } finally {
        aborts.current.delete(key);
      }
    },
    [update, watch],
  );

  const add = useCallback(
    (files: File[]): number => {
      const room = Math.max(0, max - count.current);
      const taken = files.slice(0, room);
      const added = taken.map((file) => {
        nextKey.current += 1;
        const item: Attachment = {
          key: nextKey.current,
          name: file.name,
          preview: URL.createObjectURL(file),
          percent: 0,
          state: 'sending',
        };
        return { file, item };
      });
      count.current += added.length;
      setAttachments((shown) => [...shown, ...added.map(({ item }) => item)]);
      for (const { file, item } of added) void send(item.key, file);
      return files.length - taken.length;
    },
    [max, send],
  );

  const remove = useCallback((attachment: Attachment) => {
    aborts.current.get(attachment.key)?.abort();
    URL.revokeObjectURL(attachment.preview);
    setAttachments((shown) => shown.filter((item) => item.key !== attachment.key));
  }, []);

  /** After sending: the previews go, the photos stay in the library. */
  const clear = useCallback(() => {
    setAttachments((shown) => {
      for (const item of shown) URL.revokeObjectURL(item.preview);
      return [];
    });
  }, []);

  // Leaving the screen ends the uploads under way (their photos are deleted, as on remove).
  useEffect(() => {
    const running = aborts.current;
    return () => {
      for (const abort of running.values()) abort.abort();
    };
  }, []);

  useWarnBeforeLeaving(attachments);

  const busy = attachments.some((item) => item.state === 'sending' || item.state === 'processing');
  const readyIds = attachments.flatMap((item) => (item.state === 'ready' && item.photoId ? [item.photoId] : []));
  const failed = attachments.some((item) => item.state === 'failed');
  return { attachments, add, remove, clear, busy, failed, readyIds, gaveUp };
}
