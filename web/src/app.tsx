// The app's shell: who is signed in decides which screens exist. Screens beyond the to-do list
// load on first visit, so the first paint carries only the shell and the to-dos.
import { type ComponentType, lazy, type ReactElement, Suspense, useEffect, useState } from 'react';
import { NotificationBell } from './notification-bell.tsx';
import { Link, navigate, useLocation } from './router.ts';
import { Confirm, ForgotPassword, MfaCode, ResetPassword, SignIn, SignUp } from './screens/account.tsx';
import { FederatedSignIn } from './screens/federated.tsx';
import { Todos } from './screens/todos.tsx';
import { type SessionState, session } from './session.ts';

const Notes = lazy(() => import('./screens/notes.tsx').then((m) => ({ default: m.Notes })));
const Bookmarks = lazy(() => import('./screens/bookmarks.tsx').then((m) => ({ default: m.Bookmarks })));
const Photos = lazy(() => import('./screens/photos.tsx').then((m) => ({ default: m.Photos })));
const SharedGallery = lazy(() => import('./screens/shared-gallery.tsx').then((m) => ({ default: m.SharedGallery })));
const Files = lazy(() => import('./screens/files.tsx').then((m) => ({ default: m.Files })));
const Settings = lazy(() => import('./screens/settings.tsx').then((m) => ({ default: m.Settings })));
const Tasks = lazy(() => import('./screens/tasks.tsx').then((m) => ({ default: m.Tasks })));
const Notifications = lazy(() => import('./screens/notifications.tsx').then((m) => ({ default: m.Notifications })));
const ApiKeys = lazy(() => import('./screens/api-keys.tsx').then((m) => ({ default: m.ApiKeys })));
const Social = lazy(() => import('./screens/social.tsx').then((m) => ({ default: m.Social })));
const PublicSite = lazy(() => import('./screens/site.tsx').then((m) => ({ default: m.PublicSite })));
const Admin = lazy(() => import('./screens/admin/console.tsx').then((m) => ({ default: m.Admin })));

function useSession(): SessionState {
  const [state, setState] = useState(session.state);
  useEffect(() => session.subscribe(setState), []);
  return state;
}

const publicScreens: Record<string, () => ReactElement> = {
  '/signup': SignUp,
  '/confirm': Confirm,
  '/mfa': MfaCode,
  '/forgot-password': ForgotPassword,
  '/reset-password': ResetPassword,
};

/** The signed-in screens, in the order of the navigation bar. */
const sections: { path: string; label: string; Screen: ComponentType }[] = [
  { path: '/', label: 'To-dos', Screen: Todos },
  { path: '/tasks', label: 'Tasks', Screen: Tasks },
  { path: '/notes', label: 'Notes', Screen: Notes },
  { path: '/bookmarks', label: 'Bookmarks', Screen: Bookmarks },
  { path: '/photos', label: 'Photos', Screen: Photos },
  { path: '/files', label: 'Files', Screen: Files },
  { path: '/social', label: 'Social', Screen: Social },
  { path: '/account', label: 'Account', Screen: Settings },
  { path: '/api-keys', label: 'API keys', Screen: ApiKeys },
];

/** Signed-in screens reached from elsewhere than the tabs (the bell; the admins' own link). */
const otherScreens: { path: string; Screen: ComponentType }[] = [
  { path: '/notifications', Screen: Notifications },
  // Open to anyone signed in: the API says who may use it, and the console explains a refusal.
  { path: '/admin', Screen: Admin },
];

/** A section owns its path and everything below it (`/tasks/board`, `/tasks/<id>`). */
const owns = (path: string, pathname: string) => pathname === path || (path !== '/' && pathname.startsWith(`${path}/`));

const loading = <p className="empty">Loading…</p>;

export function App() {
  const state = useSession();
  const { pathname } = useLocation();

  useEffect(() => {
    void session.resume();
  }, []);

  // The public site reads the same signed in or out.
  const username = /^\/u\/([^/]+)\/?$/.exec(pathname)?.[1];
  if (username) {
    return (
      <Suspense fallback={loading}>
        <PublicSite username={decodeURIComponent(username)} />
      </Suspense>
    );
  }
  // A share link's gallery opens without signing in, and reads the same signed in.
  const shareToken = /^\/s\/([A-Za-z0-9_-]+)\/?$/.exec(pathname)?.[1];
  if (shareToken) {
    return (
      <Suspense fallback={loading}>
        <SharedGallery token={shareToken} />
      </Suspense>
    );
  }
  // An outside sign-in's outcome: it finishes a sign-in, or takes a link once someone is signed in.
  if (pathname === '/signin/federated') return <FederatedSignIn state={state} />;
  if (state.status === 'loading') return loading;
  if (state.status === 'signedOut') {
    const Screen = publicScreens[pathname];
    return Screen ? <Screen /> : <SignIn notice={state.message} />;
  }
  const other = otherScreens.find((screen) => owns(screen.path, pathname));
  const current = other ? undefined : (sections.find((section) => owns(section.path, pathname)) ?? sections[0]);
  const Screen = other?.Screen ?? current?.Screen ?? Todos;
  return (
    <>
      <header className="bar">
        <strong>Stratus</strong>
        {state.offline && <span className="badge">Offline</span>}
        <NotificationBell />
        <button
          type="button"
          className="link"
          onClick={() => {
            session.signOut();
            navigate('/signin', { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="tabs" aria-label="Sections">
        {sections.map((section) => (
          <Link key={section.path} to={section.path} current={section === current}>
            {section.label}
          </Link>
        ))}
        {session.groups().includes('admins') && (
          <Link to="/admin" current={owns('/admin', pathname)}>
            Admin
          </Link>
        )}
      </nav>
      <Suspense fallback={loading}>
        <Screen />
      </Suspense>
    </>
  );
}
