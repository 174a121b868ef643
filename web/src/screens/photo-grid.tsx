// The grid of square photo tiles, shared by the library, an album and the public gallery page.
// A ready photo is a button (named by its picture's alt text) holding its square crop, chosen by
// the browser from a srcset of the 150, 300 and 600 px squares for the tile's width and the
// screen's density, lazily loaded with its size given so nothing shifts as pictures arrive. A
// photo still processing shows so; one that failed spans the row to say why, with Delete. The
// next page loads by itself when the end of the grid scrolls into view (and by a Show more
// button, for keyboards and browsers without IntersectionObserver). Styled by photos.css.
import { useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { ShowMore } from '../pages.tsx';
import { altText, type ShownPhoto, squareSources } from './photo-model.ts';

/** How wide a tile is drawn (photos.css): a third of a phone's width, 12rem on wider screens. */
const TILE_SIZES = '(min-width: 40rem) 12rem, 34vw';
/** An upload URL lasts 15 minutes: a photo still pending after that never got its bytes. */
const ABANDONED_MS = 15 * 60_000;

export function PhotoGrid({
  photos,
  label,
  busy,
  onOpen,
  onDelete,
}: {
  photos: ShownPhoto[];
  /** The list's accessible name, e.g. "Your photos". */
  label: string;
  busy: boolean;
  /** Opens the lightbox on this photo. */
  onOpen: (photo: ShownPhoto) => void;
  /** Offered on photos that failed or never finished uploading; absent on a shared gallery. */
  onDelete?: (photo: ShownPhoto) => Promise<void>;
}) {
  return (
    <ul className="photo-grid" aria-label={label} aria-busy={busy}>
      {photos.map((photo) => (
        <PhotoTile key={photo.id} photo={photo} onOpen={() => onOpen(photo)} onDelete={onDelete} />
      ))}
    </ul>
  );
}

function PhotoTile({
  photo,
  onOpen,
  onDelete,
}: {
  photo: ShownPhoto;
  onOpen: () => void;
  onDelete: ((photo: ShownPhoto) => Promise<void>) | undefined;
}) {
  if (photo.status === 'failed') {
    return (
      <li className="tile problem">
        <p>
          <strong>{photo.filename ?? 'A photo'}</strong> could not be used: {photo.failure ?? 'processing failed'}
        </p>
        {onDelete && <DeleteProblem photo={photo} onDelete={onDelete} />}
      </li>
    );
  }
  const sources = squareSources(photo);
  if (photo.status === 'pending' || !sources) {
    const abandoned = photo.createdAt !== undefined && Date.now() - Date.parse(photo.createdAt) > ABANDONED_MS;
    if (abandoned) {
      return (
        <li className="tile problem">
          <p>
            <strong>{photo.filename ?? 'A photo'}</strong>: the upload did not finish.
          </p>
          {onDelete && <DeleteProblem photo={photo} onDelete={onDelete} />}
        </li>
      );
    }
    return (
      <li className="tile pending">
        <span className="tile-state">Processing…</span>
        {photo.filename && <span className="tile-name">{photo.filename}</span>}
      </li>
    );
  }
  return (
    <li className="tile">
      <button type="button" className="tile-open" onClick={onOpen}>
        <img
          src={sources.src}
          srcSet={sources.srcSet}
          sizes={TILE_SIZES}
          width={150}
          height={150}
          loading="lazy"
          decoding="async"
          alt={altText(photo)}
        />
      </button>
    </li>
  );
}

function DeleteProblem({ photo, onDelete }: { photo: ShownPhoto; onDelete: (photo: ShownPhoto) => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const name = photo.filename ?? 'this photo';
  if (!asking) {
    return (
      <button type="button" className="secondary danger" aria-label={`Delete ${name}`} onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  }
  return (
    <Confirm
      question={`Delete ${name}?`}
      confirm="Yes, delete"
      busy={busy}
      onCancel={() => setAsking(false)}
      onConfirm={() => {
        setBusy(true);
        onDelete(photo).catch((caught) => {
          setBusy(false);
          setError(errorText(caught));
        });
      }}
    >
      <p role="alert" className="error">
        {error}
      </p>
    </Confirm>
  );
}

/**
 * Which photo the lightbox shows, by id, so photos added to the top of the list meanwhile (new
 * uploads) do not change it. `show(index)` may name a photo of a page still arriving (Next on the
 * last photo loaded): it is held as a position until the page is in.
 */
export function useOpenPhoto(photos: ShownPhoto[]) {
  const [target, setTarget] = useState<{ id: string } | { at: number }>();
  const latest = useRef(photos);
  latest.current = photos;
  const id = target === undefined ? undefined : 'id' in target ? target.id : photos[target.at]?.id;
  const index = id === undefined ? -1 : photos.findIndex((photo) => photo.id === id);
  return {
    index: index >= 0 ? index : undefined,
    open: (photo: ShownPhoto) => setTarget({ id: photo.id }),
    show: (at: number) => {
      const photo = latest.current[at];
      setTarget(photo ? { id: photo.id } : { at });
    },
    close: () => setTarget(undefined),
    /** Call before a photo leaves the list: the lightbox moves on to a neighbour, or closes. */
    leaving: (leaving: string) => {
      if (leaving !== id) return;
      const at = photos.findIndex((photo) => photo.id === leaving);
      const neighbour = photos[at + 1] ?? photos[at - 1];
      setTarget(neighbour ? { id: neighbour.id } : undefined);
    },
  };
}

/**
 * Loads the next page once the end of the list is near the screen, and offers Show more too.
 * `pages` is what usePages returns (or the shared gallery's own pager).
 */
export function MorePhotos({
  pages,
}: {
  pages: { nextCursor: string | undefined; loading: boolean; load: (cursor?: string) => Promise<unknown> };
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  const latest = useRef(pages);
  latest.current = pages;
  const { nextCursor } = pages;
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !nextCursor || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        const { nextCursor: cursor, loading, load } = latest.current;
        if (entries.some((entry) => entry.isIntersecting) && cursor && !loading) void load(cursor);
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [nextCursor]);
  return (
    <>
      <div ref={sentinel} className="grid-end" />
      <ShowMore pages={pages} className="secondary more" />
    </>
  );
}
