/**
 * Federated sign-in over HTTP. Two routes are for the browser itself (`start` and `callback`:
 * top-level navigations, answered with redirects); the rest are JSON for the web app.
 *
 * The callback always lands the browser on the web app's `/signin/federated` page with the
 * outcome in the URL fragment (a one-time sign-in code, a pending link, or an error message):
 * fragments are not sent to servers or in Referer headers, and the page turns the code into
 * tokens with one POST.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/context.ts';
import { jsonBody, jsonResponse, problem, problems, router } from '../../http/openapi.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { BINDING_COOKIE, type FederationOutcome, type FederationService } from './federation.ts';
import { ChallengeSchema, TokensSchema } from './model.ts';

const tags = ['Accounts'];
const COOKIE_PATH = '/v1/auth/federated';
/** A signed SAML answer with a certificate and a few attributes is a few kB; this is generous. */
const SAML_RESPONSE_LIMIT = 256 * 1024;

const ProviderParam = z.object({
  provider: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a provider id: lowercase letters, digits and dashes'),
});
const IdentitiesSchema = z
  .object({
    identities: z.array(
      z.object({ provider: z.string(), email: z.string().optional(), linkedAt: z.string() }).openapi('LinkedIdentity'),
    ),
  })
  .openapi('LinkedIdentities');
const secret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the value from the sign-in page, unchanged');

export function federationRoutes(
  federation: FederationService,
  signedInChain: MiddlewareHandler<AppEnv>[],
  webUrl: string,
) {
  const app = router();
  const signedIn = { security: [{ Bearer: [] }], middleware: signedInChain };
  /** The web app's page for the outcome; every browser-facing failure lands there too. */
  const landing = (c: Context<AppEnv>, outcome: FederationOutcome) => {
    const fragment = new URLSearchParams(
      'signInCode' in outcome
        ? { code: outcome.signInCode }
        : 'linkToken' in outcome
          ? { link: outcome.linkToken, provider: outcome.provider, email: outcome.email }
          : { error: outcome.error },
    );
    return c.redirect(`${webUrl.replace(/\/+$/, '')}/signin/federated#${fragment}`, 303);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/providers',
      tags,
      summary: 'The outside sign-in providers configured here, for "Continue with …" buttons',
      responses: {
        200: jsonResponse(
          z.object({ providers: z.array(z.object({ id: z.string(), name: z.string(), startUrl: z.string() })) }),
          'The providers, in the configured order',
        ),
      },
    }),
    (c) =>
      c.json(
        {
          providers: federation.list().map((p) => ({ ...p, startUrl: `/v1/auth/federated/${p.id}/start` })),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/federated/{provider}/start',
      tags,
      summary: 'Open this in the browser: it goes to the provider (code flow with PKCE, state and nonce)',
      request: { params: ProviderParam },
      responses: {
        302: { description: 'To the provider’s sign-in page; sets the cookie that binds the flow to this browser' },
        303: { description: 'To the web app’s sign-in page with an error, when the provider cannot be reached' },
        404: problem('No provider has this id'),
        ...problems,
      },
    }),
    async (c) => {
      const { provider } = c.req.valid('param');
      try {
        const { redirectTo, binding, crossSitePost } = await federation.start(provider);
        setCookie(c, BINDING_COOKIE, binding, {
          path: COOKIE_PATH,
          httpOnly: true,
          secure: true,
          // Lax follows an OpenID provider's redirect back (a top-level navigation from another
          // site); a SAML provider's answer is a form posted from its site, which only None follows.
          // It is still this browser's own random value: a post from anyone else's flow fails.
          sameSite: crossSitePost ? 'None' : 'Lax',
          maxAge: 600,
        });
        return c.redirect(redirectTo, 302);
      } catch (error) {
        if (error instanceof AppError && error.code === 'ProviderUnavailable') {
          return landing(c, { error: error.detail });
        }
        throw error;
      }
    },
  );

  const backToTheWebApp = {
    303: {
      description:
        'To the web app’s /signin/federated page; the fragment carries `code` (a one-time sign-in code), `link` (sign in to the existing account to link), or `error`',
    },
    ...problems,
  };
  /** The provider's answer: the query (OpenID Connect), or the form it posted (SAML). */
  const finish = async (c: Context<AppEnv>, provider: string, answer: URLSearchParams) => {
    const binding = getCookie(c, BINDING_COOKIE);
    deleteCookie(c, BINDING_COOKIE, { path: COOKIE_PATH, secure: true });
    return landing(c, await federation.finish(provider, answer, binding));
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/federated/{provider}/callback',
      tags,
      summary: 'Where an OpenID Connect provider sends the browser back; it goes on to the web app',
      request: { params: ProviderParam },
      responses: backToTheWebApp,
    }),
    (c) => finish(c, c.req.valid('param').provider, new URL(c.req.url).searchParams),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/federated/acs/{provider}',
      tags,
      // Not `{provider}/callback`: a parameter beside the static `complete` and `links` (also POST)
      // is a pattern Hono's fastest router cannot take.
      summary: 'A SAML provider’s answer (the assertion consumer service); the browser goes on to the web app',
      request: {
        params: ProviderParam,
        body: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: z.object({ SAMLResponse: z.string().max(SAML_RESPONSE_LIMIT), RelayState: z.string().max(200) }),
            },
          },
        },
      },
      responses: backToTheWebApp,
    }),
    (c) => finish(c, c.req.valid('param').provider, new URLSearchParams(c.req.valid('form'))),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/federated/{provider}/metadata',
      tags,
      summary: 'A SAML provider’s service-provider metadata: this service’s entity id and callback, to import there',
      request: { params: ProviderParam },
      responses: {
        200: { description: 'SAML 2.0 metadata', content: { 'application/samlmetadata+xml': { schema: z.string() } } },
        404: problem('No SAML provider has this id'),
        ...problems,
      },
    }),
    async (c) => {
      const { provider } = c.req.valid('param');
      const metadata = await federation.samlMetadata(provider);
      if (!metadata) throw notFound(`No SAML provider is called "${provider}"`);
      return c.body(metadata, 200, { 'Content-Type': 'application/samlmetadata+xml; charset=utf-8' });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/federated/complete',
      tags,
      summary: 'Turn the one-time sign-in code into tokens (or the MFA challenge, as sign-in does)',
      request: jsonBody(z.object({ code: secret }).openapi('FederatedComplete')),
      responses: {
        200: jsonResponse(TokensSchema.or(ChallengeSchema), 'Tokens, or the SOFTWARE_TOKEN_MFA challenge'),
        ...problems,
      },
    }),
    async (c) => {
      const result = await federation.complete(c.req.valid('json').code);
      return c.json('tokens' in result ? result.tokens : result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/federated/links',
      tags,
      summary: 'Link the identity a provider vouched for to the signed-in account with the same email',
      ...signedIn,
      request: jsonBody(z.object({ linkToken: secret }).openapi('FederatedLink')),
      responses: {
        200: jsonResponse(IdentitiesSchema, 'Linked; the account’s identities'),
        403: problem('The signed-in account does not have this email address'),
        409: problem('The identity is linked to another account, or this account has one from this provider'),
        ...problems,
      },
    }),
    async (c) => {
      const identities = await federation.claimLink(c.get('caller').sub, c.req.valid('json').linkToken);
      return c.json({ identities }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me/identities',
      tags,
      summary: 'The outside identities linked to this account',
      ...signedIn,
      responses: { 200: jsonResponse(IdentitiesSchema, 'The linked identities'), ...problems },
    }),
    async (c) => c.json({ identities: await federation.identities(c.get('caller').sub) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/me/identities/{provider}',
      tags,
      summary: 'Unlink a provider’s identity (not the last way to sign in)',
      ...signedIn,
      request: { params: ProviderParam },
      responses: {
        200: jsonResponse(IdentitiesSchema, 'Unlinked; the identities left'),
        409: problem('It is the only way to sign in: set a password first'),
        ...problems,
      },
    }),
    async (c) => {
      const { provider } = c.req.valid('param');
      return c.json({ identities: await federation.unlink(c.get('caller').sub, provider) }, 200);
    },
  );

  return app;
}
