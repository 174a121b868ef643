// The signed-in session: the access token lives in memory only; the refresh token is kept in
// localStorage so a reload stays signed in, and is swapped for new tokens a minute before the
// access token expires. A refused refresh ends the session with a message for the sign-in page.
// Without a connection, a stored refresh token still opens the app, offline: screens show what
// this device kept, and the session is refreshed as soon as the connection returns.
import { ApiError, offlineError, request, type Tokens } from './api.ts';
import { forgetOfflineData } from './offline.ts';

const REFRESH_KEY = 'stratus.refreshToken';
const EARLY_MS = 60_000;
const RETRY_MS = 15_000;

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut'; message?: string }
  | { status: 'signedIn'; offline?: boolean };

type Listener = (state: SessionState) => void;

class Session {
  private accessToken: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | undefined;
  private listeners = new Set<Listener>();
  state: SessionState = { status: 'loading' };

  constructor() {
    addEventListener('online', () => {
      if (this.state.status === 'signedIn' && this.state.offline) void this.refresh();
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On start: a stored refresh token signs the user back in. */
  async resume(): Promise<void> {
    if (!localStorage.getItem(REFRESH_KEY)) return this.set({ status: 'signedOut' });
    await this.refresh();
  }

  signedIn(tokens: Tokens): void {
    this.accessToken = tokens.accessToken;
    localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    this.schedule(Math.max(5_000, tokens.expiresIn * 1000 - EARLY_MS));
    this.set({ status: 'signedIn' });
  }

  signOut(message?: string): void {
    this.accessToken = undefined;
    clearTimeout(this.timer);
    localStorage.removeItem(REFRESH_KEY);
    void forgetOfflineData();
    this.set(message === undefined ? { status: 'signedOut' } : { status: 'signedOut', message });
  }

  /**
   * A call as the signed-in user. Offline, the session is refreshed first (or the call fails as
   * offline); a 401 (the session was ended elsewhere) signs out here too.
   */
  async call<T>(path: string, options: Parameters<typeof request>[1] = {}): Promise<T> {
    if (this.state.status === 'signedIn' && this.state.offline) await this.refresh();
    if (!this.accessToken) throw offlineError();
    try {
      return await request<T>(path, { ...options, token: this.accessToken });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.signOut('Your session has ended: sign in again');
      throw error;
    }
  }

  /**
   * The access token itself, for connections that cannot go through `call`: the GraphQL
   * WebSocket sends it in its first message, because browsers cannot set headers on one.
   */
  async currentToken(): Promise<string> {
    if (this.state.status === 'signedIn' && this.state.offline) await this.refresh();
    if (!this.accessToken) throw offlineError();
    return this.accessToken;
  }

  /**
   * The groups the current access token names (`cognito:groups`, e.g. `admins`). Only for showing
   * or hiding links: the API decides access on every request.
   */
  groups(): string[] {
    const payload = this.accessToken?.split('.')[1];
    if (!payload) return [];
    try {
      const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
      const groups = claims['cognito:groups'];
      return Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
    } catch {
      return [];
    }
  }

  /** One refresh at a time: a second caller waits for the one under way. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.tryRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async tryRefresh(): Promise<void> {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return this.signOut();
    try {
      this.signedIn(await request<Tokens>('/v1/auth/refresh', { method: 'POST', body: { refreshToken } }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) {
        // Offline: keep the refresh token, open the app on what this device kept, try again later.
        this.schedule(RETRY_MS);
        if (this.state.status !== 'signedIn' || !this.state.offline) this.set({ status: 'signedIn', offline: true });
        return;
      }
      this.signOut('Your session has ended: sign in again');
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

export const session = new Session();
