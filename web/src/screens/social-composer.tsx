// The post composer at the top of the feed: text (2,200 characters at most, counted as it is
// typed), up to four photos uploaded as they are chosen (social-uploads.ts), and Post, which waits
// until every photo is ready and the text fits. The checks here only spare a pointless request;
// the API decides, and a refusal is shown in its words. The new post goes to the caller (the feed
// puts it at the top), and the form starts empty again.
import { type FormEvent, useState } from 'react';
import { errorText } from '../api.ts';
import { FilePicker } from '../choose-files.tsx';
import { gql } from '../graphql.ts';
import { PHOTO_ACCEPT } from './photo-uploads.tsx';
import { AttachmentList, CountedText } from './social-attachments.tsx';
import { PHOTOS_PER_POST, POST_FIELDS, POST_MAX, type Post } from './social-model.ts';
import { useAttachments } from './social-uploads.ts';

const CREATE_POST = `mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} } }`;

export function Composer({ onPosted }: { onPosted: (post: Post) => void }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const photos = useAttachments(PHOTOS_PER_POST);

  const empty = text.trim() === '' && photos.attachments.length === 0;
  const tooLong = text.length > POST_MAX;
  const canPost = !empty && !tooLong && !photos.busy && !photos.failed && !sending;

  const addPhotos = (files: File[]) => {
    const left = photos.add(files);
    setError(
      left > 0
        ? `A post takes up to ${PHOTOS_PER_POST} photos: ${left === 1 ? '1 was' : `${left} were`} left out.`
        : undefined,
    );
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!canPost) return;
    setSending(true);
    setError(undefined);
    try {
      const { createPost } = await gql<{ createPost: Post }>(CREATE_POST, {
        input: { text, photoIds: photos.readyIds },
      });
      setText('');
      photos.clear();
      onPosted(createPost);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="card composer" aria-label="New post" onSubmit={(event) => void submit(event)}>
      <CountedText label="What’s new?" name="text" value={text} max={POST_MAX} onChange={setText} />
      <AttachmentList
        attachments={photos.attachments}
        label="Photos for this post"
        gaveUp={photos.gaveUp}
        onRemove={photos.remove}
      />
      {photos.failed && <p className="hint">Remove the photos that failed to post the others.</p>}
      <p role="alert" className="error">
        {error}
      </p>
      <div className="composer-actions">
        {photos.attachments.length < PHOTOS_PER_POST && (
          <FilePicker label="Add photos" accept={PHOTO_ACCEPT} onFiles={addPhotos} />
        )}
        <button type="submit" disabled={!canPost} aria-busy={sending}>
          {sending ? 'Posting…' : photos.busy ? 'Uploading…' : 'Post'}
        </button>
      </div>
    </form>
  );
}
