// One post as the feed, a profile and the post page show it: the author (picture, name, link to
// the profile), when, the text, the photos (square thumbnails, each opening the full-size picture)
// and a footer with the like toggle, the like count and the comment count (a link to the post
// page). The like is optimistic: the button and count change at once and change back, with the
// API's words, if the API refuses. A second press while one is on its way is ignored, so the
// requests cannot cross and leave the button saying the opposite of what the API holds.
import { type ReactNode, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { gql } from '../graphql.ts';
import { Link } from '../router.ts';
import { countOf, type Post, type PostPhoto, postPath, whenText } from './social-model.ts';
import { PersonLink } from './social-person.tsx';

/** Changes one shown post in place, by id; the change gets the post as it is by then. */
export type UpdatePost = (id: string, change: (post: Post) => Post) => void;

const LIKE = 'mutation Like($postId: ID!) { likePost(postId: $postId) { postId liked } }';
const UNLIKE = 'mutation Unlike($postId: ID!) { unlikePost(postId: $postId) { postId liked } }';

export function PostCard({
  post,
  onUpdate,
  large = false,
  children,
}: {
  post: Post;
  onUpdate: UpdatePost;
  /** The post page: the pictures at their full width rather than thumbnails. */
  large?: boolean;
  /** What goes under the footer (the post page's delete). */
  children?: ReactNode;
}) {
  return (
    <article className="card post" aria-label={`Post by ${post.author.displayName}`}>
      <header className="post-head">
        <PersonLink person={post.author} />
        <time className="post-time" dateTime={post.createdAt} title={new Date(post.createdAt).toLocaleString()}>
          {whenText(post.createdAt)}
        </time>
      </header>
      {post.text && <p className="post-text">{post.text}</p>}
      {post.photos.length > 0 && <PostPhotos photos={post.photos} author={post.author.displayName} large={large} />}
      <PostFooter post={post} onUpdate={onUpdate} />
      {children}
    </article>
  );
}

function PostPhotos({ photos, author, large }: { photos: PostPhoto[]; author: string; large: boolean }) {
  return (
    <ul className={`post-photos count-${photos.length}${large ? ' large' : ''}`}>
      {photos.map((photo, index) => (
        <li key={photo.id}>
          <a href={photo.url} target="_blank" rel="noopener">
            <img
              src={large ? photo.url : photo.thumbnailUrl}
              width={large ? photo.width : 600}
              height={large ? photo.height : 600}
              alt={`${author}’s upload ${index + 1} of ${photos.length}, full size (opens in a new tab)`}
              loading="lazy"
              decoding="async"
            />
          </a>
        </li>
      ))}
    </ul>
  );
}

function PostFooter({ post, onUpdate }: { post: Post; onUpdate: UpdatePost }) {
  const { toggle, error } = useLikeToggle(post, onUpdate);
  return (
    <>
      <footer className="post-foot">
        <button
          type="button"
          className={post.viewerHasLiked ? 'like liked' : 'like'}
          aria-pressed={post.viewerHasLiked}
          onClick={() => void toggle()}
        >
          <span aria-hidden="true">{post.viewerHasLiked ? '♥' : '♡'} </span>
          Like
        </button>
        <span className="like-count">{countOf(post.likeCount, 'like', 'likes')}</span>
        <Link to={postPath(post.id)} className="comment-count">
          {countOf(post.commentCount, 'comment', 'comments')}
        </Link>
      </footer>
      <p role="alert" className="error post-error">
        {error}
      </p>
    </>
  );
}

/** Likes (or unlikes) at once on screen, then asks the API; a refusal puts the post back. */
function useLikeToggle(post: Post, onUpdate: UpdatePost) {
  const sending = useRef(false);
  const [error, setError] = useState<string>();
  const toggle = async () => {
    if (sending.current) return;
    sending.current = true;
    const liked = !post.viewerHasLiked;
    onUpdate(post.id, likedAs(liked));
    try {
      await gql(liked ? LIKE : UNLIKE, { postId: post.id });
      setError(undefined);
    } catch (caught) {
      onUpdate(post.id, likedAs(!liked));
      setError(errorText(caught));
    } finally {
      sending.current = false;
    }
  };
  return { toggle, error };
}

/** The post as liked (or not) by the viewer, its count moved by one when that changes anything. */
const likedAs =
  (liked: boolean) =>
  (post: Post): Post =>
    post.viewerHasLiked === liked
      ? post
      : { ...post, viewerHasLiked: liked, likeCount: Math.max(0, post.likeCount + (liked ? 1 : -1)) };
