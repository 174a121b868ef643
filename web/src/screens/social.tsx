// The Social section: the app routes /social and everything under it here, and the path picks the
// screen: /social is the home feed (social-feed.tsx), /social/post/<id> a post with its comments
// (social-post-page.tsx), /social/u/<username or id> a profile (social-profile.tsx). The caller's
// own profile is read first, once, and given to every screen (social-viewer.ts). Each screen is
// keyed by what it shows, so going from one post or profile to another starts it afresh, and the
// page goes back to its top on every move, as a page load would.
import './social.css';
import { useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { gql } from '../graphql.ts';
import { useLocation } from '../router.ts';
import { Feed } from './social-feed.tsx';
import type { Person } from './social-model.ts';
import { PostPage } from './social-post-page.tsx';
import { ProfilePage } from './social-profile.tsx';
import { ME, ViewerContext } from './social-viewer.ts';

export function Social() {
  const { pathname } = useLocation();
  const [viewer, setViewer] = useState<Person>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    gql<{ me: Person }>(ME).then(
      ({ me }) => current && setViewer(me),
      (caught: unknown) => current && setError(errorText(caught)),
    );
    return () => {
      current = false;
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose when the path changes
  useEffect(() => {
    scrollTo(0, 0);
  }, [pathname]);

  if (!viewer) {
    return (
      <main className="social" aria-busy={!error}>
        <h1>Social</h1>
        <p role="alert" className="error">
          {error}
        </p>
        {!error && <p className="empty">Loading…</p>}
      </main>
    );
  }
  const post = /^\/social\/post\/([^/]+)\/?$/.exec(pathname)?.[1];
  const person = /^\/social\/u\/([^/]+)\/?$/.exec(pathname)?.[1];
  return (
    <ViewerContext.Provider value={viewer}>
      {post ? (
        <PostPage key={post} id={decodeURIComponent(post)} />
      ) : person ? (
        <ProfilePage key={person} handle={decodeURIComponent(person)} />
      ) : (
        <Feed />
      )}
    </ViewerContext.Provider>
  );
}
