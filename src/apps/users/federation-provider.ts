/**
 * What federated sign-in needs of a protocol (OpenID Connect, SAML 2.0): where to send the
 * browser to start, and the identity the provider's answer proves, once every check passed.
 * The flow around it (state, the browser binding, one use, the linking rule) is the same for
 * every protocol and lives in `federation.ts`.
 */
import { z } from 'zod';
import type { ExternalIdentity } from '../../platform/identity.ts';

export interface ProviderClient {
  /**
   * The answer comes back as a form the provider's own site posts (SAML), not a redirect: the
   * flow's cookie must then be SameSite=None, since browsers keep Lax cookies off such posts.
   */
  readonly answersByCrossSitePost: boolean;
  /**
   * The provider's sign-in URL for a new flow named by `state` (which comes back with the
   * answer), and what to keep server-side with the flow until the answer comes.
   */
  begin(state: string): Promise<{ url: string; keep: Record<string, string> }>;
  /**
   * The identity the answer proves. Throws `ProviderRefused` when the provider says it did not
   * sign the user in (cancelled, not allowed), and any other error when a check fails.
   */
  identity(answer: URLSearchParams, state: string, kept: Record<string, string>): Promise<ExternalIdentity>;
}

export function isLoopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** A provider's URL: https, or plain http on this machine only (for tests). */
export const providerUrl = () =>
  z
    .url({ protocol: /^https?$/ })
    .refine(
      (url) => url.startsWith('https:') || isLoopback(url),
      'must be https (plain http only on 127.0.0.1 or localhost, for tests)',
    );

/** The provider answered that it did not sign the user in; `reason` is its own word for why. */
export class ProviderRefused extends Error {
  constructor(readonly reason: string) {
    super(`the provider did not sign the user in: ${reason}`);
  }
}
