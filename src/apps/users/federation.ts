/**
 * Signing in with an outside provider: OpenID Connect (Google, Apple, a company's SSO, ...;
 * `federation-oidc.ts`) or SAML 2.0 (`federation-saml.ts`). Each flow is kept server-side for
 * 10 minutes, used once, and bound to the browser that started it by a cookie, so nobody can
 * finish a flow in someone else's browser (login CSRF).
 *
 * What the provider vouches for becomes a Stratus session by one rule: an identity already
 * linked signs in to its account; a new verified email gets a new account; a verified email that
 * an account already uses is linked only once that account's owner signs in to it and claims
 * the link, so nobody takes an account over by setting up a provider with someone's address.
 * The browser gets a one-time code (2 minutes) in the URL fragment, never tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import type { ExternalIdentity, Federation, LinkedIdentity, SignInResult } from '../../platform/identity.ts';
import { ConditionFailedError, type Item, type Table, when } from '../../platform/table.ts';
import { OidcClient, type OidcProvider, OidcProviderSettings } from './federation-oidc.ts';
import { type ProviderClient, ProviderRefused } from './federation-provider.ts';
import { SamlClient, type SamlProvider, SamlProviderSettings } from './federation-saml.ts';

/** One provider of the registry (`FEDERATION_PROVIDERS`), of either protocol. */
export type FederationProvider = OidcProvider | SamlProvider;

const FLOW_SECONDS = 600;
const CODE_SECONDS = 120;
const LINK_SECONDS = 900;
export const BINDING_COOKIE = 'stratus_federation';

const ProviderSettings = z.preprocess(
  // A provider without `protocol` is OpenID Connect, as every provider was before SAML.
  (value) => (value && typeof value === 'object' && !('protocol' in value) ? { ...value, protocol: 'oidc' } : value),
  z.discriminatedUnion('protocol', [OidcProviderSettings, SamlProviderSettings]).and(
    z.object({
      id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'id: lowercase letters, digits and dashes, e.g. google'),
      name: z.string().min(1).max(40),
    }),
  ),
);

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
      .array(ProviderSettings)
      .refine((providers) => new Set(providers.map((p) => p.id)).size === providers.length, 'ids must be unique'),
  );

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
  private readonly clients: Map<string, ProviderClient>;

  constructor(
    private readonly providers: FederationProvider[],
    private readonly federation: Federation,
    private readonly table: Table,
    private readonly clock: Clock,
    /** The API's public base URL: the providers send the browser back to it. */
    private readonly apiUrl: string,
    private readonly onError: (error: unknown, provider: string) => void,
  ) {
    // Where each sends the browser back: `…/<id>/callback` for OpenID Connect; for SAML the
    // assertion consumer service, `…/acs/<id>`, with the metadata URL as this service's entity id.
    this.clients = new Map(
      providers.map((p) => [
        p.id,
        p.protocol === 'saml'
          ? new SamlClient(
              p,
              this.url(`/v1/auth/federated/acs/${p.id}`),
              this.url(`/v1/auth/federated/${p.id}/metadata`),
              FLOW_SECONDS,
            )
          : new OidcClient(p, this.url(`/v1/auth/federated/${p.id}/callback`), clock),
      ]),
    );
  }

  list(): { id: string; name: string }[] {
    return this.providers.map(({ id, name }) => ({ id, name }));
  }

  /** A URL of this API: providers send the browser back to one. */
  private url(path: string): string {
    return `${this.apiUrl.replace(/\/+$/, '')}${path}`;
  }

  /** A SAML provider's service-provider metadata; undefined for other providers. */
  async samlMetadata(providerId: string): Promise<string | undefined> {
    const client = this.clients.get(providerId);
    return client instanceof SamlClient ? client.metadata() : undefined;
  }

  /**
   * A new flow: where to send the browser, and the cookie value that binds the flow to it.
   * `crossSitePost`: the answer comes as a cross-site form post, so the cookie must be SameSite=None.
   */
  async start(providerId: string): Promise<{ redirectTo: string; binding: string; crossSitePost: boolean }> {
    const provider = this.provider(providerId);
    const client = this.clients.get(provider.id) as ProviderClient;
    const state = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const { url, keep } = await client.begin(state);
    await this.table.put({
      ...flowKey(state),
      provider: provider.id,
      kept: keep,
      binding: hash(binding),
      ttl: epochSeconds(this.clock) + FLOW_SECONDS,
    });
    return { redirectTo: url, binding, crossSitePost: client.answersByCrossSitePost };
  }

  /**
   * The provider sent the browser back with `answer` (the query, or a SAML form post). Every
   * failure is an outcome with a message, never an exception: the browser is in the middle of a
   * redirect and must land on a page that says it.
   */
  async finish(providerId: string, answer: URLSearchParams, binding: string | undefined): Promise<FederationOutcome> {
    const provider = this.providers.find((p) => p.id === providerId);
    const client = this.clients.get(providerId);
    // OpenID Connect names the flow `state`; SAML, `RelayState`.
    const state = answer.get('state') ?? answer.get('RelayState');
    if (!provider || !client || !state) return { error: 'This sign-in link is not valid: start again' };
    const flow = await this.take(flowKey(state));
    if (!flow || flow.provider !== provider.id) {
      return { error: 'This sign-in has expired or was already used: start again' };
    }
    if (!binding || hash(binding) !== flow.binding) {
      return { error: 'This sign-in was started in another browser: start it again here' };
    }
    let identity: ExternalIdentity;
    try {
      identity = await client.identity(answer, state, flow.kept as Record<string, string>);
    } catch (error) {
      if (error instanceof ProviderRefused) {
        return { error: `${provider.name} did not sign you in (${error.reason}): try again` };
      }
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
