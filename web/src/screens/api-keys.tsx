// The user's API keys: list them, create one (its secret is shown once, in a box with a Copy
// button, since the API stores only a hash and cannot show it again), and revoke one after a
// confirmation. Revoked keys stay listed for a while, as the API keeps them, marked as revoked.
// The styles are in api-keys.css, scoped under `.api-keys`; buttons, action rows and the
// confirmation share their look with the other screens through styles.css.
import './api-keys.css';
import { useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Field, Form, text } from '../form.tsx';
import { dateTimeFormat } from '../format.ts';
import { ShowMore, usePages } from '../pages.tsx';
import { session } from '../session.ts';

interface ApiKey {
  id: string;
  name: string;
  plan: string;
  /** The start of the key, to tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

interface CreatedApiKey extends Omit<ApiKey, 'lastUsedAt' | 'revokedAt'> {
  /** The secret: in the create answer only. */
  key: string;
}

const PLANS = [
  { name: 'basic', label: 'Basic' },
  { name: 'pro', label: 'Pro' },
] as const;
const PAGE = 50;

function When({ iso }: { iso: string }) {
  return <time dateTime={iso}>{dateTimeFormat.format(new Date(iso))}</time>;
}

export function ApiKeys() {
  const keys = useKeys();
  const [created, setCreated] = useState<CreatedApiKey>();
  const [status, setStatus] = useState<string>();
  // A new Form after each key, so the name field starts empty again.
  const [formVersion, setFormVersion] = useState(0);

  return (
    <main className="api-keys">
      <h1>API keys</h1>
      <p className="intro">
        An API key lets your own scripts and tools call the Stratus API on your account. Send it in the{' '}
        <code>x-api-key</code> header along with your access token; requests made with it count against its plan's
        limits, not your account's.
      </p>
      {created && <NewSecret created={created} onDone={() => setCreated(undefined)} />}
      <Form
        key={formVersion}
        label="Create an API key"
        submit="Create key"
        onSubmit={async (data) => {
          const key = await session.call<CreatedApiKey>('/v1/api-keys', {
            method: 'POST',
            body: { name: text(data, 'name'), plan: text(data, 'plan') },
          });
          setCreated(key);
          setStatus(undefined);
          setFormVersion((version) => version + 1);
          await keys.load();
        }}
      >
        <h2>Create an API key</h2>
        <Field label="Name (what it is for)" name="name" autoComplete="off" />
        <PlanChoice />
      </Form>
      <h2>Your keys</h2>
      <p role="alert" className="error">
        {keys.error}
      </p>
      <p role="status" className="status">
        {status}
      </p>
      <ul className="rows keys" aria-label="Your API keys" aria-busy={keys.loading}>
        {keys.items.map((key) => (
          <KeyRow
            key={key.id}
            apiKey={key}
            onRevoked={async () => {
              setStatus(`Revoked ${key.name}: it no longer works`);
              await keys.load();
            }}
          />
        ))}
      </ul>
      {keys.loading && keys.items.length === 0 && <p className="empty">Loading…</p>}
      {!keys.loading && keys.items.length === 0 && !keys.error && (
        <p className="empty">
          No API keys yet. Create one above for each script or tool, so you can revoke one without stopping the others.
        </p>
      )}
      <ShowMore pages={keys} className="link" />
    </main>
  );
}

function useKeys() {
  return usePages<ApiKey>(`/v1/api-keys?limit=${PAGE}`);
}

function PlanChoice() {
  return (
    <fieldset className="plans">
      <legend>Plan</legend>
      {PLANS.map((plan) => (
        <label key={plan.name}>
          <input type="radio" name="plan" value={plan.name} defaultChecked={plan.name === 'basic'} />
          {plan.label}
        </label>
      ))}
    </fieldset>
  );
}

/** The secret, once: read-only but selectable, wrapped so all of it shows on a phone, with Copy, and a warning that it will not come back. */
function NewSecret({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const field = useRef<HTMLTextAreaElement>(null);
  const headingId = useId();
  const inputId = useId();
  useEffect(() => field.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('Copied to the clipboard');
    } catch {
      // No clipboard (permission refused, or not a secure page): leave it selected to copy by hand.
      field.current?.select();
      setCopied('Copying was not allowed here: the key is selected, copy it yourself');
    }
  };

  return (
    <section className="secret" aria-labelledby={headingId}>
      <h2 id={headingId}>Your new key “{created.name}”</h2>
      <p className="warning">Copy it now: you will not see it again. Stratus keeps only a fingerprint of it.</p>
      <label className="field" htmlFor={inputId}>
        <span>Secret key</span>
        <textarea
          id={inputId}
          ref={field}
          readOnly
          rows={2}
          value={created.key}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
      </label>
      <div className="secret-actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I have saved it
        </button>
        <span role="status">{copied}</span>
      </div>
    </section>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const revoked = apiKey.revokedAt !== undefined;
  return (
    <li className={revoked ? 'revoked' : undefined}>
      <div className="key-title">
        <span>{apiKey.name}</span>
        <span className="badge">{apiKey.plan}</span>
        {revoked && <span className="badge">Revoked</span>}
      </div>
      <dl className="key-facts">
        <dt>Starts with</dt>
        <dd>
          <code>{apiKey.prefix}…</code>
        </dd>
        <dt>Created</dt>
        <dd>
          <When iso={apiKey.createdAt} />
        </dd>
        <dt>Last used</dt>
        <dd>{apiKey.lastUsedAt ? <When iso={apiKey.lastUsedAt} /> : 'Never'}</dd>
        {apiKey.revokedAt && (
          <>
            <dt>Revoked</dt>
            <dd>
              <When iso={apiKey.revokedAt} />
            </dd>
          </>
        )}
      </dl>
      {!revoked &&
        (confirming ? (
          <ConfirmRevoke apiKey={apiKey} onCancel={() => setConfirming(false)} onRevoked={onRevoked} />
        ) : (
          <div className="actions">
            <button
              type="button"
              className="secondary danger"
              aria-label={`Revoke ${apiKey.name}`}
              onClick={() => setConfirming(true)}
            >
              Revoke
            </button>
          </div>
        ))}
    </li>
  );
}

function ConfirmRevoke({
  apiKey,
  onCancel,
  onRevoked,
}: {
  apiKey: ApiKey;
  onCancel: () => void;
  onRevoked: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await session.call(`/v1/api-keys/${encodeURIComponent(apiKey.id)}`, { method: 'DELETE' });
      await onRevoked();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };
  return (
    <Confirm
      question={`Revoke “${apiKey.name}”? Scripts using it stop working at once. This cannot be undone.`}
      confirm="Yes, revoke"
      busyLabel="Revoking…"
      busy={busy}
      onConfirm={() => void revoke()}
      onCancel={onCancel}
    >
      <p role="alert" className="error">
        {error}
      </p>
    </Confirm>
  );
}
