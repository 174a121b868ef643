/**
 * Signing in with an outside OpenID Connect provider (Google, Apple, a company's SSO, ...):
 * the authorization code flow with PKCE, `state` and `nonce`, run by openid-client, which checks
 * the provider's ID token (issuer, audience, signature against the provider's published keys,
 * nonce, expiry; the signature even where the spec would let TLS stand in for it). Each flow is kept server-side for 10 minutes, used once, and bound to the
 * browser that started it by a cookie, so nobody can finish a flow in someone else's browser
 * (login CSRF).
 *
 * What the provider vouches for becomes a Stratus session by one rule: an identity already
 * linked signs in to its account; a new verified email gets a new account; a verified email that
 * an account already uses is linked only once that account's owner signs in to it and claims
 * the link, so nobody takes an account over by setting up a provider with someone's address.
 * The browser gets a one-time code (2 minutes) in the URL fragment, never tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import type { ExternalIdentity, Federation, LinkedIdentity, SignInResult } from '../../platform/identity.ts';
import { ConditionFailedError, type Item, type Table, when } from '../../platform/table.ts';

/** One provider of the registry (`FEDERATION_PROVIDERS`). */
export interface FederationProvider {
  /** In URLs: `/v1/auth/federated/<id>/start`. */
  id: string;
  /** On the button: "Continue with <name>". */
  name: string;
  /** The OpenID Connect issuer; its discovery document names every endpoint. */
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string;
}

const FLOW_SECONDS = 600;
const CODE_SECONDS = 120;
const LINK_SECONDS = 900;
export const BINDING_COOKIE = 'stratus_federation';

/** The registry as `FEDERATION_PROVIDERS` gives it: a JSON array. */
export const FederationProviders = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(
        z.object({
          id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'id: lowercase letters, digits and dashes, e.g. google'),
          name: z.string().min(1).max(40),
          issuer: z
            .url({ protocol: /^https?$/ })
            .refine(
              (issuer) => issuer.startsWith('https:') || isLoopback(issuer),
              'issuer: must be https (plain http only on 127.0.0.1 or localhost, for tests)',
            ),
          clientId: z.string().min(1),
          clientSecret: z.string().min(1).optional(),
          scopes: z.string().default('openid email profile'),
        }),
      )
      .refine((providers) => new Set(providers.map((p) => p.id)).size === providers.length, 'ids must be unique'),
  );

function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const flowKey = (state: string) => ({ PK: `FEDFLOW#${hash(state)}`, SK: 'FLOW' });
const codeKey = (code: string) => ({ PK: `FEDCODE#${hash(code)}`, SK: 'CODE' });
const linkKey = (token: string) => ({ PK: `FEDLINK#${hash(token)}`, SK: 'LINK' });

/** Where the browser goes when the provider's part is over: the web app, with a fragment. */
export type FederationOutcome =
  | { signInCode: string }
  | { linkToken: string; provider: string; email: string }
  | { error: string };

export class FederationService {
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();
  private jwks = new Map<string, oidc.ExportedJWKSCache>();

  constructor(
    private readonly providers: FederationProvider[],
    private readonly federation: Federation,
    private readonly table: Table,
    private readonly clock: Clock,
    /** The API's public base URL: the providers send the browser back to it. */
    private readonly apiUrl: string,
    private readonly onError: (error: unknown, provider: string) => void,
  ) {}

  list(): { id: string; name: string }[] {
    return this.providers.map(({ id, name }) => ({ id, name }));
  }

  callbackUrl(providerId: string): string {
    return `${this.apiUrl.replace(/\/+$/, '')}/v1/auth/federated/${providerId}/callback`;
  }

  /** A new flow: where to send the browser, and the cookie value that binds the flow to it. */
  async start(providerId: string): Promise<{ redirectTo: string; binding: string }> {
    const provider = this.provider(providerId);
    const config = await this.configuration(provider);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const verifier = oidc.randomPKCECodeVerifier();
    const binding = randomBytes(32).toString('base64url');
    await this.table.put({
      ...flowKey(state),
      provider: provider.id,
      nonce,
      verifier,
      binding: hash(binding),
      ttl: epochSeconds(this.clock) + FLOW_SECONDS,
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl(provider.id),
      scope: provider.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { redirectTo: url.href, binding };
  }

  /**
   * The provider sent the browser back. Every failure is an outcome with a message, never an
   * exception: the browser is in the middle of a redirect and must land on a page that says it.
   */
  async finish(providerId: string, callback: URL, binding: string | undefined): Promise<FederationOutcome> {
    const provider = this.providers.find((p) => p.id === providerId);
    const state = callback.searchParams.get('state');
    if (!provider || !state) return { error: 'This sign-in link is not valid: start again' };
    const flow = await this.take(flowKey(state));
    if (!flow || flow.provider !== provider.id) {
      return { error: 'This sign-in has expired or was already used: start again' };
    }
    if (!binding || hash(binding) !== flow.binding) {
      return { error: 'This sign-in was started in another browser: start it again here' };
    }
    const refused = callback.searchParams.get('error');
    if (refused) return { error: `${provider.name} did not sign you in (${refused}): try again` };
    let identity: ExternalIdentity;
    try {
      identity = await this.identityFrom(provider, callback, state, flow);
    } catch (error) {
      this.onError(error, provider.id);
      return { error: `${provider.name}'s answer could not be trusted, so you are not signed in: try again` };
    }
    try {
      return await this.outcomeFor(provider, identity);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { error: error.detail };
      throw error;
    }
  }

  /** The one-time code from the fragment, for tokens (or the MFA challenge). */
  async complete(signInCode: string): Promise<SignInResult> {
    const code = await this.take(codeKey(signInCode));
    if (!code) throw badRequest('ExpiredCode', 'This sign-in code has expired or was already used: sign in again');
    return this.federation.signInLinked(code.sub as string);
  }

  /** The signed-in owner of the account with the identity's email takes the pending link. */
  async claimLink(sub: string, linkToken: string): Promise<LinkedIdentity[]> {
    const pending = await this.take(linkKey(linkToken));
    if (!pending)
      throw badRequest('ExpiredCode', 'This link has expired or was already used: sign in with the provider again');
    const identity = pending.identity as unknown as ExternalIdentity;
    if ((await this.federation.accountWithEmail(identity.email ?? '')) !== sub) {
      throw forbidden('Only the account with this email address can take this link: sign in to that account');
    }
    await this.federation.link(sub, identity);
    return this.federation.identities(sub);
  }

  identities(sub: string): Promise<LinkedIdentity[]> {
    return this.federation.identities(sub);
  }

  async unlink(sub: string, providerId: string): Promise<LinkedIdentity[]> {
    await this.federation.unlink(sub, providerId);
    return this.federation.identities(sub);
  }

  // ------------------------------------------------------------------ internals

  private provider(id: string): FederationProvider {
    const provider = this.providers.find((p) => p.id === id);
    if (!provider) throw notFound(`No sign-in provider is called "${id}"`);
    return provider;
  }

  /** The provider's discovery document, fetched once (and again after a failure). */
  private configuration(provider: FederationProvider): Promise<oidc.Configuration> {
    let config = this.discovered.get(provider.id);
    if (!config) {
      config = oidc
        .discovery(
          new URL(provider.issuer),
          provider.clientId,
          provider.clientSecret,
          undefined,
          isLoopback(provider.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.discovered.delete(provider.id);
          throw new AppError(502, 'ProviderUnavailable', `${provider.name} cannot be reached now: try again later`, {
            cause: error,
          });
        });
      this.discovered.set(provider.id, config);
    }
    return config;
  }

  /**
   * The code for tokens, and the ID token checked: issuer, audience, signature, nonce, expiry
   * (on this runtime's clock), with PKCE's verifier proving this server started the flow.
   */
  private async identityFrom(
    provider: FederationProvider,
    callback: URL,
    state: string,
    flow: Item,
  ): Promise<ExternalIdentity> {
    const discovered = await this.configuration(provider);
    const config = new oidc.Configuration(discovered.serverMetadata(), provider.clientId, {
      ...(provider.clientSecret ? { client_secret: provider.clientSecret } : {}),
      [oidc.clockSkew]: Math.round((this.clock.now() - Date.now()) / 1000),
    });
    if (isLoopback(provider.issuer)) oidc.allowInsecureRequests(config);
    // Check the ID token's signature too: TLS to the token endpoint would let the spec skip it,
    // but a signature is what proves the provider, not just its host, said this.
    oidc.enableNonRepudiationChecks(config);
    const cached = this.jwks.get(provider.id);
    if (cached) oidc.setJwksCache(config, cached);
    // The registered redirect URI with the provider's parameters (the request's own host may be a proxy's).
    const current = new URL(this.callbackUrl(provider.id));
    current.search = callback.search;
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier as string,
      expectedState: state,
      expectedNonce: flow.nonce as string,
      idTokenExpected: true,
    });
    const fresh = oidc.getJwksCache(config);
    if (fresh) this.jwks.set(provider.id, fresh);
    const idToken = tokens.claims();
    if (!idToken) throw new Error('no ID token');
    // Many providers put the profile in the ID token; the spec's code flow puts it behind the
    // userinfo endpoint, which answers for the same `sub` only.
    const claims =
      typeof idToken.email === 'string' || !config.serverMetadata().userinfo_endpoint
        ? idToken
        : { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), sub: idToken.sub };
    return {
      provider: provider.id,
      subject: idToken.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      emailVerified: claims.email_verified === true,
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    };
  }

  private async outcomeFor(provider: FederationProvider, identity: ExternalIdentity): Promise<FederationOutcome> {
    const linked = await this.federation.linkedAccount(identity.provider, identity.subject);
    if (linked) return { signInCode: await this.signInCode(linked) };
    if (!identity.email || !identity.emailVerified) {
      return {
        error: `${provider.name} did not share a verified email address, which a new account needs: verify it there, or sign in with your password`,
      };
    }
    if (await this.federation.accountWithEmail(identity.email)) {
      const linkToken = randomBytes(32).toString('base64url');
      await this.table.put({
        ...linkKey(linkToken),
        identity: { ...identity },
        ttl: epochSeconds(this.clock) + LINK_SECONDS,
      });
      return { linkToken, provider: provider.name, email: identity.email };
    }
    const name = identity.name?.trim() || identity.email.split('@')[0] || identity.email;
    const { sub } = await this.federation.createLinkedAccount({ ...identity, email: identity.email, name });
    return { signInCode: await this.signInCode(sub) };
  }

  private async signInCode(sub: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.table.put({ ...codeKey(code), sub, ttl: epochSeconds(this.clock) + CODE_SECONDS });
    return code;
  }

  /** Reads and deletes in one conditional delete: a second use finds nothing. Expired is absent. */
  private async take(key: { PK: string; SK: string }): Promise<Item | undefined> {
    try {
      const item = await this.table.delete(key, { condition: when.exists() });
      if (!item || (typeof item.ttl === 'number' && item.ttl <= epochSeconds(this.clock))) return undefined;
      return item;
    } catch (error) {
      if (error instanceof ConditionFailedError) return undefined;
      throw error;
    }
  }
}
