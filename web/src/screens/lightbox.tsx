// The lightbox: one photo at a time, big, over everything, for the library, an album and the
// public gallery alike. It is a modal <dialog> opened with showModal(), so the browser keeps focus
// inside it, makes the page behind inert for screen readers, and turns Escape into a close; focus
// starts on Close and goes back to the tile that opened it. Previous and Next are buttons, the
// arrow keys (outside text fields) and a swipe on touch screens; past the last photo loaded, Next
// loads the next page. The picture is a <picture> of the 1200 px WebP with the JPEG as fallback,
// sized by its width and height attributes so the dialog does not jump as it loads. What goes
// under the picture (the owner's caption editor and actions, or a shared caption) is the caller's.
import {
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { altText, rendition, type ShownPhoto } from './photo-model.ts';

const SWIPE_PX = 50;

export interface MorePages {
  nextCursor: string | undefined;
  loading: boolean;
  load: (cursor?: string) => Promise<unknown>;
}

export function Lightbox({
  photos,
  index,
  onIndex,
  onClose,
  more,
  children,
}: {
  photos: ShownPhoto[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
  /** The list's pager: Next on the last photo loaded asks for the next page. */
  more?: MorePages;
  /** What to show under the picture. */
  children: (photo: ShownPhoto) => ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useModal(dialog, closeButton);
  const titleId = useId();
  const swipeStart = useRef<number | undefined>(undefined);
  const photo = photos[index];

  if (!photo) return null;
  const canLoadMore = index === photos.length - 1 && !!more?.nextCursor;
  const hasPrevious = index > 0;
  const hasNext = index < photos.length - 1 || canLoadMore;
  const previous = () => hasPrevious && onIndex(index - 1);
  const next = async () => {
    if (index < photos.length - 1) onIndex(index + 1);
    else if (canLoadMore && more?.nextCursor && !more.loading) {
      await more.load(more.nextCursor);
      onIndex(index + 1);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    const target = event.target as HTMLElement;
    // Keys belong to text fields, and to any dialog opened on top of this one (sharing).
    if (target.closest('dialog') !== dialog.current || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === 'ArrowLeft') {
      event.preventDefault();
      previous();
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      void next();
    }
  };
  const onPointerUp = (event: PointerEvent<HTMLElement>) => {
    if (swipeStart.current === undefined || event.pointerType === 'mouse') return;
    const moved = event.clientX - swipeStart.current;
    swipeStart.current = undefined;
    if (moved > SWIPE_PX) previous();
    else if (moved < -SWIPE_PX) void next();
  };

  const count = more?.nextCursor ? `${photos.length}+` : String(photos.length);
  return (
    <dialog
      ref={dialog}
      className="lightbox"
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: this dialog closes through React's state, not by itself; a dialog opened on top
        // of it closes alone.
        if (event.target !== event.currentTarget) return;
        event.preventDefault();
        onClose();
      }}
    >
      <div className="lightbox-bar">
        <h2 id={titleId}>
          Photo {index + 1} of {count}
        </h2>
        <button type="button" ref={closeButton} className="icon lightbox-close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <figure
        className="lightbox-stage"
        onPointerDown={(event) => {
          swipeStart.current = event.clientX;
        }}
        onPointerUp={onPointerUp}
      >
        <LargePicture key={photo.id} photo={photo} />
      </figure>
      <div className="lightbox-nav">
        <button type="button" className="secondary" disabled={!hasPrevious} onClick={previous}>
          <span aria-hidden="true">‹ </span>Previous
        </button>
        <button type="button" className="secondary" disabled={!hasNext || !!more?.loading} onClick={() => void next()}>
          Next<span aria-hidden="true"> ›</span>
        </button>
      </div>
      <div className="lightbox-details">{children(photo)}</div>
    </dialog>
  );
}

/**
 * Shows a <dialog> as modal while the component is mounted: focus on `first`, and back on whatever
 * had it before once the dialog goes. Shared with the share dialog.
 */
export function useModal(dialog: RefObject<HTMLDialogElement | null>, first: RefObject<HTMLElement | null>) {
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(() => {
    const box = dialog.current;
    if (!box) return;
    if (!box.open) box.showModal();
    first.current?.focus();
    return () => {
      box.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [dialog, first, opener]);
}

/** The whole picture within 1200 px: WebP where the browser takes it, else JPEG. */
export function LargePicture({ photo }: { photo: ShownPhoto }) {
  const jpeg = rendition(photo, 'l1200.jpg') ?? rendition(photo, 's600.jpg');
  const webp = rendition(photo, 'l1200.webp');
  if (!jpeg) return <p className="lightbox-missing">This photo has no picture to show yet.</p>;
  return (
    <picture>
      {webp && <source type="image/webp" srcSet={webp.url} width={webp.width} height={webp.height} />}
      <img src={jpeg.url} width={jpeg.width} height={jpeg.height} alt={altText(photo)} decoding="async" />
    </picture>
  );
}
