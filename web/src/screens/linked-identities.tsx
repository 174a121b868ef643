// The "Linked sign-ins" section of the account settings: the outside identities (Continue with …)
// that sign in to this account, each with an Unlink button asked twice (confirm.tsx). The list
// shown is always the API's: the unlink answer is the identities left. Refusals are shown in the
// API's words, notably that the last way to sign in cannot be removed before a password is set.
// Providers appear by their names from /v1/auth/providers, by their ids when no longer configured.
import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { Confirm } from '../confirm.tsx';
import { session } from '../session.ts';
import { Section } from './settings-parts.tsx';
import { useProviders } from './sign-in-providers.tsx';
import './linked-identities.css';

interface LinkedIdentity {
  provider: string;
  email?: string;
  linkedAt: string;
}

interface LinkedIdentities {
  identities: LinkedIdentity[];
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function LinkedIdentitiesSection() {
  const providers = useProviders();
  const [identities, setIdentities] = useState<LinkedIdentity[]>();
  const [error, setError] = useState<string>();
  const [said, setSaid] = useState<string>();

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(undefined);
    try {
      setIdentities((await session.call<LinkedIdentities>('/v1/me/identities', signal ? { signal } : {})).identities);
    } catch (caught) {
      if ((caught as Error).name !== 'AbortError') setError(errorText(caught));
    }
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    return () => abort.abort();
  }, [load]);

  const nameOf = (id: string) => providers.find((provider) => provider.id === id)?.name ?? id;

  return (
    <Section title="Linked sign-ins">
      <div className="linked-identities" aria-busy={!identities && !error}>
        <p className="hint">Outside accounts that sign you in here with Continue with … on the sign-in page.</p>
        {error && (
          <>
            <p role="alert" className="error">
              {error}
            </p>
            <div className="actions">
              <button type="button" className="secondary" onClick={() => void load()}>
                Try again
              </button>
            </div>
          </>
        )}
        {!identities && !error && <p className="empty">Loading…</p>}
        {identities?.length === 0 && <p className="empty">No outside sign-ins are linked.</p>}
        {identities && identities.length > 0 && (
          <ul className="rows" aria-label="Linked sign-ins">
            {identities.map((identity) => (
              <IdentityRow
                key={identity.provider}
                identity={identity}
                name={nameOf(identity.provider)}
                onUnlinked={(left) => {
                  setIdentities(left);
                  setSaid(`${nameOf(identity.provider)} is unlinked`);
                }}
              />
            ))}
          </ul>
        )}
        <p role="status" className="saved">
          {said}
        </p>
      </div>
    </Section>
  );
}

function IdentityRow({
  identity,
  name,
  onUnlinked,
}: {
  identity: LinkedIdentity;
  name: string;
  onUnlinked: (left: LinkedIdentity[]) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const unlink = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { identities } = await session.call<LinkedIdentities>(
        `/v1/me/identities/${encodeURIComponent(identity.provider)}`,
        { method: 'DELETE' },
      );
      onUnlinked(identities);
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  return (
    <li>
      <div className="identity">
        <strong>{name}</strong>
        {identity.email && <span>{identity.email}</span>}
        <span className="hint">
          Linked <time dateTime={identity.linkedAt}>{dateFormat.format(new Date(identity.linkedAt))}</time>
        </span>
      </div>
      {confirming ? (
        <Confirm
          question={`Unlink ${name}? Continue with ${name} will no longer sign you in to this account.`}
          confirm="Yes, unlink"
          busyLabel="Unlinking…"
          busy={busy}
          onConfirm={() => void unlink()}
          onCancel={() => {
            setConfirming(false);
            setError(undefined);
          }}
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
            aria-label={`Unlink ${name}`}
            onClick={() => setConfirming(true)}
          >
            Unlink
          </button>
        </div>
      )}
    </li>
  );
}
