// The user's private folder: browse folders, upload (picker or drag-and-drop, three at a time,
// each with its own progress bar), download, rename or move, and delete, with storage used
// against the quota. The folder shown lives in the URL (`/files?path=docs/`), so back, forward
// and reload all work. The API has no empty folders (a folder exists while a file is inside it),
// so "New folder" only opens the new path; the first upload there makes it real.
//
// This file holds the screen, its listing and usage, the breadcrumbs and New folder; each row is
// in file-entry.tsx and the uploads in file-uploads.tsx, so every part stays small enough to read.
import './files.css';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, errorText, type Page } from '../api.ts';
import { DropZone, FilePicker } from '../choose-files.tsx';
import { Field, Form, text } from '../form.tsx';
import { formatMb } from '../format.ts';
import { ShowMore } from '../pages.tsx';
import { Link, navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { EntryRow, type FileEntry, folderUrl } from './file-entry.tsx';
import { UploadList, useUploads } from './file-uploads.tsx';

interface Usage {
  bytes: number;
  files: number;
  quotaBytes: number;
  maxFileBytes: number;
}

const PAGE = 100;
/** An upload is recorded a moment after its bytes land; the list is re-read until it shows. */
const LISTED_RETRIES = 20;
const LISTED_RETRY_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function Files() {
  const folder = currentFolder(useLocation());
  const listing = useListing(folder);
  const usage = useUsage();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  // What happened in one folder is old news in the next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose when the folder changes
  useEffect(() => {
    setStatus(undefined);
    setError(undefined);
  }, [folder]);

  // Upload callbacks outlive renders: they read the folder and loader through refs.
  const folderNow = useRef(folder);
  folderNow.current = folder;
  const loadNow = useRef(listing.load);
  loadNow.current = listing.load;

  const whenUploaded = useCallback(
    async (path: string) => {
      for (let attempt = 0; attempt < LISTED_RETRIES; attempt += 1) {
        if (!path.startsWith(folderNow.current)) break;
        const items = await loadNow.current();
        if (items?.some((item) => path === item.path || path.startsWith(item.path))) break;
        await sleep(LISTED_RETRY_MS);
      }
      await usage.load();
    },
    [usage.load],
  );
  const uploads = useUploads(whenUploaded);

  const changed = async (message: string) => {
    setError(undefined);
    setStatus(message);
    await Promise.all([listing.load(), usage.load()]);
  };
  const failed = (message: string) => {
    setStatus(undefined);
    setError(message);
  };

  return (
    <main className="files">
      <h1>Files</h1>
      {usage.usage && <UsageMeter usage={usage.usage} />}
      <Breadcrumbs folder={folder} />
      <div className="files-toolbar">
        <FilePicker label="Upload files" onFiles={(files) => uploads.start(files, folder)} />
        <NewFolder folder={folder} />
      </div>
      {usage.usage && (
        <p className="hint files-hint">
          Up to {formatMb(usage.usage.maxFileBytes)} MB a file. You can also drop files onto the list.
        </p>
      )}
      <UploadList rows={uploads.rows} onClear={uploads.clearFinished} />
      <p role="alert" className="error">
        {error ?? listing.error ?? usage.error}
      </p>
      <p role="status" className="status">
        {status}
      </p>
      <DropZone
        label={`Contents of ${folder === '' ? 'Files' : folder}`}
        folderRefusal="Folders cannot be dropped here: open the folder and drop its files"
        onFiles={(files) => uploads.start(files, folder)}
        onRefused={failed}
      >
        <ul className="rows entries" aria-label="Folder contents" aria-busy={listing.loading}>
          {listing.items.map((entry) => (
            <EntryRow key={entry.path} entry={entry} onChanged={changed} onError={failed} />
          ))}
        </ul>
        {listing.loading && listing.items.length === 0 && <p className="empty">Loading…</p>}
        {!listing.loading && listing.items.length === 0 && !listing.error && <EmptyFolder folder={folder} />}
        <ShowMore pages={listing} className="link" />
      </DropZone>
    </main>
  );
}

/** The folder in the URL, always `''` or ending in `/`. */
function currentFolder(location: URL): string {
  const raw = location.searchParams.get('path') ?? '';
  return raw === '' || raw.endsWith('/') ? raw : `${raw}/`;
}

/** One folder's entries; an answer for a folder no longer shown is dropped. */
function useListing(folder: string) {
  const [listing, setListing] = useState<{ folder: string; items: FileEntry[]; nextCursor?: string | undefined }>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const latest = useRef(0);

  const load = useCallback(
    async (cursor?: string): Promise<FileEntry[] | undefined> => {
      const ticket = ++latest.current;
      setLoading(true);
      try {
        const query = new URLSearchParams({ prefix: folder, limit: String(PAGE) });
        if (cursor) query.set('cursor', cursor);
        const page = await session.call<Page<FileEntry>>(`/v1/files?${query}`);
        if (ticket !== latest.current) return undefined;
        setListing((shown) => ({
          folder,
          items: cursor && shown ? [...shown.items, ...page.items] : page.items,
          nextCursor: page.nextCursor,
        }));
        setError(undefined);
        return page.items;
      } catch (caught) {
        if (ticket === latest.current) setError(errorText(caught));
        return undefined;
      } finally {
        if (ticket === latest.current) setLoading(false);
      }
    },
    [folder],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const current = listing?.folder === folder ? listing : undefined;
  return { items: current?.items ?? [], nextCursor: current?.nextCursor, loading, error, load };
}

function useUsage() {
  const [usage, setUsage] = useState<Usage>();
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      setUsage(await session.call<Usage>('/v1/files/usage'));
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return { usage, error, load };
}

function UsageMeter({ usage }: { usage: Usage }) {
  const id = useId();
  return (
    <div className="usage">
      <label htmlFor={id}>Storage used</label>
      <meter id={id} min={0} max={usage.quotaBytes} value={usage.bytes} high={usage.quotaBytes * 0.9} optimum={0}>
        {formatMb(usage.bytes)} MB
      </meter>
      <span className="usage-text">
        {formatMb(usage.bytes)} MB of {formatMb(usage.quotaBytes)} MB
      </span>
    </div>
  );
}

function Breadcrumbs({ folder }: { folder: string }) {
  const names = folder.split('/').filter(Boolean);
  return (
    <nav aria-label="Breadcrumbs" className="breadcrumbs">
      <ol>
        <li>
          <Link to={folderUrl('')} current={folder === ''}>
            Files
          </Link>
        </li>
        {names.map((name, index) => {
          const path = `${names.slice(0, index + 1).join('/')}/`;
          return (
            <li key={path}>
              <Link to={folderUrl(path)} current={path === folder}>
                {name}
              </Link>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** Opens a new folder's path; it is kept once a file is uploaded into it. */
function NewFolder({ folder }: { folder: string }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        New folder
      </button>
    );
  }
  return (
    <div className="files-form">
      <Form
        label="New folder"
        submit="Create folder"
        onSubmit={async (data) => {
          const name = text(data, 'name')
            .trim()
            .replace(/^\/+|\/+$/g, '');
          const refusal = folderNameProblem(name);
          if (refusal)
            throw new ApiError(400, { title: 'Invalid name', status: 400, detail: refusal, code: 'InvalidPath' });
          setOpen(false);
          navigate(folderUrl(`${folder}${name}/`));
        }}
      >
        <Field label="Folder name" name="name" autoComplete="off" />
        <p className="hint">The folder is kept once you upload a file into it.</p>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </Form>
    </div>
  );
}

/** What the API would say of this folder name (it checks only once a file is uploaded there). */
function folderNameProblem(name: string): string | undefined {
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    return 'The name must not be empty, and must not have empty, . or .. parts';
  }
  if (/[\u0000-\u001f\u007f\\]/.test(name)) return 'The name must not contain control characters or backslashes';
  return undefined;
}

function EmptyFolder({ folder }: { folder: string }) {
  return folder === '' ? (
    <p className="empty">No files yet: upload some with the button above, or drop them here.</p>
  ) : (
    <p className="empty">This folder is empty. Upload a file to keep it: a folder exists only while it holds files.</p>
  );
}
