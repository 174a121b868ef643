// The page a share link opens (`/s/<token>`), for anyone holding the link, signed in or not: so
// it calls the API with plain `request`, never the session. An album shows its title, who shared
// it, and its photos in the same grid and lightbox as the owner's screens, without anything that
// changes them or reveals the originals; a shared photo shows large at once. Pages past the first
// load as the grid's end scrolls into view (or with Show more). A link turned off (404) or expired
// (410) says so plainly. Styled by photos.css (under .photos, which this page's <main> carries).
import './photos.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorText, request } from '../api.ts';
import { LargePicture, Lightbox } from './lightbox.tsx';
import { MorePhotos, PhotoGrid, useOpenPhoto } from './photo-grid.tsx';
import { formatWhen, photoCount, type SharedGalleryPage, type SharedPhoto } from './photo-model.ts';

const PAGE = 30;

type Gallery = Omit<SharedGalleryPage, 'photos' | 'nextCursor'>;

function useSharedGallery(token: string) {
  const [about, setAbout] = useState<Gallery>();
  const [photos, setPhotos] = useState<SharedPhoto[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<{ status: number; text: string }>();
  const latest = useRef(0);

  const load = useCallback(
    async (cursor?: string) => {
      const ticket = ++latest.current;
      setLoading(true);
      try {
        const query = new URLSearchParams({ limit: String(PAGE) });
        if (cursor) query.set('cursor', cursor);
        const page = await request<SharedGalleryPage>(`/v1/shared/${encodeURIComponent(token)}?${query}`);
        if (ticket !== latest.current) return;
        const { photos: more, nextCursor: next, ...rest } = page;
        setAbout(rest);
        setPhotos((shown) => (cursor ? [...shown, ...more] : more));
        setNextCursor(next);
        setError(undefined);
      } catch (caught) {
        if (ticket === latest.current) {
          setError({ status: caught instanceof ApiError ? caught.status : 0, text: errorText(caught) });
        }
      } finally {
        if (ticket === latest.current) setLoading(false);
      }
    },
    [token],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { about, photos, nextCursor, loading, error, load };
}

export function SharedGallery({ token }: { token: string }) {
  const gallery = useSharedGallery(token);
  const { about, error } = gallery;
  const title = about ? (about.title ?? 'A shared photo') : undefined;

  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Stratus`;
    return () => {
      document.title = before;
    };
  }, [title]);

  return (
    <div className="shared-page">
      <header className="bar">
        <strong>Stratus</strong>
        <a href="/">Open Stratus</a>
      </header>
      <main className="photos shared-gallery" aria-busy={gallery.loading}>
        {error?.status === 404 ? (
          <Unavailable heading="Link not found">
            This link does not exist or was turned off. Ask the person who shared it for a new one.
          </Unavailable>
        ) : error?.status === 410 ? (
          <Unavailable heading="Link expired">
            This link has expired. Ask the person who shared it for a new one.
          </Unavailable>
        ) : about && title ? (
          <Shown about={about} title={title} gallery={gallery} />
        ) : (
          <>
            <h1>Shared photos</h1>
            {error ? (
              <>
                <p role="alert" className="error">
                  {error.text}
                </p>
                <button type="button" onClick={() => void gallery.load()}>
                  Try again
                </button>
              </>
            ) : (
              <p className="empty">Loading…</p>
            )}
          </>
        )}
      </main>
    </div>
  );
}

function Unavailable({ heading, children }: { heading: string; children: string }) {
  return (
    <>
      <h1>{heading}</h1>
      <p className="notice">{children}</p>
    </>
  );
}

function Shown({
  about,
  title,
  gallery,
}: {
  about: Gallery;
  title: string;
  gallery: ReturnType<typeof useSharedGallery>;
}) {
  const opened = useOpenPhoto(gallery.photos);
  const single = about.kind === 'photo' ? gallery.photos[0] : undefined;
  return (
    <>
      <h1>{title}</h1>
      <p className="shared-about">
        {about.owner && <span>Shared by {about.owner}</span>}
        {about.kind === 'album' && about.photoCount !== undefined && <span>{photoCount(about.photoCount)}</span>}
        {about.expiresAt && <span>Link works until {formatWhen(about.expiresAt)}</span>}
      </p>
      <p role="alert" className="error">
        {gallery.error?.text}
      </p>
      {single ? (
        <figure className="shared-single">
          <LargePicture photo={single} />
          {single.caption && <figcaption>{single.caption}</figcaption>}
        </figure>
      ) : (
        <>
          <PhotoGrid photos={gallery.photos} label={`Photos in ${title}`} busy={gallery.loading} onOpen={opened.open} />
          {!gallery.loading && gallery.photos.length === 0 && <p className="empty">There are no photos here yet.</p>}
          <MorePhotos pages={gallery} />
        </>
      )}
      {opened.index !== undefined && (
        <Lightbox
          photos={gallery.photos}
          index={opened.index}
          onIndex={opened.show}
          onClose={opened.close}
          more={gallery}
        >
          {(photo) => (photo.caption ? <p className="shared-caption">{photo.caption}</p> : null)}
        </Lightbox>
      )}
    </>
  );
}
