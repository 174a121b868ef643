// Albums, two views of the Photos screen: the list (`/photos?view=albums`: covers, titles and
// counts, and a form to make one) and one album (`/photos?album=<id>`: its photos in the shared
// grid and lightbox, Share, Rename, Delete). An album holds photos without owning them: removing
// a photo or deleting the album leaves the photos in the library, and the screens say so. Renames
// and cover changes send If-Match; a 412 reloads the album before the user tries again.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Field, Form, text } from '../form.tsx';
import { usePages } from '../pages.tsx';
import { Link, navigate } from '../router.ts';
import { session } from '../session.ts';
import { Lightbox } from './lightbox.tsx';
import { type AlbumContext, PhotoDetails } from './photo-details.tsx';
import { MorePhotos, PhotoGrid, useOpenPhoto } from './photo-grid.tsx';
import {
  ALBUMS_PAGE,
  type Album,
  albumPage,
  albumPath,
  ifMatch,
  type Photo,
  photoCount,
  squareSources,
} from './photo-model.ts';
import { PhotosNav } from './photos-nav.tsx';
import { ShareDialog } from './share-dialog.tsx';

const ALBUM_PAGE_SIZE = 50;
const PHOTO_PAGE_SIZE = 30;

/** A line for the album list after a deletion, which happens on the album's own page. */
let afterDelete: string | undefined;

export function AlbumList() {
  const albums = usePages<Album>(`/v1/albums?limit=${ALBUM_PAGE_SIZE}`);
  const [status, setStatus] = useState<string | undefined>(() => {
    const message = afterDelete;
    afterDelete = undefined;
    return message;
  });
  // A new form after each album, so the title field starts empty again.
  const [formVersion, setFormVersion] = useState(0);
  return (
    <>
      <h1>Albums</h1>
      <PhotosNav current="albums" />
      <Form
        key={formVersion}
        label="New album"
        submit="Create album"
        onSubmit={async (data) => {
          const album = await session.call<Album>('/v1/albums', {
            method: 'POST',
            body: { title: text(data, 'title').trim() },
          });
          setStatus(`Created the album “${album.title}”`);
          setFormVersion((version) => version + 1);
          await albums.load();
        }}
      >
        <Field label="New album title" name="title" autoComplete="off" />
      </Form>
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {albums.error}
      </p>
      <ul className="album-list" aria-label="Your albums" aria-busy={albums.loading}>
        {albums.items.map((album) => (
          <AlbumCard key={album.id} album={album} />
        ))}
      </ul>
      {albums.loading && albums.items.length === 0 && <p className="empty">Loading…</p>}
      {!albums.loading && albums.items.length === 0 && !albums.error && (
        <p className="empty">No albums yet. Make one above, then add photos to it from the photo viewer.</p>
      )}
      <MorePhotos pages={albums} />
    </>
  );
}

function AlbumCard({ album }: { album: Album }) {
  const cover = album.cover ? squareSources(album.cover) : undefined;
  return (
    <li className="album-card">
      <Link to={albumPage(album.id)}>
        {cover ? (
          // The title beside it names the link; the cover only decorates it.
          <img
            src={cover.src}
            srcSet={cover.srcSet}
            sizes="(min-width: 40rem) 12rem, 45vw"
            width={150}
            height={150}
            loading="lazy"
            alt=""
          />
        ) : (
          <span className="album-empty-cover" aria-hidden="true" />
        )}
        <span className="album-title">{album.title}</span>
        <span className="album-count">{photoCount(album.photoCount)}</span>
      </Link>
    </li>
  );
}

function useAlbum(id: string) {
  const [album, setAlbum] = useState<Album>();
  const [error, setError] = useState<{ status: number; text: string }>();
  const load = useCallback(async () => {
    try {
      setAlbum(await session.call<Album>(albumPath(id)));
      setError(undefined);
    } catch (caught) {
      setError({ status: caught instanceof ApiError ? caught.status : 0, text: errorText(caught) });
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  return { album, setAlbum, error, load };
}

/** One album; photo changes made here are passed on so the library shows them too. */
export function AlbumView({
  id,
  onPhotoChanged,
  onPhotoDeleted,
}: {
  id: string;
  onPhotoChanged: (photo: Photo) => void;
  onPhotoDeleted: (id: string) => void;
}) {
  const { album, setAlbum, error, load } = useAlbum(id);
  const photos = usePages<Photo>(`${albumPath(id)}/photos?limit=${PHOTO_PAGE_SIZE}`);
  const { setItems } = photos;
  const opened = useOpenPhoto(photos.items);
  const [status, setStatus] = useState<string>();

  if (error?.status === 404) {
    return (
      <>
        <h1>Album not found</h1>
        <PhotosNav current="albums" />
        <p className="empty">
          This album does not exist: it may have been deleted. <Link to={ALBUMS_PAGE}>See your albums</Link>.
        </p>
      </>
    );
  }
  if (!album) {
    return (
      <>
        <h1>{error ? 'Album' : 'Loading album…'}</h1>
        <PhotosNav current="albums" />
        <p role="alert" className="error">
          {error?.text}
        </p>
      </>
    );
  }

  const context: AlbumContext = {
    album,
    onAlbumChanged: setAlbum,
    onRemoved: (photoId) => {
      opened.leaving(photoId);
      setItems((shown) => shown.filter((photo) => photo.id !== photoId));
      setStatus('Removed from the album: the photo is still in All photos');
    },
  };
  return (
    <>
      <h1>{album.title}</h1>
      <PhotosNav current="albums" />
      <p className="album-summary">{photoCount(album.photoCount)}</p>
      <AlbumToolbar album={album} onChanged={setAlbum} onReload={load} />
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {photos.error ?? error?.text}
      </p>
      <PhotoGrid photos={photos.items} label={`Photos in ${album.title}`} busy={photos.loading} onOpen={opened.open} />
      {photos.loading && photos.items.length === 0 && <p className="empty">Loading…</p>}
      {!photos.loading && photos.items.length === 0 && !photos.error && (
        <p className="empty">
          This album is empty. Open a photo in <Link to="/photos">All photos</Link> and choose “Add to album”.
        </p>
      )}
      <MorePhotos pages={photos} />
      {opened.index !== undefined && (
        <Lightbox photos={photos.items} index={opened.index} onIndex={opened.show} onClose={opened.close} more={photos}>
          {(photo) => (
            <PhotoDetails
              photo={photo as Photo}
              inAlbum={context}
              onChanged={(changed) => {
                setItems((shown) => shown.map((item) => (item.id === changed.id ? changed : item)));
                onPhotoChanged(changed);
              }}
              onDeleted={(deleted) => {
                opened.leaving(deleted);
                setItems((shown) => shown.filter((item) => item.id !== deleted));
                onPhotoDeleted(deleted);
                setStatus('Photo deleted');
                void load();
              }}
            />
          )}
        </Lightbox>
      )}
    </>
  );
}

type ToolbarMode = 'idle' | 'sharing' | 'renaming' | 'deleting';

function AlbumToolbar({
  album,
  onChanged,
  onReload,
}: {
  album: Album;
  onChanged: (album: Album) => void;
  onReload: () => Promise<void>;
}) {
  const [mode, setMode] = useState<ToolbarMode>('idle');
  return (
    <div className="album-toolbar">
      <div className="actions">
        <button type="button" onClick={() => setMode('sharing')}>
          Share album
        </button>
        <button type="button" className="secondary" onClick={() => setMode('renaming')}>
          Rename
        </button>
        <button type="button" className="secondary danger" onClick={() => setMode('deleting')}>
          Delete album
        </button>
      </div>
      {mode === 'sharing' && (
        <ShareDialog kind="album" id={album.id} name={`“${album.title}”`} onClose={() => setMode('idle')} />
      )}
      {mode === 'renaming' && (
        <RenameAlbum
          album={album}
          onCancel={() => setMode('idle')}
          onRenamed={(renamed) => {
            onChanged(renamed);
            setMode('idle');
          }}
          onStale={onReload}
        />
      )}
      {mode === 'deleting' && <DeleteAlbum album={album} onCancel={() => setMode('idle')} />}
    </div>
  );
}

function RenameAlbum({
  album,
  onCancel,
  onRenamed,
  onStale,
}: {
  album: Album;
  onCancel: () => void;
  onRenamed: (album: Album) => void;
  onStale: () => Promise<void>;
}) {
  return (
    <Form
      label="Rename album"
      submit="Save title"
      onSubmit={async (data) => {
        try {
          onRenamed(
            await session.call<Album>(albumPath(album.id), {
              method: 'PATCH',
              headers: ifMatch(album.version),
              body: { title: text(data, 'title').trim() },
            }),
          );
        } catch (caught) {
          // Changed elsewhere meanwhile: reload it, so a second Save applies to what is there now.
          if (caught instanceof ApiError && caught.status === 412) await onStale();
          throw caught;
        }
      }}
    >
      <Field label="Album title" name="title" defaultValue={album.title} autoComplete="off" />
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </Form>
  );
}

function DeleteAlbum({ album, onCancel }: { album: Album; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    try {
      await session.call(albumPath(album.id), { method: 'DELETE' });
      afterDelete = `Deleted the album “${album.title}”. Its photos are still in All photos.`;
      navigate(ALBUMS_PAGE, { replace: true });
    } catch (caught) {
      setBusy(false);
      setError(errorText(caught));
    }
  };
  return (
    <Confirm
      question={`Delete the album “${album.title}”?`}
      confirm="Yes, delete album"
      busy={busy}
      onConfirm={() => void remove()}
      onCancel={onCancel}
    >
      <p>The photos in it stay in your library; only the album and its share links go.</p>
      <p role="alert" className="error">
        {error}
      </p>
    </Confirm>
  );
}
