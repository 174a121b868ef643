// A profile at /social/u/<username or id>: the picture, name, @username, bio and counts, then one
// of three lists chosen by the counts (links, so the choice is in the address and Back returns
// to it): the posts (the default), the followers (?show=followers) or the accounts followed
// (?show=following), each paged. The address is read as a username first (the links this app
// makes use one when there is one), then as an id. Follow is a toggle button (aria-pressed) with
// a constant name, changed at once and changed back with the API's words if refused; on one's own
// profile it gives way to a link to the Account screen, where the profile is edited.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { GraphQLError, gql } from '../graphql.ts';
import { Link, useLocation } from '../router.ts';
import { MoreLoader, PostList } from './social-feed.tsx';
import {
  type Connection,
  countOf,
  mergeById,
  PERSON_FIELDS,
  type Person,
  POST_FIELDS,
  type Post,
  PROFILE_FIELDS,
  type Profile,
  profilePath,
  SOCIAL_HOME,
} from './social-model.ts';
import { Avatar, PeopleList } from './social-person.tsx';
import type { UpdatePost } from './social-post-card.tsx';

const PAGE = 10;
const BY_USERNAME = `query ProfileByUsername($username: String!) { profileByUsername(username: $username) { ${PROFILE_FIELDS} } }`;
const BY_ID = `query ProfileById($id: ID!) { profile(id: $id) { ${PROFILE_FIELDS} } }`;
const FOLLOW = 'mutation Follow($userId: ID!) { follow(userId: $userId) { id viewerFollows } }';
const UNFOLLOW = 'mutation Unfollow($userId: ID!) { unfollow(userId: $userId) { id viewerFollows } }';

type Show = 'posts' | 'followers' | 'following';
const listQuery = (field: Show, fields: string) =>
  `query Profile_${field}($id: ID!, $limit: Int, $nextToken: String) { profile(id: $id) { id ${field}(limit: $limit, nextToken: $nextToken) { items { ${fields} } nextToken } } }`;

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | Profile;

export function ProfilePage({ handle }: { handle: string }) {
  const { searchParams } = useLocation();
  const requested = searchParams.get('show');
  const show: Show = requested === 'followers' || requested === 'following' ? requested : 'posts';
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    findProfile(handle).then(
      (profile) => current && setLoaded(profile ?? { state: 'missing' }),
      (caught: unknown) => current && setLoaded({ state: 'failed', message: errorText(caught) }),
    );
    return () => {
      current = false;
    };
  }, [handle]);

  if (!('id' in loaded)) {
    return (
      <main className="social" aria-busy={loaded.state === 'loading'}>
        <p>
          <Link to={SOCIAL_HOME}>Back to the feed</Link>
        </p>
        <h1>{loaded.state === 'missing' ? 'No such person' : 'Profile'}</h1>
        {loaded.state === 'loading' && <p className="empty">Loading…</p>}
        {loaded.state === 'missing' && <p>No one has the username or id “{handle}”.</p>}
        <p role="alert" className="error">
          {loaded.state === 'failed' ? loaded.message : undefined}
        </p>
      </main>
    );
  }
  return (
    <main className="social">
      <p>
        <Link to={SOCIAL_HOME}>Back to the feed</Link>
      </p>
      <ProfileHead profile={loaded} onChange={setLoaded} show={show} />
      {show === 'posts' ? (
        <ProfilePosts profile={loaded} />
      ) : (
        <ProfilePeople profile={loaded} which={show} key={show} />
      )}
    </main>
  );
}

/** The profile by username, else by id; null when neither names anyone. */
async function findProfile(handle: string): Promise<Profile | null> {
  const notFound = (caught: unknown) =>
    caught instanceof GraphQLError && (caught.code === 'NOT_FOUND' || caught.code === 'BAD_USER_INPUT');
  try {
    const { profileByUsername } = await gql<{ profileByUsername: Profile | null }>(BY_USERNAME, { username: handle });
    if (profileByUsername) return profileByUsername;
  } catch (caught) {
    if (!notFound(caught)) throw caught;
  }
  try {
    const { profile } = await gql<{ profile: Profile | null }>(BY_ID, { id: handle });
    return profile;
  } catch (caught) {
    if (notFound(caught)) return null;
    throw caught;
  }
}

function ProfileHead({
  profile,
  onChange,
  show,
}: {
  profile: Profile;
  onChange: (profile: Profile) => void;
  show: Show;
}) {
  const path = profilePath(profile);
  return (
    <section className="card profile-head" aria-labelledby="profile-name">
      <div className="profile-who">
        <Avatar person={profile} size="large" />
        <div>
          <h1 id="profile-name">{profile.displayName}</h1>
          {profile.username && <p className="person-username">@{profile.username}</p>}
        </div>
      </div>
      {profile.bio && <p className="profile-bio">{profile.bio}</p>}
      <nav className="profile-counts" aria-label="Lists of this profile">
        <Link to={path} current={show === 'posts'}>
          {countOf(profile.postCount, 'post', 'posts')}
        </Link>
        <Link to={`${path}?show=followers`} current={show === 'followers'}>
          {countOf(profile.followerCount, 'follower', 'followers')}
        </Link>
        <Link to={`${path}?show=following`} current={show === 'following'}>
          {profile.followingCount.toLocaleString()} following
        </Link>
      </nav>
      {profile.isViewer ? (
        <p className="profile-own">
          This is you. <Link to="/account">Edit your profile</Link>
        </p>
      ) : (
        <FollowToggle profile={profile} onChange={onChange} />
      )}
    </section>
  );
}

function FollowToggle({ profile, onChange }: { profile: Profile; onChange: (profile: Profile) => void }) {
  const sending = useRef(false);
  const latest = useRef(profile);
  latest.current = profile;
  const [error, setError] = useState<string>();
  const toggle = async () => {
    if (sending.current) return;
    sending.current = true;
    const follows = !profile.viewerFollows;
    const as = (on: boolean): Profile =>
      latest.current.viewerFollows === on
        ? latest.current
        : {
            ...latest.current,
            viewerFollows: on,
            followerCount: Math.max(0, latest.current.followerCount + (on ? 1 : -1)),
          };
    onChange(as(follows));
    try {
      await gql(follows ? FOLLOW : UNFOLLOW, { userId: profile.id });
      setError(undefined);
    } catch (caught) {
      onChange(as(!follows));
      setError(errorText(caught));
    } finally {
      sending.current = false;
    }
  };
  return (
    <div className="follow">
      <button
        type="button"
        className={profile.viewerFollows ? 'follow-button following' : 'follow-button'}
        aria-pressed={profile.viewerFollows}
        onClick={() => void toggle()}
      >
        <span aria-hidden="true">{profile.viewerFollows ? '✓ ' : '+ '}</span>
        Follow
      </button>
      <p role="status" className="status">
        {profile.viewerFollows ? `You follow ${profile.displayName}.` : ''}
      </p>
      <p role="alert" className="error">
        {error}
      </p>
    </div>
  );
}

/** A profile's paged list, read through `profile(id) { <field>(limit, nextToken) }`. */
function useProfileList<T extends { id: string }>(profileId: string, field: Show, fields: string) {
  const [items, setItems] = useState<T[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const query = listQuery(field, fields);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const { profile } = await gql<{ profile: Record<string, Connection<T>> | null }>(query, {
          id: profileId,
          limit: PAGE,
          nextToken: after,
        });
        const page = profile?.[field] ?? { items: [], nextToken: null };
        setItems((shown) => (after ? mergeById(shown, page.items) : page.items));
        setNextToken(page.nextToken ?? null);
        setError(undefined);
      } catch (caught) {
        setError(errorText(caught));
      } finally {
        setLoading(false);
      }
    },
    [query, profileId, field],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const more = () => {
    if (nextToken && !loading) void load(nextToken);
  };
  return { items, setItems, nextToken, loading, error, more };
}

function ProfilePosts({ profile }: { profile: Profile }) {
  const posts = useProfileList<Post>(profile.id, 'posts', POST_FIELDS);
  const { setItems } = posts;
  const update: UpdatePost = useCallback(
    (id, change) => setItems((shown) => shown.map((post) => (post.id === id ? change(post) : post))),
    [setItems],
  );
  return (
    <section aria-labelledby="profile-list-heading" aria-busy={posts.loading}>
      <h2 id="profile-list-heading">Posts</h2>
      <p role="alert" className="error">
        {posts.error}
      </p>
      <PostList posts={posts.items} onUpdate={update} label={`Posts by ${profile.displayName}`} />
      {!posts.loading && !posts.error && posts.items.length === 0 && <p className="empty">No posts yet.</p>}
      <MoreLoader hasMore={posts.nextToken !== null} loading={posts.loading} onMore={posts.more} />
    </section>
  );
}

function ProfilePeople({ profile, which }: { profile: Profile; which: 'followers' | 'following' }) {
  const people = useProfileList<Person>(profile.id, which, PERSON_FIELDS);
  const title = which === 'followers' ? 'Followers' : 'Following';
  const label = which === 'followers' ? `Followers of ${profile.displayName}` : `Followed by ${profile.displayName}`;
  return (
    <section aria-labelledby="profile-list-heading" aria-busy={people.loading}>
      <h2 id="profile-list-heading">{title}</h2>
      <p role="alert" className="error">
        {people.error}
      </p>
      {people.items.length > 0 && <PeopleList people={people.items} label={label} />}
      {!people.loading && !people.error && people.items.length === 0 && (
        <p className="empty">{which === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}</p>
      )}
      <MoreLoader hasMore={people.nextToken !== null} loading={people.loading} onMore={people.more} />
    </section>
  );
}
