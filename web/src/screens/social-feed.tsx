// The home feed at /social: the stories bar, a box to find someone by username, the composer, then
// the caller's feed, newest first, ten posts a page. The next page loads as the end of the list
// scrolls near (an IntersectionObserver on a sentinel), and a Load more button does the same for
// keyboards and screen readers. Posts that reach the feed while it is open (onFeedPost) are not
// put in above the reader's eyes: a notice counts them, and Show puts them at the top and moves
// focus there. Own posts arrive that way too; one already shown (just posted here) is not counted.
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { gql, subscribe } from '../graphql.ts';
import { Link, navigate } from '../router.ts';
import { Composer } from './social-composer.tsx';
import { type Connection, mergeById, POST_FIELDS, type Post, profilePath } from './social-model.ts';
import { PostCard, type UpdatePost } from './social-post-card.tsx';
import { StoriesBar } from './social-stories.tsx';
import { useViewer } from './social-viewer.ts';

const PAGE = 10;
const FEED = `query Feed($limit: Int, $nextToken: String) { feed(limit: $limit, nextToken: $nextToken) { items { ${POST_FIELDS} } nextToken } }`;
const ON_FEED_POST = `subscription OnFeedPost($userId: ID!) { onFeedPost(userId: $userId) { userId post { ${POST_FIELDS} } } }`;
const BY_USERNAME = 'query FindProfile($username: String!) { profileByUsername(username: $username) { id username } }';

export function Feed() {
  const feed = useFeed();
  const viewer = useViewer();
  const [arrived, setArrived] = useState<Post[]>([]);
  const [liveError, setLiveError] = useState<string>();
  const top = useRef<HTMLHeadingElement>(null);
  const shown = useRef(new Set<string>());
  shown.current = new Set(feed.posts.map((post) => post.id));

  useEffect(
    () =>
      subscribe<{ onFeedPost: { post: Post } | null }>(
        ON_FEED_POST,
        { userId: viewer.id },
        ({ onFeedPost }) => {
          const post = onFeedPost?.post;
          if (!post || shown.current.has(post.id)) return;
          setArrived((waiting) => mergeById(waiting, [post], 'start'));
        },
        (error) => setLiveError(errorText(error)),
      ),
    [viewer.id],
  );

  // A post can be heard of before the composer's answer puts it in the list: it is not new then.
  const waiting = arrived.filter((post) => !shown.current.has(post.id));
  const showArrived = () => {
    feed.prepend(waiting);
    setArrived([]);
    top.current?.focus();
    top.current?.scrollIntoView({ block: 'start' });
  };

  return (
    <main className="social" aria-busy={feed.loading}>
      <div className="feed-top">
        <h1>Social</h1>
        <Link to={profilePath(viewer)}>Your profile</Link>
      </div>
      <StoriesBar />
      <FindPerson />
      <section aria-labelledby="composer-heading">
        <h2 id="composer-heading" className="visually-hidden">
          New post
        </h2>
        <Composer onPosted={(post) => feed.prepend([post])} />
      </section>
      <section aria-labelledby="feed-heading" className="feed-section">
        <h2 id="feed-heading" ref={top} tabIndex={-1}>
          Your feed
        </h2>
        <div role="status" className="new-posts">
          {waiting.length > 0 && (
            <button type="button" className="secondary" onClick={showArrived}>
              {waiting.length === 1 ? '1 new post' : `${waiting.length} new posts`} — show
            </button>
          )}
        </div>
        <p role="alert" className="error">
          {feed.error ?? liveError}
        </p>
        <PostList posts={feed.posts} onUpdate={feed.update} label="Your feed" />
        {!feed.loading && !feed.error && feed.posts.length === 0 && (
          <p className="empty">
            Nothing here yet: write the first post above, or find people to follow by their username.
          </p>
        )}
        <MoreLoader hasMore={feed.nextToken !== null} loading={feed.loading} onMore={feed.more} />
      </section>
    </main>
  );
}

/** The posts as a list of cards; shared with the profile page. */
export function PostList({ posts, onUpdate, label }: { posts: Post[]; onUpdate: UpdatePost; label: string }) {
  if (posts.length === 0) return null;
  return (
    <ul className="post-list" aria-label={label}>
      {posts.map((post) => (
        <li key={post.id}>
          <PostCard post={post} onUpdate={onUpdate} />
        </li>
      ))}
    </ul>
  );
}

/**
 * The end of a paged list: a sentinel that asks for more as it scrolls near (400 px ahead), and
 * the same as a button for keyboards and screen readers; Loading… while a page is on its way.
 */
export function MoreLoader({
  hasMore,
  loading,
  onMore,
  label = 'Load more',
}: {
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  label?: string;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  const more = useRef(onMore);
  more.current = onMore;
  const active = hasMore && !loading;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !active) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && more.current(), {
      rootMargin: '400px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [active]);
  return (
    <div className="more" ref={sentinel}>
      {loading && <p className="empty">Loading…</p>}
      {active && (
        <button type="button" className="secondary" onClick={onMore}>
          {label}
        </button>
      )}
    </div>
  );
}

function useFeed() {
  const [posts, setPosts] = useState<Post[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const load = useCallback(async (after: string | null) => {
    setLoading(true);
    try {
      const { feed } = await gql<{ feed: Connection<Post> }>(FEED, { limit: PAGE, nextToken: after });
      setPosts((shown) => (after ? mergeById(shown, feed.items) : feed.items));
      setNextToken(feed.nextToken ?? null);
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  const more = () => {
    if (nextToken && !loading) void load(nextToken);
  };
  const prepend = (added: Post[]) => setPosts((shown) => mergeById(shown, added, 'start'));
  const update: UpdatePost = useCallback(
    (id, change) => setPosts((shown) => shown.map((post) => (post.id === id ? change(post) : post))),
    [],
  );
  return { posts, nextToken, loading, error, more, prepend, update };
}

/** Finding someone to follow: a username (with or without the @) opens that profile. */
function FindPerson() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const find = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const username = String(new FormData(event.currentTarget).get('username') ?? '')
      .trim()
      .replace(/^@/, '');
    if (!username) return;
    setBusy(true);
    setError(undefined);
    try {
      const { profileByUsername } = await gql<{ profileByUsername: { id: string; username: string | null } | null }>(
        BY_USERNAME,
        { username },
      );
      if (profileByUsername) navigate(profilePath(profileByUsername));
      else setError(`No one has the username ${username}.`);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <search className="find-person" aria-label="Find people">
      <form onSubmit={(event) => void find(event)}>
        <label className="field" htmlFor={inputId}>
          Find by username
        </label>
        <div className="find-row">
          <input
            id={inputId}
            name="username"
            type="text"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          <button type="submit" disabled={busy}>
            Find
          </button>
        </div>
        <p role="alert" className="error">
          {error}
        </p>
      </form>
    </search>
  );
}
