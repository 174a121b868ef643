/**
 * A real OpenID Connect provider for tests (panva's oidc-provider, the certified implementation)
 * on 127.0.0.1, standing in for Google or a company's SSO. Its sign-in page is replaced by an
 * automatic one that signs in whoever `signInAs` names, so a test drives the whole code flow
 * with plain HTTP requests. `tamperIdToken` rewrites the ID token in the token response and
 * signs it again (with the provider's key, or another), to play a provider gone wrong.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export interface OutsideUser {
  subject: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the automatic sign-in page signs in next. */
  signInAs(user: OutsideUser): void;
  /** Rewrites the next ID tokens: return the claims to sign; `foreignKey` signs with a key nobody published. */
  tamperIdToken(tamper: ((claims: JWTPayload) => JWTPayload) | undefined, options?: { foreignKey?: boolean }): void;
  /** Sets the provider up for Stratus's callback (known only once Stratus runs); call once, first. */
  registerRedirect(uri: string): void;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  const clientId = 'stratus-test';
  const clientSecret = 'a-client-secret-for-tests-only-0123456789';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const foreign = (await generateKeyPair('RS256')).privateKey;
  const users = new Map<string, OutsideUser>();
  let current: OutsideUser = { subject: 'nobody' };
  let tamper: { edit: (claims: JWTPayload) => JWTPayload; foreignKey: boolean } | undefined;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();

  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The provider proper, once Stratus's callback is known (a static client needs its redirect URI). */
  const build = (redirectUri: string) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [jwk] },
      cookies: { keys: ['a-cookie-signing-key-for-tests-only'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      async findAccount(_ctx, id) {
        const user = users.get(id);
        if (!user) return undefined;
        return {
          accountId: id,
          claims: async () => ({
            sub: id,
            ...(user.email ? { email: user.email, email_verified: user.emailVerified ?? true } : {}),
            ...(user.name ? { name: user.name } : {}),
          }),
        };
      },
    });
    // The provider speaks plain HTTP here (tests only); its cookies must not ask for HTTPS.
    provider.proxy = false;
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path !== '/token' || !tamper || typeof ctx.body !== 'object' || !ctx.body) return;
      const body = ctx.body as { id_token?: string };
      if (!body.id_token) return;
      const claims = tamper.edit(decodeJwt(body.id_token));
      body.id_token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .sign(tamper.foreignKey ? foreign : privateKey);
    });
    const callback = provider.callback();

    handler = (req, res) => {
      if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
      // The automatic sign-in page: sign in as `current`, and consent to what was asked.
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          users.set(current.subject, current);
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: current.subject } },
            {
              mergeWithLastSubmission: false,
            },
          );
          return;
        }
        const grant = new provider.Grant({ accountId: details.session?.accountId as string, clientId });
        grant.addOIDCScope(String(details.params.scope));
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant.save() } },
          {
            mergeWithLastSubmission: true,
          },
        );
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    };
  };

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(user) {
      current = user;
    },
    tamperIdToken(edit, options = {}) {
      tamper = edit ? { edit, foreignKey: options.foreignKey ?? false } : undefined;
    },
    registerRedirect(uri) {
      build(uri);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
