// One post at /social/post/<id>: the post with its pictures at full width, its comments (oldest
// first, twenty a page), the comment form, and for the author a confirmed Delete post. The page
// is live: it subscribes to the post's new comments and like count, so what others do appears
// without a reload. A comment of one's own comes back twice (the form's answer and the live feed)
// and is merged by id, so it shows once and counts once; paging merges the same way. The like
// count from the live feed is the API's own count and replaces the one shown.
import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { GraphQLError, gql, subscribe } from '../graphql.ts';
import { Link, navigate } from '../router.ts';
import { CommentForm, CommentList } from './social-comments.tsx';
import {
  byCreation,
  COMMENT_FIELDS,
  type Comment,
  type Connection,
  mergeById,
  POST_FIELDS,
  type Post,
  SOCIAL_HOME,
} from './social-model.ts';
import { PostCard, type UpdatePost } from './social-post-card.tsx';

const COMMENTS_PAGE = 20;
const POST = `query Post($id: ID!, $limit: Int) { post(id: $id) { ${POST_FIELDS} comments(limit: $limit) { items { ${COMMENT_FIELDS} } nextToken } } }`;
const MORE_COMMENTS = `query MoreComments($id: ID!, $limit: Int, $nextToken: String) { post(id: $id) { id comments(limit: $limit, nextToken: $nextToken) { items { ${COMMENT_FIELDS} } nextToken } } }`;
const DELETE_POST = 'mutation DeletePost($id: ID!) { deletePost(id: $id) { id } }';
const ON_COMMENT = `subscription OnComment($postId: ID!) { onCommentAdded(postId: $postId) { ${COMMENT_FIELDS} } }`;
const ON_LIKE = 'subscription OnLike($postId: ID!) { onLikeChanged(postId: $postId) { postId likeCount } }';

interface PostView {
  post: Post;
  comments: Comment[];
  nextToken: string | null;
}

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | PostView;

export function PostPage({ id }: { id: string }) {
  const { view, setView, loadMore, loadingMore, moreError } = usePost(id);
  const [liveNote, setLiveNote] = useState('');
  const [liveError, setLiveError] = useState<string>();

  /** A comment just written here, or pushed live: added once, counted once. */
  const addComment = useCallback(
    (comment: Comment) =>
      setView((current) => {
        if (!('post' in current) || current.comments.some((shown) => shown.id === comment.id)) return current;
        return {
          ...current,
          post: { ...current.post, commentCount: current.post.commentCount + 1 },
          comments: [...current.comments, comment].sort(byCreation),
        };
      }),
    [setView],
  );

  useEffect(() => {
    const stopComments = subscribe<{ onCommentAdded: Comment | null }>(
      ON_COMMENT,
      { postId: id },
      ({ onCommentAdded }) => {
        if (!onCommentAdded) return;
        addComment(onCommentAdded);
        if (!onCommentAdded.author.isViewer) setLiveNote(`${onCommentAdded.author.displayName} commented.`);
      },
      (error) => setLiveError(errorText(error)),
    );
    const stopLikes = subscribe<{ onLikeChanged: { likeCount: number } | null }>(
      ON_LIKE,
      { postId: id },
      ({ onLikeChanged }) => {
        if (!onLikeChanged) return;
        setView((current) =>
          'post' in current ? { ...current, post: { ...current.post, likeCount: onLikeChanged.likeCount } } : current,
        );
      },
      (error) => setLiveError(errorText(error)),
    );
    return () => {
      stopComments();
      stopLikes();
    };
  }, [id, addComment, setView]);

  const updatePost: UpdatePost = (_, change) =>
    setView((current) => ('post' in current ? { ...current, post: change(current.post) } : current));
  const removeComment = (commentId: string) =>
    setView((current) =>
      'post' in current
        ? {
            ...current,
            post: { ...current.post, commentCount: Math.max(0, current.post.commentCount - 1) },
            comments: current.comments.filter((comment) => comment.id !== commentId),
          }
        : current,
    );

  if (!('post' in view)) {
    return (
      <main className="social" aria-busy={view.state === 'loading'}>
        <p>
          <Link to={SOCIAL_HOME}>Back to the feed</Link>
        </p>
        <h1>{view.state === 'missing' ? 'Post not found' : 'Post'}</h1>
        {view.state === 'loading' && <p className="empty">Loading…</p>}
        {view.state === 'missing' && <p>This post does not exist, or its author deleted it.</p>}
        <p role="alert" className="error">
          {view.state === 'failed' ? view.message : undefined}
        </p>
      </main>
    );
  }

  const { post, comments, nextToken } = view;
  return (
    <main className="social">
      <p>
        <Link to={SOCIAL_HOME}>Back to the feed</Link>
      </p>
      <h1 className="visually-hidden">Post by {post.author.displayName}</h1>
      <PostCard post={post} onUpdate={updatePost} large>
        {post.author.isViewer && <DeletePost id={post.id} />}
      </PostCard>
      <section aria-labelledby="comments-heading" className="comments-section">
        <h2 id="comments-heading">Comments</h2>
        <p role="status" className="status">
          {liveNote}
        </p>
        <p role="alert" className="error">
          {moreError ?? liveError}
        </p>
        <CommentList
          comments={comments}
          postId={post.id}
          viewerOwnsPost={post.author.isViewer}
          onDeleted={removeComment}
        />
        {comments.length === 0 && <p className="empty">No comments yet.</p>}
        {nextToken && (
          <button type="button" className="secondary" disabled={loadingMore} onClick={() => void loadMore(nextToken)}>
            {loadingMore ? 'Loading…' : 'Show more comments'}
          </button>
        )}
        <CommentForm postId={post.id} onAdded={addComment} />
      </section>
    </main>
  );
}

function usePost(id: string) {
  const [view, setView] = useState<Loaded>({ state: 'loading' });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();

  useEffect(() => {
    let current = true;
    gql<{ post: (Post & { comments: Connection<Comment> }) | null }>(POST, { id, limit: COMMENTS_PAGE }).then(
      ({ post }) => {
        if (!current) return;
        if (!post) return setView({ state: 'missing' });
        const { comments, ...rest } = post;
        setView({ post: rest, comments: comments.items, nextToken: comments.nextToken ?? null });
      },
      (caught: unknown) => {
        if (!current) return;
        // An address that cannot name a post (BAD_USER_INPUT) names no post either.
        const missing = caught instanceof GraphQLError && ['NOT_FOUND', 'BAD_USER_INPUT'].includes(caught.code);
        setView(missing ? { state: 'missing' } : { state: 'failed', message: errorText(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [id]);

  const loadMore = async (nextToken: string) => {
    setLoadingMore(true);
    try {
      const { post } = await gql<{ post: { comments: Connection<Comment> } | null }>(MORE_COMMENTS, {
        id,
        limit: COMMENTS_PAGE,
        nextToken,
      });
      const page = post?.comments;
      if (page) {
        setView((shown) =>
          'post' in shown
            ? {
                ...shown,
                comments: mergeById(shown.comments, page.items).sort(byCreation),
                nextToken: page.nextToken ?? null,
              }
            : shown,
        );
      }
      setMoreError(undefined);
    } catch (caught) {
      setMoreError(errorText(caught));
    } finally {
      setLoadingMore(false);
    }
  };
  return { view, setView, loadMore, loadingMore, moreError };
}

function DeletePost({ id }: { id: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await gql(DELETE_POST, { id });
      navigate(SOCIAL_HOME, { replace: true });
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <button type="button" className="secondary danger delete-post" onClick={() => setAsking(true)}>
        Delete post
      </button>
    );
  }
  return (
    <Confirm
      question="Delete this post? Its likes and comments go with it."
      confirm="Delete post"
      busy={busy}
      onConfirm={() => void remove()}
      onCancel={() => {
        setAsking(false);
        setError(undefined);
      }}
    >
      <p role="alert" className="error">
        {error}
      </p>
    </Confirm>
  );
}
