// Signing up, confirming with the mailed code, signing in and answering the MFA challenge.
import { type MfaChallenge, request, type Tokens } from '../api.ts';
import { Field, Form, text } from '../form.tsx';
import { Link, navigate, useLocation } from '../router.ts';
import { session } from '../session.ts';

export function SignIn({ notice }: { notice?: string | undefined }) {
  const query = useLocation().searchParams;
  return (
    <main className="narrow">
      <h1>Sign in</h1>
      {(notice ?? query.get('notice')) && <p className="notice">{notice ?? query.get('notice')}</p>}
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
            navigate('/', { replace: true });
          }
        }}
      >
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={query.get('email') ?? ''}
        />
        <Field label="Password" name="password" type="password" autoComplete="current-password" />
      </Form>
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
              body: { session: sessionId, code: text(data, 'code').trim() },
            }),
          );
          navigate('/', { replace: true });
        }}
      >
        <Field label="Code" name="code" autoComplete="one-time-code" />
      </Form>
    </main>
  );
}
export function ForgotPassword() { return <main className="narrow" />; }
export function ResetPassword() { return <main className="narrow" />; }
