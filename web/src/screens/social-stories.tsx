// The stories bar at the top of the feed: "Add story" first, then one round picture per account
// with active stories (the caller's and those they follow), in the API's order, unseen groups
// first; a blue ring marks a group with stories not yet seen, a grey one a group all seen. The
// order is kept while the page is open, so a group just watched does not jump away under the
// finger. Opening a group starts at its first unseen story (social-story-viewer.tsx); each story
// shown is marked seen here at once and then through the API (markStorySeen). Add story is a
// small form: text (500 characters) and/or one photo, uploaded as for a post.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { FilePicker } from '../choose-files.tsx';
import { gql } from '../graphql.ts';
import { PHOTO_ACCEPT } from './photo-uploads.tsx';
import { AttachmentList, CountedText } from './social-attachments.tsx';
import { STORY_GROUP_FIELDS, STORY_MAX, type StoryGroup } from './social-model.ts';
import { Avatar } from './social-person.tsx';
import { StoryViewer } from './social-story-viewer.tsx';
import { useAttachments } from './social-uploads.ts';

const STORIES = `query Stories { stories { ${STORY_GROUP_FIELDS} } }`;
const MARK_SEEN =
  'mutation MarkSeen($id: ID!, $authorId: ID!) { markStorySeen(id: $id, authorId: $authorId) { id seen } }';
const CREATE_STORY = 'mutation CreateStory($input: CreateStoryInput!) { createStory(input: $input) { id } }';

export interface StoryPlace {
  group: number;
  story: number;
}

export function StoriesBar() {
  const [groups, setGroups] = useState<StoryGroup[]>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<StoryPlace>();
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      const { stories } = await gql<{ stories: StoryGroup[] }>(STORIES);
      setGroups(stories);
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const openGroup = (index: number) => {
    const group = groups?.[index];
    if (!group) return;
    const firstUnseen = group.stories.findIndex((story) => !story.seen);
    setOpen({ group: index, story: Math.max(0, firstUnseen) });
  };

  /** Seen on screen at once; the API is told after, and a refusal is said in the viewer. */
  const markSeen = async ({ group, story }: StoryPlace): Promise<void> => {
    const shown = groups?.[group];
    const seen = shown?.stories[story];
    if (!shown || !seen || seen.seen) return;
    setGroups((all) =>
      all?.map((candidate, index) => {
        if (index !== group) return candidate;
        const stories = candidate.stories.map((item, at) => (at === story ? { ...item, seen: true } : item));
        return { ...candidate, stories, allSeen: stories.every((item) => item.seen) };
      }),
    );
    await gql(MARK_SEEN, { id: seen.id, authorId: shown.author.id });
  };

  return (
    <section className="stories" aria-labelledby="stories-heading" aria-busy={!groups && !error}>
      <h2 id="stories-heading">Stories</h2>
      <ul className="stories-bar">
        <li>
          <button type="button" className="story-add" aria-expanded={adding} onClick={() => setAdding(!adding)}>
            <span className="story-add-icon" aria-hidden="true">
              +
            </span>
            <span className="story-name">Add story</span>
          </button>
        </li>
        {groups?.map((group, index) => (
          <li key={group.author.id}>
            <button
              type="button"
              className={group.allSeen ? 'story-group seen' : 'story-group unseen'}
              onClick={() => openGroup(index)}
            >
              <Avatar person={group.author} size="medium" />
              <span className="story-name">{group.author.isViewer ? 'Your story' : group.author.displayName}</span>
              <span className="visually-hidden">{groupState(group)}</span>
            </button>
          </li>
        ))}
      </ul>
      {groups?.length === 0 && <p className="hint">No stories in the last 24 hours.</p>}
      <p role="alert" className="error stories-error">
        {error}
      </p>
      {adding && (
        <AddStory
          onAdded={() => {
            setAdding(false);
            void load();
          }}
        />
      )}
      {open && groups && (
        <StoryViewer
          groups={groups}
          place={open}
          onMove={setOpen}
          onSeen={markSeen}
          onClose={() => setOpen(undefined)}
        />
      )}
    </section>
  );
}

/** What the ring says, for those who do not see its colour. */
function groupState(group: StoryGroup): string {
  const unseen = group.stories.filter((story) => !story.seen).length;
  const count = `${group.stories.length} ${group.stories.length === 1 ? 'story' : 'stories'}`;
  return unseen === 0 ? `, ${count}, all seen` : `, ${count}, ${unseen} new`;
}

function AddStory({ onAdded }: { onAdded: () => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const photo = useAttachments(1);
  const photoId = photo.readyIds[0];
  const canShare =
    (text.trim() !== '' || photo.attachments.length > 0) &&
    text.length <= STORY_MAX &&
    !photo.busy &&
    !photo.failed &&
    !busy;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!canShare) return;
    setBusy(true);
    setError(undefined);
    try {
      const input: { text?: string; photoId?: string } = {};
      if (text.trim() !== '') input.text = text;
      if (photoId) input.photoId = photoId;
      await gql(CREATE_STORY, { input });
      photo.clear();
      onAdded();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  return (
    <form id="add-story" className="card add-story" aria-label="Add story" onSubmit={(event) => void submit(event)}>
      <CountedText label="Story text" name="text" value={text} max={STORY_MAX} rows={2} onChange={setText} />
      <AttachmentList
        attachments={photo.attachments}
        label="Photo for this story"
        gaveUp={photo.gaveUp}
        onRemove={photo.remove}
      />
      <p role="alert" className="error">
        {error}
      </p>
      <div className="composer-actions">
        {photo.attachments.length === 0 && (
          <FilePicker label="Add a photo" accept={PHOTO_ACCEPT} onFiles={(files) => photo.add(files.slice(0, 1))} />
        )}
        <button type="submit" disabled={!canShare}>
          {busy ? 'Sharing…' : 'Share story'}
        </button>
      </div>
    </form>
  );
}
