// Uploading into the Files screen's folder: the picker button, the drop zone around the listing,
// and the uploads themselves, each a row with its own progress bar, three sent at a time. Kept
// apart from files.tsx so the screen reads as what it shows; the upload state stays in one hook
// the screen owns, since an upload outlives the folder it was started in. Styled by files.css.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { session } from '../session.ts';
import { concurrencyLimit, type PresignedUpload, percentProgress, sendToPresignedUrl } from '../upload.ts';
import { UploadList as SharedUploadList, useWarnBeforeLeaving } from '../upload-list.tsx';

interface UploadRow {
  id: number;
  name: string;
  path: string;
  percent: number;
  state: 'waiting' | 'sending' | 'done' | 'failed';
  message?: string;
}

const UPLOADS_AT_ONCE = 3;

/**
 * Uploads, each a row: asked for a pre-signed URL, then its bytes sent there, three at a time.
 * A refusal (too big, over quota, a name the API will not take) fails that row alone.
 */
export function useUploads(onUploaded: (path: string) => Promise<void>) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const limit = useRef(concurrencyLimit(UPLOADS_AT_ONCE));
  const nextId = useRef(0);

  const update = useCallback((id: number, change: Partial<UploadRow>) => {
    setRows((shown) => shown.map((row) => (row.id === id ? { ...row, ...change } : row)));
  }, []);

  const send = useCallback(
    async (id: number, file: File, path: string) => {
      update(id, { state: 'sending' });
      try {
        const grant = await session.call<PresignedUpload>('/v1/files/uploads', {
          method: 'POST',
          body: { path, contentType: file.type || 'application/octet-stream', size: file.size },
        });
        await sendToPresignedUrl(
          grant,
          file,
          percentProgress((percent) => update(id, { percent })),
        );
        update(id, { state: 'done', percent: 100 });
        await onUploaded(grant.path);
      } catch (caught) {
        update(id, { state: 'failed', message: errorText(caught) });
      }
    },
    [update, onUploaded],
  );

  const start = (files: File[], folder: string) => {
    const added = files.map((file) => {
      nextId.current += 1;
      return { file, row: { id: nextId.current, name: file.name, path: `${folder}${file.name}`, percent: 0 } };
    });
    setRows((shown) => [...shown, ...added.map(({ row }) => ({ ...row, state: 'waiting' as const }))]);
    for (const { file, row } of added) void limit.current(() => send(row.id, file, row.path));
  };

  const clearFinished = () =>
    setRows((shown) => shown.filter((row) => row.state === 'waiting' || row.state === 'sending'));

  useWarnBeforeLeaving(rows);

  return { rows, start, clearFinished };
}

export function UploadList({ rows, onClear }: { rows: UploadRow[]; onClear: () => void }) {
  return (
    <SharedUploadList
      rows={rows}
      headingId="uploads-heading"
      describe={uploadState}
      isFinished={(row) => row.state === 'done' || row.state === 'failed'}
      onClear={onClear}
    />
  );
}

function uploadState(row: UploadRow): string {
  switch (row.state) {
    case 'waiting':
      return 'Waiting…';
    case 'sending':
      return `${row.percent}%`;
    case 'done':
      return 'Done';
    case 'failed':
      return `Failed: ${row.message ?? 'try again'}`;
  }
}
