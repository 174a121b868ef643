/**
 * The SAML 2.0 side of federated sign-in, for company identity providers (Okta, Entra ID,
 * ADFS, Keycloak, ...), through node-saml: an AuthnRequest over the HTTP-Redirect binding, and
 * the provider's signed answer posted back to the assertion consumer service (the callback).
 *
 * node-saml checks the assertion's signature against the configured certificate only (never a
 * key the message carries), the audience (this service provider), the validity window and the
 * subject confirmation; the issuer is checked here. The answer must be to the request this flow sent
 * (`InResponseTo`): unsolicited, IdP-initiated answers are refused, as a replayed one is (the
 * flow is used once).
 */

import { randomBytes } from 'node:crypto';
import type { Profile, SAML, SamlConfig } from '@node-saml/node-saml';
import { z } from 'zod';
import type { ExternalIdentity } from '../../platform/identity.ts';
import { type ProviderClient, ProviderRefused, providerUrl } from './federation-provider.ts';

export const SamlProviderSettings = z.object({
  protocol: z.literal('saml'),
  /** The provider's single sign-on URL (HTTP-Redirect binding), from its metadata. */
  entryPoint: providerUrl(),
  /** The provider's entity id: its answers must be issued by it. */
  idpIssuer: z.string().min(1),
  /** The provider's signing certificate (PEM, or its base64 body): the only key trusted. */
  idpCert: z.string().min(64, 'the provider’s signing certificate, PEM or base64'),
  /** The attribute with the user's email; by default the usual names (`email`, `mail`, ...). */
  emailAttribute: z.string().min(1).optional(),
  nameAttribute: z.string().min(1).optional(),
  /**
   * Whether the provider's email addresses are verified. A company directory's are: it issues
   * them. SAML has no `email_verified`, so this says it; without it no account can be made from
   * this provider (an existing one is still linked only after its owner signs in).
   */
  trustEmail: z.boolean().default(true),
});

export type SamlProvider = z.infer<typeof SamlProviderSettings> & { id: string; name: string };

const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const NAME_ATTRIBUTES = [
  'displayName',
  'name',
  'urn:oid:2.16.840.1.113730.3.1.241',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const TRANSIENT_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
/**
 * node-saml and its XML stack, loaded on a SAML provider's first use: every Lambda function
 * composes every app, and these would add ~560 KB to each one's cold start (scripts/bundle.ts).
 */
let loaded: Promise<typeof import('@node-saml/node-saml')> | undefined;
const samlLibrary = () => {
  loaded ??= import('@node-saml/node-saml');
  return loaded;
};

/** Clocks differ a little between the provider and here. */
const CLOCK_SKEW_MS = 60_000;

export class SamlClient implements ProviderClient {
  readonly answersByCrossSitePost = true;
  constructor(
    private readonly provider: SamlProvider,
    private readonly callbackUrl: string,
    /** This service provider's entity id: the audience the provider's answers must name. */
    private readonly entityId: string,
    private readonly flowSeconds: number,
  ) {}

  async begin(state: string): Promise<{ url: string; keep: Record<string, string> }> {
    const keep = { requestId: `_${randomBytes(20).toString('hex')}`, requestedAt: new Date().toISOString() };
    return { url: await (await this.saml(keep)).getAuthorizeUrlAsync(state, undefined, {}), keep };
  }

  async identity(answer: URLSearchParams, _state: string, kept: Record<string, string>): Promise<ExternalIdentity> {
    const SAMLResponse = answer.get('SAMLResponse');
    if (!SAMLResponse) throw new Error('no SAMLResponse');
    const { SamlStatusError } = await samlLibrary();
    const { profile } = await (await this.saml(kept))
      .validatePostResponseAsync({ SAMLResponse })
      .catch((error: unknown) => {
        // A provider that did not sign the user in answers with a status other than Success.
        throw error instanceof SamlStatusError ? new ProviderRefused(statusName(error.xmlStatus)) : error;
      });
    if (!profile) throw new Error('a logout response, not a sign-in');
    // node-saml checks the issuer of logout messages only: the assertion's is checked here.
    if (profile.issuer !== this.provider.idpIssuer) {
      throw new Error(`the assertion was issued by ${profile.issuer}, not ${this.provider.idpIssuer}`);
    }
    if (profile.nameIDFormat === TRANSIENT_FORMAT) {
      // A transient NameID changes at every sign-in: it could never find the linked account again.
      throw new Error('the provider sent a transient NameID: configure a persistent one');
    }
    const email =
      attribute(profile, this.provider.emailAttribute, EMAIL_ATTRIBUTES) ??
      (profile.nameIDFormat === EMAIL_FORMAT ? profile.nameID : undefined);
    const name = attribute(profile, this.provider.nameAttribute, NAME_ATTRIBUTES);
    return {
      provider: this.provider.id,
      subject: profile.nameID,
      ...(email ? { email } : {}),
      emailVerified: this.provider.trustEmail && email !== undefined,
      ...(name ? { name } : {}),
    };
  }

  /** The service provider's metadata, for the provider's administrator to import. */
  async metadata(): Promise<string> {
    return (await this.saml({ requestId: '', requestedAt: '' })).generateServiceProviderMetadata(null);
  }

  /** node-saml for one flow: its cache knows only this flow's request, so only an answer to it passes. */
  private async saml(flow: Record<string, string>): Promise<SAML> {
    const { SAML, ValidateInResponseTo } = await samlLibrary();
    const config: SamlConfig = {
      entryPoint: this.provider.entryPoint,
      issuer: this.entityId,
      audience: this.entityId,
      callbackUrl: this.callbackUrl,
      idpCert: this.provider.idpCert,
      idpIssuer: this.provider.idpIssuer,
      wantAssertionsSigned: true,
      // Most providers sign the assertion only; its signature is the one that vouches for the user.
      wantAuthnResponseSigned: false,
      // No NameIDPolicy and no authentication context: the provider picks (MFA, Kerberos, ...).
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      signatureAlgorithm: 'sha256',
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.flowSeconds * 1000,
      generateUniqueId: () => flow.requestId as string,
      cacheProvider: {
        saveAsync: async () => null,
        getAsync: async (key) => (key === flow.requestId ? (flow.requestedAt as string) : null),
        removeAsync: async () => null,
      },
    };
    return new SAML(config);
  }
}

/** The first non-empty value of the configured attribute, or else of the usual names. */
function attribute(profile: Profile, configured: string | undefined, defaults: string[]): string | undefined {
  for (const name of configured ? [configured] : defaults) {
    const value = profile[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first.trim()) return first.trim();
  }
  return undefined;
}

/**
 * The most specific status code of a Status element, by its last name: `AuthnFailed` for
 * `<StatusCode Value="…:Responder"><StatusCode Value="…:AuthnFailed"/></StatusCode>`.
 */
function statusName(statusXml: string): string {
  const codes = [...statusXml.matchAll(/StatusCode\b[^>]*\bValue="([^"]+)"/g)].map((match) => match[1] as string);
  return codes.at(-1)?.split(':').at(-1) || 'no reason given';
}
