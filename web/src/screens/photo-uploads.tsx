// Uploading photos: the picker (several at once), the drop zone around the library, and one row
// per photo with a progress bar named after its file, then its processing state (Processing… →
// Ready, or Failed with the server's reason). Each upload asks the API for a pending photo and a
// pre-signed URL, then sends the bytes there with web/src/upload.ts (XMLHttpRequest, for progress),
// three at a time as the Files screen does. A refusal (wrong type, too big) fails its own row and
// the others go on. Once a photo's bytes are in, the screen is told (it shows the photo at the top
// of the grid and watches it being processed) and reports each new state back through `track`.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { session } from '../session.ts';
import { concurrencyLimit, type PresignedUpload, percentProgress, sendToPresignedUrl } from '../upload.ts';
import { UploadList as SharedUploadList, useWarnBeforeLeaving } from '../upload-list.tsx';
import { type Photo, photoPath } from './photo-model.ts';

type RowState = 'waiting' | 'sending' | 'processing' | 'ready' | 'failed';

interface UploadRow {
  id: number;
  name: string;
  percent: number;
  state: RowState;
  message?: string;
  photoId?: string;
}

const UPLOADS_AT_ONCE = 3;
/** What the API takes; also the picker's filter. Extensions too, for systems that do not know AVIF. */
export const PHOTO_ACCEPT = 'image/jpeg,image/png,image/webp,image/avif,.jpg,.jpeg,.png,.webp,.avif';
const TYPES_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
};

/** The browser's type for the file, or one guessed from its extension when it has none. */
function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const extension = file.name.split('.').at(-1)?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/** A key per upload, so a retried request cannot make a second photo. */
const idempotencyKey = (): Record<string, string> =>
  typeof crypto.randomUUID === 'function' ? { 'idempotency-key': crypto.randomUUID() } : {};

export function usePhotoUploads(onSent: (photo: Photo) => void) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const limit = useRef(concurrencyLimit(UPLOADS_AT_ONCE));
  const nextId = useRef(0);
  const sent = useRef(onSent);
  sent.current = onSent;

  const update = useCallback((id: number, change: Partial<UploadRow>) => {
    setRows((shown) => shown.map((row) => (row.id === id ? { ...row, ...change } : row)));
  }, []);

  const send = useCallback(
    async (id: number, file: File) => {
      update(id, { state: 'sending' });
      let photo: Photo | undefined;
      try {
        const started = await session.call<{ photo: Photo; upload: Omit<PresignedUpload, 'path'> }>(
          '/v1/photos/uploads',
          {
            method: 'POST',
            headers: idempotencyKey(),
            body: { filename: file.name, contentType: contentTypeOf(file), size: file.size },
          },
        );
        photo = started.photo;
        await sendToPresignedUrl(
          { ...started.upload, path: file.name },
          file,
          percentProgress((percent) => update(id, { percent })),
        );
        update(id, { state: 'processing', percent: 100, photoId: photo.id });
        sent.current(photo);
      } catch (caught) {
        update(id, { state: 'failed', message: errorText(caught) });
        // The bytes never arrived: the pending photo would only wait a day to expire.
        if (photo) void session.call(photoPath(photo.id), { method: 'DELETE' }).catch(() => {});
      }
    },
    [update],
  );

  const start = useCallback(
    (files: File[]) => {
      const added = files.map((file) => {
        nextId.current += 1;
        return { file, row: { id: nextId.current, name: file.name, percent: 0, state: 'waiting' as const } };
      });
      setRows((shown) => [...shown, ...added.map(({ row }) => row)]);
      for (const { file, row } of added) void limit.current(() => send(row.id, file));
    },
    [send],
  );

  /** A new state of an uploaded photo, from the screen's processing watch. */
  const track = useCallback((photo: Photo) => {
    if (photo.status === 'pending') return;
    setRows((shown) =>
      shown.map((row) =>
        row.photoId !== photo.id
          ? row
          : photo.status === 'ready'
            ? { ...row, state: 'ready' }
            : { ...row, state: 'failed', message: photo.failure ?? 'the photo could not be processed' },
      ),
    );
  }, []);

  const clearFinished = () => setRows((shown) => shown.filter((row) => !isFinished(row)));

  useWarnBeforeLeaving(rows);

  return { rows, start, track, clearFinished };
}

const isFinished = (row: UploadRow) => row.state === 'ready' || row.state === 'failed';

export function UploadList({
  rows,
  gaveUp,
  onClear,
}: {
  rows: UploadRow[];
  /** Photos still processing after the watch gave up on them. */
  gaveUp: ReadonlySet<string>;
  onClear: () => void;
}) {
  return (
    <SharedUploadList
      rows={rows}
      headingId="photo-uploads-heading"
      describe={(row) => stateText(row, gaveUp)}
      isFinished={isFinished}
      onClear={onClear}
    />
  );
}

function stateText(row: UploadRow, gaveUp: ReadonlySet<string>): string {
  switch (row.state) {
    case 'waiting':
      return 'Waiting…';
    case 'sending':
      return `Uploading ${row.percent}%`;
    case 'processing':
      return row.photoId && gaveUp.has(row.photoId) ? 'Still processing: it will show once ready' : 'Processing…';
    case 'ready':
      return 'Ready';
    case 'failed':
      return `Failed: ${row.message ?? 'try again'}`;
  }
}
