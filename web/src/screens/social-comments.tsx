// A post's comments, oldest first, and the form to add one (1,000 characters at most, counted as
// typed). The list only shows what the post page holds; the page decides what comes in (a page,
// the form's answer, a live comment) and merges it, so one comment never shows twice. Delete
// shows on one's own comments, and on every comment of one's own post (what the API allows), and
// asks first (confirm.tsx).
import { type FormEvent, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { gql } from '../graphql.ts';
import { CountedText } from './social-attachments.tsx';
import { COMMENT_FIELDS, COMMENT_MAX, type Comment, whenText } from './social-model.ts';
import { PersonLink } from './social-person.tsx';

const ADD_COMMENT = `mutation AddComment($postId: ID!, $text: String!) { addComment(postId: $postId, text: $text) { ${COMMENT_FIELDS} } }`;
const DELETE_COMMENT =
  'mutation DeleteComment($postId: ID!, $id: ID!) { deleteComment(postId: $postId, id: $id) { id postId } }';

export function CommentList({
  comments,
  postId,
  viewerOwnsPost,
  onDeleted,
}: {
  comments: Comment[];
  postId: string;
  viewerOwnsPost: boolean;
  onDeleted: (id: string) => void;
}) {
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const remove = async (comment: Comment) => {
    setBusy(true);
    setError(undefined);
    try {
      await gql(DELETE_COMMENT, { postId, id: comment.id });
      setConfirming(undefined);
      onDeleted(comment.id);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  if (comments.length === 0) return null;
  return (
    <ol className="comments" aria-label="Comments">
      {comments.map((comment) => (
        <li key={comment.id} className="comment">
          <div className="comment-head">
            <PersonLink person={comment.author} />
            <time dateTime={comment.createdAt}>{whenText(comment.createdAt)}</time>
          </div>
          <p className="comment-text">{comment.text}</p>
          {(comment.author.isViewer || viewerOwnsPost) &&
            (confirming === comment.id ? (
              <Confirm
                question="Delete this comment?"
                confirm="Delete comment"
                busy={busy}
                onConfirm={() => void remove(comment)}
                onCancel={() => {
                  setConfirming(undefined);
                  setError(undefined);
                }}
              >
                <p role="alert" className="error">
                  {error}
                </p>
              </Confirm>
            ) : (
              <button
                type="button"
                className="link comment-delete"
                aria-label={`Delete the comment by ${comment.author.displayName}: ${comment.text.slice(0, 40)}`}
                onClick={() => setConfirming(comment.id)}
              >
                Delete
              </button>
            ))}
        </li>
      ))}
    </ol>
  );
}

export function CommentForm({ postId, onAdded }: { postId: string; onAdded: (comment: Comment) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tooLong = text.length > COMMENT_MAX;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || tooLong || text.trim() === '') return;
    setBusy(true);
    setError(undefined);
    try {
      const { addComment } = await gql<{ addComment: Comment }>(ADD_COMMENT, { postId, text });
      setText('');
      onAdded(addComment);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card comment-form" aria-label="Add a comment" onSubmit={(event) => void submit(event)}>
      <CountedText label="Your comment" name="text" value={text} max={COMMENT_MAX} rows={2} onChange={setText} />
      <p role="alert" className="error">
        {error}
      </p>
      <button type="submit" disabled={busy || tooLong || text.trim() === ''}>
        {busy ? 'Sending…' : 'Comment'}
      </button>
    </form>
  );
}
