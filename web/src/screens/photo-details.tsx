// What the owner sees under a photo in the lightbox: its caption (edited in place and saved with
// If-Match, so an edit made elsewhere meanwhile is never overwritten unseen: a 412 reloads the
// photo and keeps the text typed), its facts, Download original, Share, Delete (after the shared
// Confirm), and Add to album; inside an album, Make album cover and Remove from album instead.
// Each change goes back to the screen, which keeps its lists in step. Styled by photos.css.
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, errorText, type Page } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { formatBytes } from '../format.ts';
import { Link } from '../router.ts';
import { session } from '../session.ts';
import { ALBUMS_PAGE, type Album, albumPath, formatWhen, ifMatch, type Photo, photoPath } from './photo-model.ts';
import { ShareDialog } from './share-dialog.tsx';

/** The album a photo is seen in, and what changing it does to the screen. */
export interface AlbumContext {
  album: Album;
  onAlbumChanged: (album: Album) => void;
  onRemoved: (photoId: string) => void;
}

export function PhotoDetails({
  photo,
  onChanged,
  onDeleted,
  inAlbum,
}: {
  photo: Photo;
  onChanged: (photo: Photo) => void;
  onDeleted: (id: string) => void;
  inAlbum?: AlbumContext;
}) {
  // What the last action did, for this photo only: the next photo starts with a clean line.
  const [status, setStatus] = useState<{ id: string; text: string }>();
  const [error, setError] = useState<{ id: string; text: string }>();
  const say = (text: string) => {
    setError(undefined);
    setStatus({ id: photo.id, text });
  };
  const fail = (caught: unknown) => {
    setStatus(undefined);
    setError({ id: photo.id, text: errorText(caught) });
  };
  return (
    <div className="photo-details">
      <CaptionEditor key={`caption-${photo.id}`} photo={photo} onChanged={onChanged} />
      <PhotoFacts photo={photo} />
      <p role="status" className="status">
        {status?.id === photo.id ? status.text : ''}
      </p>
      <p role="alert" className="error">
        {error?.id === photo.id ? error.text : ''}
      </p>
      {inAlbum ? (
        <AlbumActions photo={photo} context={inAlbum} onDone={say} onError={fail} />
      ) : (
        <AddToAlbum photo={photo} onDone={say} onError={fail} />
      )}
      <PhotoActions key={`actions-${photo.id}`} photo={photo} onDeleted={onDeleted} onError={fail} />
    </div>
  );
}

function CaptionEditor({ photo, onChanged }: { photo: Photo; onChanged: (photo: Photo) => void }) {
  const [draft, setDraft] = useState(photo.caption ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const fieldId = useId();
  const changed = draft.trim() !== (photo.caption ?? '');
  const save = async () => {
    setBusy(true);
    setMessage(undefined);
    setError(undefined);
    try {
      const caption = draft.trim();
      const saved = await session.call<Photo>(photoPath(photo.id), {
        method: 'PATCH',
        headers: ifMatch(photo.version),
        body: { caption: caption === '' ? null : caption },
      });
      onChanged(saved);
      setDraft(saved.caption ?? '');
      setMessage('Caption saved');
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 412) {
        // Changed elsewhere: show the latest version, keep what was typed for a second save.
        try {
          const latest = await session.call<Photo>(photoPath(photo.id));
          onChanged(latest);
          setError(
            `This photo was changed elsewhere: its caption is now ${latest.caption ? `“${latest.caption}”` : 'empty'}. Save again to replace it with yours.`,
          );
        } catch (reloading) {
          setError(errorText(reloading));
        }
      } else setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="caption-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label htmlFor={fieldId}>Caption</label>
      <textarea
        id={fieldId}
        rows={2}
        value={draft}
        placeholder="Say what is in the photo"
        onChange={(event) => setDraft(event.currentTarget.value)}
      />
      <div className="caption-actions">
        <button type="submit" disabled={busy || !changed}>
          {busy ? 'Saving…' : 'Save caption'}
        </button>
        <span role="status" className="status">
          {message}
        </span>
      </div>
      <p role="alert" className="error">
        {error}
      </p>
    </form>
  );
}

function PhotoFacts({ photo }: { photo: Photo }) {
  const facts = [
    photo.filename,
    photo.width && photo.height ? `${photo.width} × ${photo.height}` : undefined,
    photo.bytes !== undefined ? formatBytes(photo.bytes) : undefined,
    photo.takenAt ? `taken ${formatWhen(photo.takenAt)}` : `added ${formatWhen(photo.createdAt)}`,
  ].filter(Boolean);
  return <p className="photo-facts">{facts.join(' · ')}</p>;
}

function PhotoActions({
  photo,
  onDeleted,
  onError,
}: {
  photo: Photo;
  onDeleted: (id: string) => void;
  onError: (caught: unknown) => void;
}) {
  const [mode, setMode] = useState<'idle' | 'sharing' | 'deleting'>('idle');
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const full = await session.call<Photo>(photoPath(photo.id));
      if (!full.original) throw new Error('no original');
      // The short-lived URL answers with Content-Disposition: attachment, so this page stays.
      const link = document.createElement('a');
      link.href = full.original.url;
      link.download = full.filename;
      link.click();
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await session.call(photoPath(photo.id), { method: 'DELETE' });
      onDeleted(photo.id);
    } catch (caught) {
      setBusy(false);
      setMode('idle');
      onError(caught);
    }
  };
  if (mode === 'deleting') {
    return (
      <Confirm
        question="Delete this photo? It leaves every album and its share links stop working. This cannot be undone."
        confirm="Yes, delete"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setMode('idle')}
      />
    );
  }
  return (
    <div className="actions">
      <button type="button" className="secondary" disabled={busy} onClick={() => void download()}>
        Download original
      </button>
      <button type="button" className="secondary" onClick={() => setMode('sharing')}>
        Share
      </button>
      <button type="button" className="secondary danger" onClick={() => setMode('deleting')}>
        Delete
      </button>
      {mode === 'sharing' && (
        <ShareDialog kind="photo" id={photo.id} name="this photo" onClose={() => setMode('idle')} />
      )}
    </div>
  );
}

/** Albums are read once per lightbox; the album chosen stays chosen from one photo to the next. */
function AddToAlbum({
  photo,
  onDone,
  onError,
}: {
  photo: Photo;
  onDone: (text: string) => void;
  onError: (caught: unknown) => void;
}) {
  const [albums, setAlbums] = useState<Album[]>();
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState(false);
  const selectId = useId();
  const failed = useRef(onError);
  failed.current = onError;
  useEffect(() => {
    const controller = new AbortController();
    session
      .call<Page<Album>>('/v1/albums?limit=100', { signal: controller.signal })
      .then((page) => {
        setAlbums(page.items);
        setChosen((current) => current || (page.items[0]?.id ?? ''));
      })
      .catch((caught) => {
        if ((caught as Error).name !== 'AbortError') failed.current(caught);
      });
    return () => controller.abort();
  }, []);

  if (!albums) return null;
  if (albums.length === 0) {
    return (
      <p className="hint">
        To put photos in albums, first <Link to={ALBUMS_PAGE}>make an album</Link>.
      </p>
    );
  }
  const add = async () => {
    const album = albums.find((candidate) => candidate.id === chosen);
    if (!album) return;
    setBusy(true);
    try {
      await session.call<Album>(`${albumPath(album.id)}/photos/${encodeURIComponent(photo.id)}`, { method: 'PUT' });
      onDone(`Added to “${album.title}”`);
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="add-to-album">
      <label htmlFor={selectId}>Album</label>
      <select id={selectId} value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
        {albums.map((album) => (
          <option key={album.id} value={album.id}>
            {album.title}
          </option>
        ))}
      </select>
      <button type="button" disabled={busy || chosen === ''} onClick={() => void add()}>
        Add to album
      </button>
    </div>
  );
}

function AlbumActions({
  photo,
  context,
  onDone,
  onError,
}: {
  photo: Photo;
  context: AlbumContext;
  onDone: (text: string) => void;
  onError: (caught: unknown) => void;
}) {
  const { album } = context;
  const [busy, setBusy] = useState(false);
  const run = async (change: () => Promise<void>) => {
    setBusy(true);
    try {
      await change();
    } catch (caught) {
      onError(caught);
    } finally {
      setBusy(false);
    }
  };
  const makeCover = () =>
    run(async () => {
      try {
        const changed = await session.call<Album>(albumPath(album.id), {
          method: 'PATCH',
          headers: ifMatch(album.version),
          body: { coverPhotoId: photo.id },
        });
        context.onAlbumChanged(changed);
        onDone(`This photo is now the cover of “${album.title}”`);
      } catch (caught) {
        if (!(caught instanceof ApiError && caught.status === 412)) throw caught;
        // Changed elsewhere: show the album as it is now, and let the user decide again.
        context.onAlbumChanged(await session.call<Album>(albumPath(album.id)));
        throw caught;
      }
    });
  const removeFromAlbum = () =>
    run(async () => {
      const changed = await session.call<Album>(`${albumPath(album.id)}/photos/${encodeURIComponent(photo.id)}`, {
        method: 'DELETE',
      });
      context.onAlbumChanged(changed);
      context.onRemoved(photo.id);
    });
  const isCover = album.coverPhotoId === photo.id;
  return (
    <div className="actions album-actions">
      {isCover ? (
        <p className="hint cover-note">This photo is the album’s cover.</p>
      ) : (
        <button type="button" className="secondary" disabled={busy} onClick={() => void makeCover()}>
          Make album cover
        </button>
      )}
      <button type="button" className="secondary" disabled={busy} onClick={() => void removeFromAlbum()}>
        Remove from album
      </button>
    </div>
  );
}
