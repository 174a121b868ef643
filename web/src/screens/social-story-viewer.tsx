// Watching stories: one at a time in a modal <dialog> (the lightbox's useModal: focus stays
// inside, Escape closes, focus returns to the group's button), its heading saying whose story and
// which of how many. Previous and Next are buttons and the arrow keys; Next past a group's last
// story goes on to the next group, and past the last group closes. Nothing moves on by itself:
// a story stays until the reader moves on (WCAG 2.2.2). Each story shown is marked seen through
// the bar (`onSeen`); a refusal is said here in the API's words.
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { useModal } from './lightbox.tsx';
import { type StoryGroup, whenText } from './social-model.ts';
import { Avatar } from './social-person.tsx';
import type { StoryPlace } from './social-stories.tsx';

export function StoryViewer({
  groups,
  place,
  onMove,
  onSeen,
  onClose,
}: {
  groups: StoryGroup[];
  place: StoryPlace;
  onMove: (place: StoryPlace) => void;
  onSeen: (place: StoryPlace) => Promise<void>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useModal(dialog, closeButton);
  const titleId = useId();
  const [error, setError] = useState<string>();
  const seen = useRef(onSeen);
  seen.current = onSeen;

  const group = groups[place.group];
  const story = group?.stories[place.story];

  useEffect(() => {
    seen.current({ group: place.group, story: place.story }).then(
      () => setError(undefined),
      (caught: unknown) => setError(errorText(caught)),
    );
  }, [place.group, place.story]);

  if (!group || !story) return null;
  const previousPlace = (): StoryPlace | undefined => {
    if (place.story > 0) return { group: place.group, story: place.story - 1 };
    const before = groups[place.group - 1];
    return before ? { group: place.group - 1, story: before.stories.length - 1 } : undefined;
  };
  const nextPlace = (): StoryPlace | undefined => {
    if (place.story < group.stories.length - 1) return { group: place.group, story: place.story + 1 };
    return groups[place.group + 1] ? { group: place.group + 1, story: 0 } : undefined;
  };
  const previous = () => {
    const to = previousPlace();
    if (to) onMove(to);
  };
  const next = () => {
    const to = nextPlace();
    if (to) onMove(to);
    else onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key === 'ArrowLeft') {
      event.preventDefault();
      previous();
    } else if (event.key === 'ArrowRight') {
      event.preventDefault();
      next();
    }
  };

  const name = group.author.isViewer ? 'Your story' : `${group.author.displayName}’s story`;
  return (
    <dialog
      ref={dialog}
      className="story-viewer"
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="story-top">
        <Avatar person={group.author} />
        <h2 id={titleId}>
          {name}, {place.story + 1} of {group.stories.length}
        </h2>
        <button type="button" ref={closeButton} className="icon story-close" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <ol className="story-progress" aria-hidden="true">
        {group.stories.map((item, index) => (
          <li key={item.id} className={index <= place.story ? 'done' : ''} />
        ))}
      </ol>
      <figure className="story-stage">
        {story.photo && (
          <img
            key={story.photo.id}
            className="story-photo"
            src={story.photo.url}
            width={story.photo.width}
            height={story.photo.height}
            alt={story.text ? '' : `Photo in ${group.author.isViewer ? 'your story' : name}`}
          />
        )}
        {story.text && <figcaption className="story-text">{story.text}</figcaption>}
      </figure>
      <p className="story-when">
        <time dateTime={story.createdAt}>{whenText(story.createdAt)}</time>
      </p>
      <p role="alert" className="error">
        {error}
      </p>
      <div className="story-nav">
        <button type="button" className="secondary" disabled={!previousPlace()} onClick={previous}>
          <span aria-hidden="true">‹ </span>Previous
        </button>
        <button type="button" className="secondary" onClick={next}>
          {nextPlace() ? 'Next' : 'Done'}
          <span aria-hidden="true"> ›</span>
        </button>
      </div>
    </dialog>
  );
}
