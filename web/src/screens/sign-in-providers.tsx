// The outside sign-in providers ("Continue with …") as the sign-in, sign-up and account screens
// need them, and the one piece of state a federated sign-in carries across screens: a pending
// link. The provider list is fetched once per page load and shared, so moving between sign-in and
// sign-up neither asks again nor makes the page jump; a failed fetch shows no buttons (password
// sign-in still works) and is tried again on the next screen. A button is a top-level navigation
// to the API, never a fetch: the provider's pages and cookies need the whole browser window.
// The pending link's token lives in this tab's sessionStorage only, so it survives the sign-in
// steps (and a reload) but no other tab or a later visit; it is dropped once used, on failure, or
// when the API's 15 minutes for it are over.
import { useEffect, useState } from 'react';
import { request } from '../api.ts';
import './federated.css';

export interface SignInProvider {
  id: string;
  name: string;
  /** Relative to the API, e.g. `/v1/auth/federated/google/start`. */
  startUrl: string;
}

let known: SignInProvider[] | undefined;
let loading: Promise<SignInProvider[]> | undefined;

function loadProviders(): Promise<SignInProvider[]> {
  loading ??= request<{ providers: SignInProvider[] }>('/v1/auth/providers').then(
    ({ providers }) => {
      known = providers;
      return providers;
    },
    () => {
      loading = undefined; // offline or refused: no buttons now, another try on the next screen
      return [];
    },
  );
  return loading;
}

/** The configured providers: empty until they are known, and when there are none. */
export function useProviders(): SignInProvider[] {
  const [providers, setProviders] = useState<SignInProvider[]>(known ?? []);
  useEffect(() => {
    if (known) return;
    let live = true;
    void loadProviders().then((loaded) => live && setProviders(loaded));
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

/** The API's address as api.ts reads it (this origin on one machine, the deploy's on AWS). */
const API_BASE = (document.querySelector<HTMLMetaElement>('meta[name="stratus-api"]')?.content ?? '').replace(
  /\/$/,
  '',
);

/** One "Continue with …" button per provider, below a form, after an "or"; nothing without providers. */
export function ProviderButtons() {
  const providers = useProviders();
  if (providers.length === 0) return null;
  return (
    <div className="sign-in-providers">
      <p className="or">or</p>
      {providers.map((provider) => (
        <button
          key={provider.id}
          type="button"
          className="secondary"
          onClick={() => {
            location.href = provider.startUrl.startsWith('/') ? `${API_BASE}${provider.startUrl}` : provider.startUrl;
          }}
        >
          Continue with {provider.name}
        </button>
      ))}
    </div>
  );
}

/** An identity a provider vouched for, waiting for the owner of the account with its email to sign in. */
export interface PendingLink {
  token: string;
  /** The provider's name, for the sentences that mention it. */
  provider: string;
  email: string;
  /** When the API stops honouring the token (epoch ms). */
  expiresAt: number;
}

const PENDING_LINK_KEY = 'stratus.pendingLink';
const LINK_MS = 15 * 60_000;

export const pendingLink = {
  keep(link: Omit<PendingLink, 'expiresAt'>): void {
    sessionStorage.setItem(PENDING_LINK_KEY, JSON.stringify({ ...link, expiresAt: Date.now() + LINK_MS }));
  },
  read(): PendingLink | undefined {
    try {
      const link = JSON.parse(sessionStorage.getItem(PENDING_LINK_KEY) ?? 'null') as PendingLink | null;
      if (link && typeof link.token === 'string' && link.expiresAt > Date.now()) return link;
    } catch {
      // Not ours, or mangled: treated as absent, and removed below.
    }
    pendingLink.forget();
    return undefined;
  },
  forget(): void {
    sessionStorage.removeItem(PENDING_LINK_KEY);
  },
};

/** Where a finished sign-in goes: the federated page when it has a link to take, else the to-dos. */
export const afterSignInPath = (): string => (pendingLink.read() ? '/signin/federated' : '/');
