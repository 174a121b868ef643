// Signing up, confirming with the mailed code, signing in, answering the MFA challenge, and
// resetting a forgotten password. Every screen is one short form that posts to the API and moves
// on with the answer in the URL (`?email=`, `?notice=`), so a reload or the back button keeps it.
import { useState } from 'react';
import { errorText, type MfaChallenge, request, type Tokens } from '../api.ts';
import { Field, Form, NewPasswordField, text } from '../form.tsx';
import { Link, navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';
import { afterSignInPath, ProviderButtons } from './sign-in-providers.tsx';

/** `alert` and `email` come from /signin/federated (federated.tsx): an outside sign-in's outcome. */
export function SignIn({ notice, alert, email }: { notice?: string | undefined; alert?: string; email?: string }) {
  const query = useLocation().searchParams;
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      {(notice ?? query.get('notice')) && <p className="notice">{notice ?? query.get('notice')}</p>}
      {alert && (
        <p role="alert" className="error">
          {alert}
        </p>
      )}
      <Form
        label="Sign in"
        submit="Sign in"
        onSubmit={async (data) => {
          const result = await request<Tokens | MfaChallenge>('/v1/auth/signin', {
            method: 'POST',
            body: { email: text(data, 'email'), password: text(data, 'password') },
          });
          if ('challenge' in result) navigate(`/mfa?session=${encodeURIComponent(result.session)}`);
          else {
            session.signedIn(result);
            navigate(afterSignInPath(), { replace: true });
          }
        }}
      >
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={email ?? query.get('email') ?? ''}
        />
        <Field label="Password" name="password" type="password" autoComplete="current-password" />
      </Form>
      <ProviderButtons />
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </main>
  );
}

export function SignUp() {
  return (
    <main className="narrow">
      <h1>Create an account</h1>
      <Form
        label="Create an account"
        submit="Create account"
        onSubmit={async (data) => {
          const email = text(data, 'email');
          await request('/v1/auth/signup', {
            method: 'POST',
            body: { name: text(data, 'name'), email, password: text(data, 'password') },
          });
          navigate(`/confirm?email=${encodeURIComponent(email)}`);
        }}
      >
        <Field label="Name" name="name" autoComplete="name" />
        <Field label="Email" name="email" type="email" autoComplete="email" />
        <Field label="Password (at least 8 characters)" name="password" type="password" autoComplete="new-password" />
      </Form>
      <ProviderButtons />
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </main>
  );
}

export function Confirm() {
  const email = useLocation().searchParams.get('email') ?? '';
  return (
    <main className="narrow">
      <h1>Confirm your email</h1>
      <p>We sent a 6-digit code to {email || 'your email'}.</p>
      <Form
        label="Confirm your email"
        submit="Confirm"
        onSubmit={async (data) => {
          await request('/v1/auth/confirm', {
            method: 'POST',
            body: { email: text(data, 'email'), code: text(data, 'code') },
          });
          navigate(
            `/signin?email=${encodeURIComponent(text(data, 'email'))}&notice=${encodeURIComponent('Your account is confirmed: sign in')}`,
          );
        }}
      >
        <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={email} />
        <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" />
      </Form>
      <button
        type="button"
        className="link"
        onClick={() => void request('/v1/auth/resend-code', { method: 'POST', body: { email } }).catch(() => {})}
      >
        Send a new code
      </button>
    </main>
  );
}

/**
 * What people type for a second factor, as the API expects it: authenticator apps show
 * "123 456", and a recovery code may be typed without its dash or in lower case.
 */
export function normalizeMfaCode(typed: string): string {
  const code = typed.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z0-9]{10}$/.test(code) && !/^\d+$/.test(code) ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

export function MfaCode() {
  const sessionId = useLocation().searchParams.get('session') ?? '';
  return (
    <main className="narrow">
      <h1>Two-step sign-in</h1>
      <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      <Form
        label="Two-step sign-in"
        submit="Continue"
        onSubmit={async (data) => {
          session.signedIn(
            await request<Tokens>('/v1/auth/mfa/challenge', {
              method: 'POST',
              body: { session: sessionId, code: normalizeMfaCode(text(data, 'code')) },
            }),
          );
          navigate(afterSignInPath(), { replace: true });
        }}
      >
        <Field label="Code" name="code" autoComplete="one-time-code" />
      </Form>
      <p>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </main>
  );
}

export function ForgotPassword() {
  const email = useLocation().searchParams.get('email') ?? '';
  return (
    <main className="narrow">
      <h1>Forgot your password?</h1>
      <p>Enter the email you signed up with: we will mail you a 6-digit code to choose a new password.</p>
      <Form
        label="Forgot your password"
        submit="Send the code"
        onSubmit={async (data) => {
          const address = text(data, 'email');
          await request('/v1/auth/forgot-password', { method: 'POST', body: { email: address } });
          navigate(`/reset-password?email=${encodeURIComponent(address)}`);
        }}
      >
        <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={email} />
      </Form>
      <p>
        Remembered it? <Link to="/signin">Sign in</Link>
      </p>
    </main>
  );
}

interface Message {
  message: string;
}

export function ResetPassword() {
  const email = useLocation().searchParams.get('email') ?? '';
  return (
    <main className="narrow">
      <h1>Choose a new password</h1>
      <p>
        If an account has the email {email || 'you gave'}, we mailed it a 6-digit code. It works for 1 hour. Changing
        the password signs you out on every device.
      </p>
      <Form
        label="Choose a new password"
        submit="Change password"
        onSubmit={async (data) => {
          const address = text(data, 'email');
          const { message } = await request<Message>('/v1/auth/reset-password', {
            method: 'POST',
            body: { email: address, code: text(data, 'code').trim(), newPassword: text(data, 'newPassword') },
          });
          navigate(`/signin?email=${encodeURIComponent(address)}&notice=${encodeURIComponent(message)}`, {
            replace: true,
          });
        }}
      >
        <Field label="Email" name="email" type="email" autoComplete="username" defaultValue={email} />
        <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" />
        <NewPasswordField />
      </Form>
      <ResendResetCode email={email} />
      <p>
        <Link to="/signin">Back to sign in</Link>
      </p>
    </main>
  );
}

/** Asks for another reset code; the API answers the same whether or not the account exists. */
function ResendResetCode({ email }: { email: string }) {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string>();
  const resend = async () => {
    setBusy(true);
    try {
      setSaid((await request<Message>('/v1/auth/forgot-password', { method: 'POST', body: { email } })).message);
    } catch (caught) {
      setSaid(errorText(caught));
    } finally {
      setBusy(false);
    }
  };
  if (!email) return null;
  return (
    <>
      <p>
        {/* A text link to look at, a 44 px touch target to hit. */}
        <button
          type="button"
          className="link"
          style={{ minHeight: '2.75rem' }}
          disabled={busy}
          onClick={() => void resend()}
        >
          Send a new code
        </button>
      </p>
      <p role="status">{said}</p>
    </>
  );
}
