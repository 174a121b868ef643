// A task's attached files: pick them or drop them on the list, watch each upload's progress,
// then download or remove them. An upload asks the API for a pending attachment and a
// pre-signed URL, sends the bytes there (web/src/upload.ts, XMLHttpRequest for progress) and
// waits for the storage's word that they arrived, which turns the attachment ready; until then
// the list is asked again every second for a short while. Download links last five minutes, so
// an old one is swapped for a fresh one when clicked.
import { type MouseEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { DropZone, FilePicker } from '../choose-files.tsx';
import { Confirm } from '../confirm.tsx';
import { formatBytes } from '../format.ts';
import { session } from '../session.ts';
import { concurrencyLimit, type PresignedUpload, percentProgress, sendToPresignedUrl } from '../upload.ts';
import { UploadList, useWarnBeforeLeaving } from '../upload-list.tsx';
import { taskUrl } from './task-model.ts';

interface Attachment {
  id: string;
  taskId: string;
  filename: string;
  contentType: string;
  size: number;
  status: 'pending' | 'ready';
  createdAt: string;
  download?: { url: string; expiresAt: string };
}

type RowState = 'waiting' | 'sending' | 'finishing' | 'ready' | 'failed';

interface UploadRow {
  id: number;
  name: string;
  percent: number;
  state: RowState;
  message?: string;
  attachmentId?: string;
}

const UPLOADS_AT_ONCE = 3;
const POLL_MS = 1_000;
/** How long a pending attachment is watched before the list stops asking (it stays pending). */
const POLL_TRIES = 30;
/** A download link this close to expiring is renewed before use. */
const EXPIRY_MARGIN_MS = 15_000;

const attachmentsUrl = (taskId: string) => `${taskUrl(taskId)}/attachments`;

export function TaskAttachments({ taskId, title }: { taskId: string; title: string }) {
  const headingId = useId();
  const [items, setItems] = useState<Attachment[]>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (): Promise<Attachment[] | undefined> => {
    try {
      const { items: fresh } = await session.call<{ items: Attachment[] }>(attachmentsUrl(taskId));
      setItems(fresh);
      return fresh;
    } catch (caught) {
      setError(errorText(caught));
      return undefined;
    } finally {
      setLoading(false);
    }
  }, [taskId]);

  useEffect(() => {
    void load();
  }, [load]);

  const uploads = useAttachmentUploads(taskId, load);
  usePollWhilePending(items, load);

  // An upload is ready once the list says its attachment is.
  const { markReady } = uploads;
  useEffect(() => {
    for (const item of items ?? []) if (item.status === 'ready') markReady(item.id);
  }, [items, markReady]);

  return (
    <section className="editor-section attachments" aria-labelledby={headingId} aria-busy={loading}>
      <h2 id={headingId}>Attachments</h2>
      <DropZone
        label={`Attachments of ${title}`}
        folderRefusal="Folders cannot be attached: pick the files inside them."
        onFiles={uploads.start}
        onRefused={setError}
      >
        <div className="attachment-bar">
          <FilePicker label="Attach files" onFiles={uploads.start} />
          <span className="hint">or drop files here</span>
        </div>
        <UploadList
          rows={uploads.rows}
          headingId={`${headingId}-uploads`}
          describe={uploadState}
          isFinished={isFinished}
          onClear={uploads.clearFinished}
        />
        <p role="alert" className="error">
          {error}
        </p>
        {items && items.length > 0 && (
          <ul className="rows attachment-rows" aria-label="Attached files">
            {items.map((item) => (
              <AttachmentRow
                key={item.id}
                item={item}
                onRemoved={() => setItems((shown) => shown?.filter((i) => i.id !== item.id))}
                onRenew={load}
              />
            ))}
          </ul>
        )}
        {items?.length === 0 && uploads.rows.length === 0 && <p className="empty">No files attached.</p>}
      </DropZone>
    </section>
  );
}

function AttachmentRow({
  item,
  onRemoved,
  onRenew,
}: {
  item: Attachment;
  onRemoved: () => void;
  onRenew: () => Promise<Attachment[] | undefined>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const remove = async () => {
    setBusy(true);
    try {
      await session.call(`${attachmentsUrl(item.taskId)}/${encodeURIComponent(item.id)}`, { method: 'DELETE' });
      onRemoved();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  /** An expired link would fail: a fresh one is fetched and followed instead. */
  const download = async (event: MouseEvent<HTMLAnchorElement>) => {
    if (!item.download || Date.parse(item.download.expiresAt) - EXPIRY_MARGIN_MS > Date.now()) return;
    event.preventDefault();
    const fresh = (await onRenew())?.find((i) => i.id === item.id)?.download;
    if (fresh) location.assign(fresh.url);
  };

  return (
    <li className="attachment">
      <div className="attachment-main">
        {item.download ? (
          <a href={item.download.url} download={item.filename} onClick={(event) => void download(event)}>
            <span className="visually-hidden">Download </span>
            {item.filename}
          </a>
        ) : (
          <span>{item.filename}</span>
        )}
        <span className="hint">
          {formatBytes(item.size)}
          {item.status === 'pending' ? ' · Waiting for the upload to finish…' : ''}
        </span>
      </div>
      {!confirming && (
        <button
          type="button"
          className="icon"
          aria-label={`Remove ${item.filename}`}
          onClick={() => setConfirming(true)}
        >
          ×
        </button>
      )}
      {confirming && (
        <Confirm
          question={`Remove “${item.filename}” from this task?`}
          confirm="Yes, remove"
          busyLabel="Removing…"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        >
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </Confirm>
      )}
    </li>
  );
}

/** While any attachment is pending, the list is asked again every second, for a short while. */
function usePollWhilePending(items: Attachment[] | undefined, load: () => Promise<unknown>) {
  const tries = useRef(0);
  // Each answer (a new `items`) schedules the next question while something is still pending.
  useEffect(() => {
    if (!items?.some((item) => item.status === 'pending')) {
      tries.current = 0;
      return;
    }
    if (tries.current >= POLL_TRIES) return;
    const timer = setTimeout(() => {
      tries.current += 1;
      void load();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [items, load]);
}

function useAttachmentUploads(taskId: string, reload: () => Promise<unknown>) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const limit = useRef(concurrencyLimit(UPLOADS_AT_ONCE));
  const nextId = useRef(0);

  const update = useCallback((id: number, change: Partial<UploadRow>) => {
    setRows((shown) => shown.map((row) => (row.id === id ? { ...row, ...change } : row)));
  }, []);

  const send = useCallback(
    async (id: number, file: File) => {
      update(id, { state: 'sending' });
      let attachmentId: string | undefined;
      try {
        const started = await session.call<{ attachment: Attachment; upload: Omit<PresignedUpload, 'path'> }>(
          attachmentsUrl(taskId),
          {
            method: 'POST',
            body: { filename: file.name, contentType: file.type || 'application/octet-stream', size: file.size },
          },
        );
        attachmentId = started.attachment.id;
        await sendToPresignedUrl(
          { ...started.upload, path: file.name },
          file,
          percentProgress((percent) => update(id, { percent })),
        );
        update(id, { state: 'finishing', percent: 100, attachmentId });
        await reload();
      } catch (caught) {
        update(id, { state: 'failed', message: errorText(caught) });
        // The bytes never arrived: the pending attachment would only wait a day to expire.
        if (attachmentId) {
          void session
            .call(`${attachmentsUrl(taskId)}/${encodeURIComponent(attachmentId)}`, { method: 'DELETE' })
            .catch(() => {})
            .then(() => reload());
        }
      }
    },
    [taskId, update, reload],
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

  const markReady = useCallback((attachmentId: string) => {
    setRows((shown) =>
      shown.some((row) => row.attachmentId === attachmentId && row.state === 'finishing')
        ? shown.map((row) => (row.attachmentId === attachmentId ? { ...row, state: 'ready' } : row))
        : shown,
    );
  }, []);

  const clearFinished = () => setRows((shown) => shown.filter((row) => !isFinished(row)));

  useWarnBeforeLeaving(rows);

  return { rows, start, markReady, clearFinished };
}

const isFinished = (row: UploadRow) => row.state === 'ready' || row.state === 'failed';

function uploadState(row: UploadRow): string {
  switch (row.state) {
    case 'waiting':
      return 'Waiting…';
    case 'sending':
      return `${row.percent}%`;
    case 'finishing':
      return 'Finishing…';
    case 'ready':
      return 'Ready';
    case 'failed':
      return `Failed: ${row.message ?? 'try again'}`;
  }
}
