// The two-step sign-in section of the account settings: turn it on (scan a QR code or type the
// key, then confirm a code), see the recovery codes once, or turn it off with a code. The steps
// are one state in MfaSection so only one shows at a time. The recovery codes live only in
// component state: the API shows them once, and so does this screen.
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Field, Form, text } from '../form.tsx';
import { QrCode } from '../qr.tsx';
import { session } from '../session.ts';
import { normalizeMfaCode } from './account.tsx';
import { type Message, Section, useAction } from './settings-parts.tsx';

type MfaStep =
  | { step: 'idle' }
  | { step: 'setup'; secret: string; otpauthUri: string }
  | { step: 'codes'; recoveryCodes: string[] };

export function MfaSection({
  email,
  enabled,
  onChange,
}: {
  email: string;
  enabled: boolean;
  onChange: (enabled: boolean) => void;
}) {
  const [state, setState] = useState<MfaStep>({ step: 'idle' });
  const [notice, setNotice] = useState<string>();
  const start = useAction();

  const turnOn = () =>
    start.run(async () => {
      setNotice(undefined);
      const setup = await session.call<{ secret: string; otpauthUri: string }>('/v1/auth/mfa/setup', {
        method: 'POST',
      });
      setState({ step: 'setup', ...setup });
    });

  let body: ReactNode;
  if (state.step === 'codes') {
    body = (
      <RecoveryCodes
        email={email}
        codes={state.recoveryCodes}
        onDone={() => {
          setState({ step: 'idle' });
          setNotice('Two-step sign-in is on');
        }}
      />
    );
  } else if (enabled) {
    body = (
      <TurnOffMfa
        onOff={() => {
          onChange(false);
          setNotice('Two-step sign-in is off');
        }}
      />
    );
  } else if (state.step === 'setup') {
    body = (
      <MfaSetup
        secret={state.secret}
        otpauthUri={state.otpauthUri}
        onEnabled={(recoveryCodes) => {
          onChange(true);
          setState({ step: 'codes', recoveryCodes });
        }}
        onCancel={() => setState({ step: 'idle' })}
      />
    );
  } else {
    body = (
      <>
        <p>
          Two-step sign-in is <strong>off</strong>. Turn it on to be asked, after your password, for a code from an
          authenticator app on your phone.
        </p>
        <p role="alert" className="error">
          {start.error}
        </p>
        <button type="button" disabled={start.busy} onClick={() => void turnOn()}>
          {start.busy ? 'Please wait…' : 'Turn on two-step sign-in'}
        </button>
      </>
    );
  }
  return (
    <Section title="Two-step sign-in">
      <p role="status" className="saved">
        {notice}
      </p>
      {body}
    </Section>
  );
}

/** "ABCD EFGH ...": easier to read off and type than one 32-letter run; apps ignore the spaces. */
const groupsOfFour = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

function MfaSetup({
  secret,
  otpauthUri,
  onEnabled,
  onCancel,
}: {
  secret: string;
  otpauthUri: string;
  onEnabled: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}) {
  const enable = async (data: FormData) => {
    const { recoveryCodes } = await session.call<{ recoveryCodes: string[] }>('/v1/auth/mfa/enable', {
      method: 'POST',
      body: { code: normalizeMfaCode(text(data, 'code')) },
    });
    onEnabled(recoveryCodes);
  };
  return (
    <>
      <ol className="steps">
        <li>
          <p>Scan this QR code with an authenticator app (for example Google Authenticator, 1Password or Authy).</p>
          <QrCode className="qr" value={otpauthUri} label="QR code to add Stratus to an authenticator app" />
        </li>
        <li>
          <p>Cannot scan it? Type this key into the app instead (time-based, 6 digits).</p>
          <label className="field">
            <span>Setup key</span>
            {/* A textarea, not an input: the whole key stays in view on a narrow screen. */}
            <textarea className="secret" readOnly rows={2} value={groupsOfFour(secret)} />
          </label>
        </li>
        <li>
          <p>Enter the 6-digit code the app now shows.</p>
        </li>
      </ol>
      <Form label="Confirm two-step sign-in" submit="Turn on" onSubmit={enable}>
        <Field label="6-digit code" name="code" inputMode="numeric" autoComplete="one-time-code" />
      </Form>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </>
  );
}

function RecoveryCodes({ email, codes, onDone }: { email: string; codes: string[]; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [said, setSaid] = useState<string>();
  const listed = codes.join('\n');

  // The codes replace the form the user was typing in: take keyboard and screen-reader focus to them.
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(listed);
      setSaid('Copied to the clipboard');
    } catch {
      setSaid('This browser did not allow copying: select the codes and copy them by hand');
    }
  };

  const download = () => {
    const file = `Stratus recovery codes for ${email}\nEach code signs you in once, instead of a code from your authenticator app.\n\n${listed}\n`;
    const url = URL.createObjectURL(new Blob([file], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'stratus-recovery-codes.txt';
    link.click();
    // Revoked later, not at once: the browser reads the Blob after this click returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setSaid('Downloaded stratus-recovery-codes.txt');
  };

  return (
    <div className="recovery">
      <h3 ref={heading} tabIndex={-1}>
        Your recovery codes
      </h3>
      <p className="warning">
        Save these codes somewhere safe <strong>now: they will not be shown again.</strong> If you lose your phone, each
        code signs you in once instead of an authenticator code.
      </p>
      <ol className="codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="secondary" onClick={download}>
          Download .txt
        </button>
        <button type="button" onClick={onDone}>
          I saved them
        </button>
      </div>
      <p role="status">{said}</p>
    </div>
  );
}

function TurnOffMfa({ onOff }: { onOff: () => void }) {
  const turnOff = async (data: FormData) => {
    await session.call<Message>('/v1/auth/mfa/disable', {
      method: 'POST',
      body: { code: normalizeMfaCode(text(data, 'code')) },
    });
    onOff();
  };
  return (
    <>
      <p>
        Two-step sign-in is <strong>on</strong>: signing in asks for a code from your authenticator app (or a recovery
        code).
      </p>
      <Form label="Turn off two-step sign-in" submit="Turn off" onSubmit={turnOff}>
        <Field label="Code from your authenticator app, or a recovery code" name="code" autoComplete="one-time-code" />
      </Form>
    </>
  );
}
