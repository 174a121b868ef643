// One entry of a folder listing, as a row: the file or folder with its size and date, and its
// Download, Rename and Delete actions, where rename and delete open in place of the buttons. Kept
// apart from files.tsx, which lists the rows; the entry type and folder links live here because
// both need them. Styled by files.css, which the Files screen loads, and the shared look in styles.css.
import { useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Field, Form, text } from '../form.tsx';
import { dateTimeFormat, formatBytes } from '../format.ts';
import { Link } from '../router.ts';
import { session } from '../session.ts';

export interface FileEntry {
  kind: 'file' | 'folder';
  /** Folders end in `/`. */
  path: string;
  name: string;
  size?: number;
  contentType?: string;
  modifiedAt?: string;
}

/** `docs/` → `/files?path=docs/` (slashes kept readable). */
export const folderUrl = (folder: string) =>
  folder === '' ? '/files' : `/files?path=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;

/** The folder a path is in: `a/b/c.txt` → `a/b/`, `a/b/` → `a/`. */
function parentOf(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

type RowMode = 'idle' | 'moving' | 'deleting';

export function EntryRow({
  entry,
  onChanged,
  onError,
}: {
  entry: FileEntry;
  onChanged: (message: string) => Promise<void>;
  onError: (message: string) => void;
}) {
  const [mode, setMode] = useState<RowMode>('idle');
  const isFolder = entry.kind === 'folder';
  return (
    <li className="entry">
      <div className="entry-main">
        <EntryIcon folder={isFolder} />
        {isFolder ? (
          <Link to={folderUrl(entry.path)} className="entry-name">
            {entry.name}
          </Link>
        ) : (
          <span className="entry-name">{entry.name}</span>
        )}
        {!isFolder && (
          <span className="entry-meta">
            {formatBytes(entry.size ?? 0)}
            {entry.modifiedAt && (
              <>
                {' · '}
                <time dateTime={entry.modifiedAt}>{dateTimeFormat.format(new Date(entry.modifiedAt))}</time>
              </>
            )}
          </span>
        )}
      </div>
      {mode === 'idle' && <EntryActions entry={entry} onMode={setMode} onError={onError} />}
      {mode === 'moving' && (
        <MoveForm
          entry={entry}
          onCancel={() => setMode('idle')}
          onMoved={async (to) => {
            setMode('idle');
            await onChanged(`Moved ${entry.name} to ${to}`);
          }}
        />
      )}
      {mode === 'deleting' && (
        <DeleteEntry
          entry={entry}
          onCancel={() => setMode('idle')}
          onDeleted={async (count) => {
            await onChanged(
              isFolder
                ? `Deleted the folder ${entry.name} and ${count} ${count === 1 ? 'file' : 'files'} inside`
                : `Deleted ${entry.name}`,
            );
          }}
          onError={(message) => {
            setMode('idle');
            onError(message);
          }}
        />
      )}
    </li>
  );
}

function EntryActions({
  entry,
  onMode,
  onError,
}: {
  entry: FileEntry;
  onMode: (mode: RowMode) => void;
  onError: (message: string) => void;
}) {
  const [downloading, setDownloading] = useState(false);
  const download = async () => {
    setDownloading(true);
    try {
      const { url } = await session.call<{ url: string }>(
        `/v1/files/download?${new URLSearchParams({ path: entry.path })}`,
      );
      // The short-lived URL answers with Content-Disposition: attachment, so the browser saves
      // the file and this page stays.
      const link = document.createElement('a');
      link.href = url;
      link.download = entry.name;
      link.click();
    } catch (caught) {
      onError(errorText(caught));
    } finally {
      setDownloading(false);
    }
  };
  return (
    <div className="actions entry-actions">
      {entry.kind === 'file' && (
        <button
          type="button"
          className="secondary"
          aria-label={`Download ${entry.name}`}
          disabled={downloading}
          onClick={() => void download()}
        >
          Download
        </button>
      )}
      <button type="button" className="secondary" aria-label={`Rename ${entry.name}`} onClick={() => onMode('moving')}>
        Rename
      </button>
      <button
        type="button"
        className="secondary danger"
        aria-label={`Delete ${entry.name}`}
        onClick={() => onMode('deleting')}
      >
        Delete
      </button>
    </div>
  );
}

/** Rename in place, or move by naming another folder in the path (`archive/report.pdf`). */
function MoveForm({
  entry,
  onCancel,
  onMoved,
}: {
  entry: FileEntry;
  onCancel: () => void;
  onMoved: (to: string) => Promise<void>;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const input = box.current?.querySelector('input');
    input?.focus();
    // The name is what people usually change: select it, not the folders before it.
    const start = parentOf(entry.path).length;
    input?.setSelectionRange(start, entry.kind === 'folder' ? entry.path.length - 1 : entry.path.length);
  }, [entry]);
  const isFolder = entry.kind === 'folder';
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape is a shortcut; the Cancel button does the same
    <div
      ref={box}
      className="files-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <Form
        label={`Rename or move ${entry.name}`}
        submit={isFolder ? 'Move folder' : 'Save'}
        onSubmit={async (data) => {
          let to = text(data, 'to').trim();
          if (isFolder && !to.endsWith('/')) to = `${to}/`;
          await session.call('/v1/files/move', { method: 'POST', body: { from: entry.path, to } });
          await onMoved(to);
        }}
      >
        <Field label="New path" name="to" defaultValue={entry.path} autoComplete="off" />
        <p className="hint">
          {isFolder
            ? 'Everything inside moves with the folder. Name another folder to move it there.'
            : 'Change the name, or put a folder in front (archive/…) to move it there.'}
        </p>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </Form>
    </div>
  );
}

function DeleteEntry({
  entry,
  onCancel,
  onDeleted,
  onError,
}: {
  entry: FileEntry;
  onCancel: () => void;
  onDeleted: (count: number) => Promise<void>;
  onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const isFolder = entry.kind === 'folder';
  const remove = async () => {
    setBusy(true);
    try {
      const { deleted } = await session.call<{ deleted: number }>(
        `/v1/files?${new URLSearchParams({ path: entry.path })}`,
        { method: 'DELETE' },
      );
      await onDeleted(deleted);
    } catch (caught) {
      setBusy(false);
      onError(errorText(caught));
    }
  };
  return (
    <Confirm
      question={
        isFolder
          ? `Delete the folder “${entry.name}” and everything inside it, sub-folders too? This cannot be undone.`
          : `Delete “${entry.name}”? This cannot be undone.`
      }
      confirm={isFolder ? 'Delete folder and contents' : 'Yes, delete'}
      busy={busy}
      onConfirm={() => void remove()}
      onCancel={onCancel}
    />
  );
}

function EntryIcon({ folder }: { folder: boolean }) {
  return (
    <svg className="entry-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {folder ? (
        <path d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />
      ) : (
        <path d="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5" />
      )}
    </svg>
  );
}
