// The Photos screen: the user's library as a grid of square thumbnails (newest first, more loading
// as the end scrolls into view), uploads of many photos at once with a progress bar each and then
// their processing state, a lightbox to look through them and edit, share, download or delete
// one, and albums. Which view shows is in the query string (`/photos`, `/photos?view=albums`,
// `/photos?album=<id>`), so back, reload and links work.
//
// The library, the uploads and the processing watch live here, above the views, so an upload
// started in the library keeps going (and its photo lands in the grid) while the user opens an
// album. The parts are in their own files: photo-grid, photo-uploads, photo-processing, lightbox,
// photo-details, albums, share-dialog; the shared types in photo-model. Styled by photos.css.
import './photos.css';
import { useCallback, useEffect, useState } from 'react';
import { DropZone, FilePicker } from '../choose-files.tsx';
import { type Pages, usePages } from '../pages.tsx';
import { useLocation } from '../router.ts';
import { session } from '../session.ts';
import { AlbumList, AlbumView } from './albums.tsx';
import { Lightbox } from './lightbox.tsx';
import { PhotoDetails } from './photo-details.tsx';
import { MorePhotos, PhotoGrid, useOpenPhoto } from './photo-grid.tsx';
import { type Photo, photoPath, type ShownPhoto } from './photo-model.ts';
import { useProcessingWatch } from './photo-processing.ts';
import { PHOTO_ACCEPT, UploadList, usePhotoUploads } from './photo-uploads.tsx';
import { PhotosNav } from './photos-nav.tsx';

const PAGE = 30;
/** A pending photo listed older than this never got its bytes (the upload URL lasts 15 minutes). */
const STILL_UPLOADING_MS = 15 * 60_000;

export function Photos() {
  const query = useLocation().searchParams;
  const library = usePages<Photo>(`/v1/photos?limit=${PAGE}`);
  const { setItems } = library;

  /** A photo's new state: replaced where it is, or put at the top when it is new. */
  const upsert = useCallback(
    (photo: Photo) =>
      setItems((shown) =>
        shown.some((item) => item.id === photo.id)
          ? shown.map((item) => (item.id === photo.id ? photo : item))
          : [photo, ...shown],
      ),
    [setItems],
  );
  const changed = useCallback(
    (photo: Photo) => setItems((shown) => shown.map((item) => (item.id === photo.id ? photo : item))),
    [setItems],
  );
  const forget = useCallback((id: string) => setItems((shown) => shown.filter((item) => item.id !== id)), [setItems]);

  const processing = useProcessingWatch((photo) => {
    upsert(photo);
    uploads.track(photo);
  });
  const uploads = usePhotoUploads((photo) => {
    upsert(photo);
    processing.watch(photo);
  });

  // Photos listed while still processing (a reload mid-upload) are watched too.
  const { watch } = processing;
  useEffect(() => {
    for (const photo of library.items) {
      if (photo.status === 'pending' && Date.now() - Date.parse(photo.createdAt) < STILL_UPLOADING_MS) watch(photo);
    }
  }, [library.items, watch]);

  const albumId = query.get('album');
  return (
    <main className="photos">
      {albumId ? (
        <AlbumView key={albumId} id={albumId} onPhotoChanged={changed} onPhotoDeleted={forget} />
      ) : query.get('view') === 'albums' ? (
        <AlbumList />
      ) : (
        <Library
          library={library}
          uploads={uploads}
          gaveUp={processing.gaveUp}
          onChanged={changed}
          onDeleted={forget}
        />
      )}
    </main>
  );
}

function Library({
  library,
  uploads,
  gaveUp,
  onChanged,
  onDeleted,
}: {
  library: Pages<Photo>;
  uploads: ReturnType<typeof usePhotoUploads>;
  gaveUp: ReadonlySet<string>;
  onChanged: (photo: Photo) => void;
  onDeleted: (id: string) => void;
}) {
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  // The lightbox pages through the pictures only: photos processing or failed have none.
  const viewable = library.items.filter((photo) => photo.status === 'ready');
  const opened = useOpenPhoto(viewable);

  const deleteProblem = async (photo: ShownPhoto) => {
    await session.call(photoPath(photo.id), { method: 'DELETE' });
    onDeleted(photo.id);
    setStatus(`Deleted ${photo.filename ?? 'the photo'}`);
  };

  return (
    <>
      <h1>Photos</h1>
      <PhotosNav current="library" />
      <div className="photos-toolbar">
        <FilePicker label="Upload photos" accept={PHOTO_ACCEPT} onFiles={uploads.start} />
        <p className="hint">JPEG, PNG, WebP or AVIF, up to 25 MB each. You can also drop photos onto the grid.</p>
      </div>
      <UploadList rows={uploads.rows} gaveUp={gaveUp} onClear={uploads.clearFinished} />
      <p role="status" className="status">
        {status}
      </p>
      <p role="alert" className="error">
        {error ?? library.error}
      </p>
      <DropZone
        label="Photo library"
        folderRefusal="Folders cannot be dropped here: drop the photos themselves"
        onFiles={(files) => {
          setError(undefined);
          uploads.start(files);
        }}
        onRefused={setError}
      >
        <PhotoGrid
          photos={library.items}
          label="Your photos"
          busy={library.loading}
          onOpen={opened.open}
          onDelete={deleteProblem}
        />
        {library.loading && library.items.length === 0 && <p className="empty">Loading…</p>}
        {!library.loading && library.items.length === 0 && !library.error && (
          <p className="empty">No photos yet: upload some with the button above, or drop them here.</p>
        )}
        <MorePhotos pages={library} />
      </DropZone>
      {opened.index !== undefined && (
        <Lightbox photos={viewable} index={opened.index} onIndex={opened.show} onClose={opened.close} more={library}>
          {(photo) => (
            <PhotoDetails
              photo={photo as Photo}
              onChanged={onChanged}
              onDeleted={(id) => {
                opened.leaving(id);
                onDeleted(id);
                setStatus('Photo deleted');
              }}
            />
          )}
        </Lightbox>
      )}
    </>
  );
}
