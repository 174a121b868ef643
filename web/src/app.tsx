// The app's shell: who is signed in decides which screens exist.
import { type ReactElement, useEffect, useState } from 'react';
import { navigate, useLocation } from './router.ts';
import { Confirm, MfaCode, SignIn, SignUp } from './screens/account.tsx';
import { Todos } from './screens/todos.tsx';
import { type SessionState, session } from './session.ts';

function useSession(): SessionState {
  const [state, setState] = useState(session.state);
  useEffect(() => session.subscribe(setState), []);
  return state;
}

const publicScreens: Record<string, () => ReactElement> = {
  '/signup': SignUp,
  '/confirm': Confirm,
  '/mfa': MfaCode,
};

export function App() {
  const state = useSession();
  const { pathname } = useLocation();

  useEffect(() => {
    void session.resume();
  }, []);

  if (state.status === 'loading') return <p className="empty">Loading…</p>;
  if (state.status === 'signedOut') {
    const Screen = publicScreens[pathname];
    return Screen ? <Screen /> : <SignIn notice={state.message} />;
  }
  return (
    <>
      <header className="bar">
        <strong>Stratus</strong>
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
      <Todos />
    </>
  );
}
