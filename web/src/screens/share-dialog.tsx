// Sharing a photo or an album: a modal dialog to make a read-only link (lasting for ever, or a
// day, a week or a month), shown with a Copy button, and the links already made, each with when
// it expires and Revoke. The API keeps the links; anyone holding one sees the gallery page
// (shared-gallery.tsx) without signing in, until it expires or is revoked. Styled by photos.css.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { Form, text } from '../form.tsx';
import { session } from '../session.ts';
import { useModal } from './lightbox.tsx';
import { formatWhen, type ShareKind, type ShareLink } from './photo-model.ts';

const DAY_MS = 24 * 3600 * 1000;
const EXPIRIES = [
  { value: 'never', label: 'Never', days: 0 },
  { value: '1', label: 'In 1 day', days: 1 },
  { value: '7', label: 'In 7 days', days: 7 },
  { value: '30', label: 'In 30 days', days: 30 },
] as const;

export function ShareDialog({
  kind,
  id,
  name,
  onClose,
}: {
  kind: ShareKind;
  id: string;
  /** What is shared, for the heading: `“Summer”` or `this photo`. */
  name: string;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useModal(dialog, closeButton);
  const headingId = useId();
  const links = useShareLinks(kind, id);
  const [created, setCreated] = useState<ShareLink>();

  return (
    <dialog
      ref={dialog}
      className="share-dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        if (event.target !== event.currentTarget) return;
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id={headingId}>Share {name}</h2>
        <button type="button" ref={closeButton} className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <p className="hint">Anyone with the link can see the photos, without signing in. They cannot change anything.</p>
      <Form
        label="New share link"
        submit="Create link"
        onSubmit={async (data) => {
          const days = EXPIRIES.find((expiry) => expiry.value === text(data, 'expiry'))?.days ?? 0;
          const expiresAt = days > 0 ? new Date(Date.now() + days * DAY_MS).toISOString() : undefined;
          const link = await session.call<ShareLink>('/v1/shares', {
            method: 'POST',
            body: { kind, id, ...(expiresAt ? { expiresAt } : {}) },
          });
          setCreated(link);
          await links.load();
        }}
      >
        <fieldset className="choices">
          <legend>Link expires</legend>
          {EXPIRIES.map((expiry) => (
            <label key={expiry.value}>
              <input type="radio" name="expiry" value={expiry.value} defaultChecked={expiry.days === 0} />
              {expiry.label}
            </label>
          ))}
        </fieldset>
      </Form>
      {created && <NewLink link={created} />}
      <h3>Links</h3>
      <p role="alert" className="error">
        {links.error}
      </p>
      <ul className="rows share-links" aria-label="Share links" aria-busy={links.loading}>
        {links.items.map((link) => (
          <LinkRow
            key={link.token}
            link={link}
            onRevoked={async () => {
              if (created?.token === link.token) setCreated(undefined);
              await links.load();
            }}
          />
        ))}
      </ul>
      {!links.loading && links.items.length === 0 && !links.error && <p className="empty">No links yet.</p>}
      {links.loading && links.items.length === 0 && <p className="empty">Loading…</p>}
    </dialog>
  );
}

function useShareLinks(kind: ShareKind, id: string) {
  const [items, setItems] = useState<ShareLink[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await session.call<{ items: ShareLink[] }>(`/v1/shares?${new URLSearchParams({ kind, id })}`);
      setItems(page.items);
      setError(undefined);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoading(false);
    }
  }, [kind, id]);
  useEffect(() => {
    void load();
  }, [load]);
  return { items, loading, error, load };
}

/** The link just made, selectable, with Copy (or selected for copying by hand where the clipboard is refused). */
function NewLink({ link }: { link: ShareLink }) {
  const field = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [copied, setCopied] = useState<string>();
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied('Copied');
    } catch {
      field.current?.select();
      setCopied('Copying was not allowed here: the link is selected, copy it yourself');
    }
  };
  return (
    <div className="new-link">
      <label className="field" htmlFor={inputId}>
        <span>Your new link</span>
      </label>
      <div className="copy-row">
        <input
          id={inputId}
          ref={field}
          type="url"
          readOnly
          value={link.url}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" className="status">
        {copied}
      </p>
    </div>
  );
}

function expiryText(link: ShareLink): string {
  if (link.expired) return 'Expired';
  return link.expiresAt ? `Expires ${formatWhen(link.expiresAt)}` : 'Never expires';
}

function LinkRow({ link, onRevoked }: { link: ShareLink; onRevoked: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const ending = link.token.slice(-6);
  const revoke = async () => {
    setBusy(true);
    try {
      await session.call(`/v1/shares/${encodeURIComponent(link.token)}`, { method: 'DELETE' });
      await onRevoked();
    } catch (caught) {
      setBusy(false);
      setError(errorText(caught));
    }
  };
  return (
    <li className={link.expired ? 'share-link expired' : 'share-link'}>
      <a href={link.url} target="_blank" rel="noreferrer" className="share-url">
        {link.url}
      </a>
      <span className="share-meta">
        {expiryText(link)} · made {formatWhen(link.createdAt)}
      </span>
      {asking ? (
        <Confirm
          question="Turn this link off? Anyone who has it will no longer see the photos."
          confirm="Yes, revoke"
          busyLabel="Revoking…"
          busy={busy}
          onConfirm={() => void revoke()}
          onCancel={() => setAsking(false)}
        >
          <p role="alert" className="error">
            {error}
          </p>
        </Confirm>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="secondary danger"
            aria-label={`Revoke the link ending ${ending}`}
            onClick={() => setAsking(true)}
          >
            Revoke
          </button>
        </div>
      )}
    </li>
  );
}
