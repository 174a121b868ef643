// The account settings: profile, password, two-step sign-in, sign out everywhere, deletion.
// Each section is its own small component in its own card, holding only its own state; the
// screen loads the profile once (GET /v1/me) and sections hand back what the API answered, so
// what is shown is always the server's word. The two-step sign-in section is in mfa-settings.tsx
// and the pieces the sections share in settings-parts.tsx, so each file stays small.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { errorText, type Profile } from '../api.ts';
import { Field, Form, NewPasswordField, text } from '../form.tsx';
import { Link, navigate } from '../router.ts';
import { session } from '../session.ts';
import { Avatar } from './avatar.tsx';
import { LinkedIdentitiesSection } from './linked-identities.tsx';
import { MfaSection } from './mfa-settings.tsx';
import { HintedField, type Message, Section, useAction } from './settings-parts.tsx';
import './settings.css';

/** GET /v1/me, with the attributes the shared Profile type leaves out. */
interface Me extends Profile {
  attributes: Partial<Record<string, string>>;
}

export function Settings() {
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<string>();

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(undefined);
    try {
      setMe(await session.call<Me>('/v1/me', signal ? { signal } : {}));
    } catch (caught) {
      if ((caught as Error).name !== 'AbortError') setError(errorText(caught));
    }
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  return (
    <main className="settings" aria-busy={!me && !error}>
      <h1>Account</h1>
      {error && (
        <>
          <p role="alert" className="error">
            {error}
          </p>
          <button type="button" onClick={() => void load()}>
            Try again
          </button>
        </>
      )}
      {!me && !error && <p className="empty">Loading…</p>}
      {me && (
        <>
          <ProfileSection me={me} onSaved={setMe} />
          <PasswordSection email={me.email} />
          <MfaSection
            email={me.email}
            enabled={me.mfaEnabled}
            onChange={(mfaEnabled) => setMe((shown) => shown && { ...shown, mfaEnabled })}
          />
          <LinkedIdentitiesSection />
          <SignOutEverywhereSection />
          <DeleteAccountSection email={me.email} />
        </>
      )}
    </main>
  );
}

function ProfileSection({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [saved, setSaved] = useState<string>();
  const [saves, setSaves] = useState(0);
  const save = async (data: FormData) => {
    setSaved(undefined);
    const username = text(data, 'username').trim();
    const changes: { name: string; username?: string; attributes: Record<string, string> } = {
      name: text(data, 'name'),
      attributes: { bio: text(data, 'bio').trim(), website: text(data, 'website').trim() },
    };
    // A username cannot be removed once chosen, and resending the same one is a no-op.
    if (username && username !== me.username) changes.username = username;
    onSaved(await session.call<Me>('/v1/me', { method: 'PATCH', body: changes }));
    setSaved('Profile saved');
    setSaves((count) => count + 1);
  };
  return (
    <Section title="Profile">
      <Avatar name={me.name} pictureUrl={me.attributes.profile_picture_url} />
      {/* Remounted on every save, so the fields show what the API stored (e.g. a lower-cased username). */}
      <Form key={saves} label="Profile" submit="Save profile" onSubmit={save}>
        <HintedField
          label="Name"
          name="name"
          required
          autoComplete="name"
          maxLength={128}
          defaultValue={me.name}
          hint="Shown on your public page."
        />
        <HintedField
          label="Username"
          name="username"
          autoComplete="off"
          maxLength={30}
          defaultValue={me.username}
          hint={
            <>
              3 to 30 letters, digits, - or _, starting and ending with a letter or digit; stored in lower case. It is
              the address of your public page, must not be taken by someone else, and cannot be removed once chosen
              (only changed).
            </>
          }
        />
        <HintedField
          label="Bio"
          name="bio"
          maxLength={2048}
          defaultValue={me.attributes.bio}
          hint="One line about you, for your public page."
        />
        <HintedField
          label="Website"
          name="website"
          type="url"
          autoComplete="url"
          maxLength={2048}
          defaultValue={me.attributes.website}
          hint="A full address, like https://example.com."
        />
      </Form>
      <p role="status" className="saved">
        {saved}
      </p>
      {me.username && (
        <p>
          Your public page: <Link to={`/u/${encodeURIComponent(me.username)}`}>/u/{me.username}</Link>
        </p>
      )}
    </Section>
  );
}

function PasswordSection({ email }: { email: string }) {
  const [changed, setChanged] = useState<string>();
  const [round, setRound] = useState(0);
  const change = async (data: FormData) => {
    setChanged(undefined);
    const { message } = await session.call<Message>('/v1/auth/change-password', {
      method: 'POST',
      body: { oldPassword: text(data, 'oldPassword'), newPassword: text(data, 'newPassword') },
    });
    setChanged(message);
    setRound((count) => count + 1); // empties the password fields
  };
  return (
    <Section title="Change password">
      <p className="hint">
        Devices already signed in stay signed in. If someone else may know your password, also use Sign out everywhere
        below.
      </p>
      <Form key={round} label="Change password" submit="Change password" onSubmit={change}>
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <Field label="Current password" name="oldPassword" type="password" autoComplete="current-password" />
        <NewPasswordField />
      </Form>
      <p role="status" className="saved">
        {changed}
      </p>
    </Section>
  );
}

function SignOutEverywhereSection() {
  const action = useAction();
  const signOutEverywhere = () =>
    action.run(async () => {
      await session.call<Message>('/v1/auth/signout', { method: 'POST' });
      session.signOut('You are signed out on every device');
      navigate('/signin', { replace: true });
    });
  return (
    <Section title="Sign out everywhere">
      <p>Ends every session of your account: on this device, and on any other phone or computer you signed in on.</p>
      <p role="alert" className="error">
        {action.error}
      </p>
      <button type="button" className="secondary" disabled={action.busy} onClick={() => void signOutEverywhere()}>
        {action.busy ? 'Please wait…' : 'Sign out everywhere'}
      </button>
    </Section>
  );
}

/** What the user must type to confirm: their own email (any case), or the word DELETE. */
const confirmsDeletion = (typed: string, email: string) =>
  typed.trim() === 'DELETE' || typed.trim().toLowerCase() === email.toLowerCase();

function DeleteAccountSection({ email }: { email: string }) {
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  useEffect(() => {
    if (confirming) input.current?.focus();
  }, [confirming]);

  const remove = () => {
    if (!confirmsDeletion(input.current?.value ?? '', email)) {
      action.setError('Type your email address or the word DELETE to confirm');
      input.current?.focus();
      return;
    }
    void action.run(async () => {
      await session.call('/v1/me', { method: 'DELETE' });
      session.signOut('Your account was deleted');
      navigate('/signin', { replace: true });
    });
  };

  return (
    <Section title="Delete account">
      <p>
        Deleting your account also deletes <strong>everything you own</strong> in Stratus: to-dos, notes, bookmarks,
        files, API keys and your public page. It cannot be undone.
      </p>
      {!confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete my account…
        </button>
      ) : (
        <form
          aria-label="Confirm deleting your account"
          onSubmit={(event) => {
            event.preventDefault();
            remove();
          }}
        >
          <div className="field">
            <label htmlFor={inputId}>To confirm, type your email address ({email}) or the word DELETE</label>
            <input id={inputId} ref={input} name="confirmation" autoComplete="off" autoCapitalize="none" />
          </div>
          <p role="alert" className="error">
            {action.error}
          </p>
          <div className="actions">
            <button type="submit" className="danger" disabled={action.busy}>
              {action.busy ? 'Deleting…' : 'Delete my account and everything in it'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setConfirming(false);
                action.setError(undefined);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}
