/**
 * The OpenID Connect side of federated sign-in: the authorization code flow with PKCE, `state`
 * and `nonce`, run by openid-client, which checks the provider's ID token (issuer, audience,
 * signature against the provider's published keys, nonce, expiry; the signature even where the
 * spec would let TLS stand in for it).
 */
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { ExternalIdentity } from '../../platform/identity.ts';
import { isLoopback, type ProviderClient, ProviderRefused, providerUrl } from './federation-provider.ts';

export const OidcProviderSettings = z.object({
  protocol: z.literal('oidc'),
  /** The OpenID Connect issuer; its discovery document names every endpoint. */
  issuer: providerUrl(),
  clientId: z.string().min(1),
  /** Absent for a public client (PKCE alone). */
  clientSecret: z.string().min(1).optional(),
  scopes: z.string().default('openid email profile'),
});

export type OidcProvider = z.infer<typeof OidcProviderSettings> & { id: string; name: string };

export class OidcClient implements ProviderClient {
  readonly answersByCrossSitePost = false;
  private discovered: Promise<oidc.Configuration> | undefined;
  private jwks: oidc.ExportedJWKSCache | undefined;

  constructor(
    private readonly provider: OidcProvider,
    private readonly callbackUrl: string,
    private readonly clock: Clock,
  ) {}

  async begin(state: string): Promise<{ url: string; keep: Record<string, string> }> {
    const config = await this.configuration();
    const nonce = oidc.randomNonce();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: this.provider.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, keep: { nonce, verifier } };
  }

  /**
   * The code for tokens, and the ID token checked: issuer, audience, signature, nonce, expiry
   * (on this runtime's clock), with PKCE's verifier proving this server started the flow.
   */
  async identity(answer: URLSearchParams, state: string, kept: Record<string, string>): Promise<ExternalIdentity> {
    const refused = answer.get('error');
    if (refused) throw new ProviderRefused(refused);
    const { provider } = this;
    const discovered = await this.configuration();
    const config = new oidc.Configuration(discovered.serverMetadata(), provider.clientId, {
      ...(provider.clientSecret ? { client_secret: provider.clientSecret } : {}),
      [oidc.clockSkew]: Math.round((this.clock.now() - Date.now()) / 1000),
    });
    if (isLoopback(provider.issuer)) oidc.allowInsecureRequests(config);
    // Check the ID token's signature too: TLS to the token endpoint would let the spec skip it,
    // but a signature is what proves the provider, not just its host, said this.
    oidc.enableNonRepudiationChecks(config);
    if (this.jwks) oidc.setJwksCache(config, this.jwks);
    // The registered redirect URI with the provider's parameters (the request's own host may be a proxy's).
    const current = new URL(this.callbackUrl);
    current.search = answer.toString();
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: kept.verifier as string,
      expectedState: state,
      expectedNonce: kept.nonce as string,
      idTokenExpected: true,
    });
    this.jwks = oidc.getJwksCache(config) ?? this.jwks;
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

  /** The provider's discovery document, fetched once (and again after a failure). */
  private configuration(): Promise<oidc.Configuration> {
    const { provider } = this;
    this.discovered ??= oidc
      .discovery(
        new URL(provider.issuer),
        provider.clientId,
        provider.clientSecret,
        undefined,
        isLoopback(provider.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw new AppError(502, 'ProviderUnavailable', `${provider.name} cannot be reached now: try again later`, {
          cause: error,
        });
      });
    return this.discovered;
  }
}
