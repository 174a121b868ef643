// The page the API sends the browser back to after "Continue with …" (/signin/federated). The
// outcome is in the URL fragment, which servers and Referer headers never see; it is read once
// and wiped from the address bar before the first paint, so a one-time code is not left in
// history. A code becomes a session, or the two-step sign-in screen exactly as after a password;
// a pending link asks the account's owner to sign in (the token waits in sessionStorage, see
// sign-in-providers.tsx) and is taken as soon as someone is signed in; an error is shown above the
// sign-in form. The app routes this page signed in or out, because the link is taken right after
// the sign-in it asks for, on this same page.
import { type ReactNode, useEffect, useLayoutEffect, useState } from 'react';
import { ApiError, errorText, type MfaChallenge, request, type Tokens } from '../api.ts';
import { Link, navigate } from '../router.ts';
import { type SessionState, session } from '../session.ts';
import { SignIn } from './account.tsx';
import { type PendingLink, pendingLink } from './sign-in-providers.tsx';
import './federated.css';

type Landing = { kind: 'code'; code: string } | { kind: 'error'; message: string } | { kind: 'none' };

/** What the fragment says; a link is handed to the pending-link store at once. */
function readLanding(): Landing {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const code = fragment.get('code');
  const link = fragment.get('link');
  const error = fragment.get('error');
  if (link) {
    pendingLink.keep({
      token: link,
      provider: fragment.get('provider') ?? 'the provider',
      email: fragment.get('email') ?? '',
    });
    return { kind: 'none' };
  }
  // A new outcome supersedes a link still waiting from an earlier try.
  if (code || error) pendingLink.forget();
  if (code) return { kind: 'code', code };
  if (error) return { kind: 'error', message: error };
  return { kind: 'none' };
}

export function FederatedSignIn({ state }: { state: SessionState }) {
  const [landing] = useState(readLanding);
  // Read after the fragment was, which may have just stored it; kept, so the page still knows
  // the link once it is taken (and so forgotten).
  const [link] = useState(pendingLink.read);

  useLayoutEffect(() => {
    if (location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  }, []);

  if (landing.kind === 'code') return <CompleteSignIn code={landing.code} state={state} />;
  if (state.status === 'loading') return <Busy title="Sign in" text="Loading…" />;
  if (state.status === 'signedIn') {
    if (link) return <TakeLink link={link} />;
    if (landing.kind === 'error') return <Outcome title="Not signed in" alert={landing.message} />;
    return <GoHome />;
  }
  if (landing.kind === 'error') return <SignIn alert={landing.message} />;
  if (link) {
    return (
      <SignIn
        notice={`An account for ${link.email} already exists. Sign in to it to link ${link.provider}.`}
        email={link.email}
      />
    );
  }
  return <SignIn />;
}

/** One request per code, however often React runs the effect: the code works once. */
const completions = new Map<string, Promise<void>>();

async function complete(code: string): Promise<void> {
  const result = await request<Tokens | MfaChallenge>('/v1/auth/federated/complete', {
    method: 'POST',
    body: { code },
  });
  if ('challenge' in result) {
    // The two-step screen is a signed-out screen; a session from another tab gives way to this sign-in.
    if (session.state.status === 'signedIn') session.signOut();
    navigate(`/mfa?session=${encodeURIComponent(result.session)}`, { replace: true });
  } else {
    session.signedIn(result);
    navigate('/', { replace: true });
  }
}

function CompleteSignIn({ code, state }: { code: string; state: SessionState }) {
  const [error, setError] = useState<string>();
  const ready = state.status !== 'loading';

  useEffect(() => {
    // After the stored session (if any) is settled, so its refresh cannot overwrite this sign-in.
    if (!ready) return;
    let live = true;
    let completion = completions.get(code);
    if (!completion) {
      completion = complete(code);
      completions.set(code, completion);
    }
    completion.catch((caught: unknown) => live && setError(errorText(caught)));
    return () => {
      live = false;
    };
  }, [code, ready]);

  if (!error) return <Busy title="Sign in" text="Signing you in…" />;
  return state.status === 'signedIn' ? <Outcome title="Not signed in" alert={error} /> : <SignIn alert={error} />;
}

const claims = new Map<string, Promise<void>>();

/** The token is spent by the attempt, whatever its answer, so it is forgotten either way. */
async function claim(link: PendingLink): Promise<void> {
  try {
    await session.call('/v1/auth/federated/links', { method: 'POST', body: { linkToken: link.token } });
  } finally {
    pendingLink.forget();
  }
}

function refusal(caught: unknown, link: PendingLink): string {
  if (caught instanceof ApiError && caught.status === 403) {
    return `${link.provider} was not linked: the account you are signed in to does not use ${link.email}. To link it, sign out, sign in to the account for ${link.email}, then use Continue with ${link.provider} again.`;
  }
  return errorText(caught);
}

function TakeLink({ link }: { link: PendingLink }) {
  const [result, setResult] = useState<{ linked: true } | { linked: false; message: string }>();

  useEffect(() => {
    let live = true;
    let claiming = claims.get(link.token);
    if (!claiming) {
      claiming = claim(link);
      claims.set(link.token, claiming);
    }
    claiming.then(
      () => live && setResult({ linked: true }),
      (caught: unknown) => live && setResult({ linked: false, message: refusal(caught, link) }),
    );
    return () => {
      live = false;
    };
  }, [link]);

  if (!result) return <Busy title={`Linking ${link.provider}`} text={`Linking ${link.provider} to your account…`} />;
  if (!result.linked) return <Outcome title={`${link.provider} not linked`} alert={result.message} />;
  return (
    <Outcome title={`${link.provider} linked`}>
      <p className="notice" role="status">
        {link.provider} is now linked: next time, Continue with {link.provider} signs you in here.
      </p>
    </Outcome>
  );
}

function Busy({ title, text }: { title: string; text: string }) {
  return (
    <main className="narrow federated" aria-busy="true">
      <h1>{title}</h1>
      <p className="empty" role="status">
        {text}
      </p>
    </main>
  );
}

/** A finished step while signed in: what happened, and the way on into the app. */
function Outcome({ title, alert, children }: { title: string; alert?: string; children?: ReactNode }) {
  return (
    <main className="narrow federated">
      <h1>{title}</h1>
      {alert && (
        <p role="alert" className="error">
          {alert}
        </p>
      )}
      {children}
      <p className="next">
        <Link to="/" className="button-link">
          Go to your to-dos
        </Link>
        <Link to="/account">See your linked sign-ins</Link>
      </p>
    </main>
  );
}

/** Signed in with nothing left to do here (a reload after the fact): on to the app. */
function GoHome() {
  useEffect(() => navigate('/', { replace: true }), []);
  return null;
}
