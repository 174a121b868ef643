import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { Agent } from 'undici';
import { browserRequests, CookieJar, outcomeOf } from '../../../test/support/cookie-browser.ts';
import { type OutsideUser, startOidcProvider, type TestOidcProvider } from '../../../test/support/oidc-provider.ts';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('federated sign-in against a real OpenID Connect provider (oidc-provider)', () => {
  let s: TestStratus;
  let idp: TestOidcProvider;
  let agent: Agent;
  let webPage: string;
  let visit: ReturnType<typeof browserRequests>['visit'];
  let browse: ReturnType<typeof browserRequests>['browse'];

  before(async () => {
    idp = await startOidcProvider();
    s = await TestStratus.start({
      FEDERATION_PROVIDERS: JSON.stringify([
        { id: 'acme', name: 'Acme SSO', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      ]),
    });
    idp.registerRedirect(`${s.url}/v1/auth/federated/acme/callback`);
    agent = new Agent({ connect: { ca: s.tlsCert } });
    ({ visit, browse } = browserRequests(agent));
    webPage = `${s.url}/signin/federated`;
  });
  after(async () => {
    await s.stop();
    await idp.close();
    await agent.close();
  });

  const isCallback = (url: URL) => url.pathname === '/v1/auth/federated/acme/callback';
  const isWebPage = (url: URL) => url.href.startsWith(webPage);
  const outcome = outcomeOf;

  /** The whole flow in one browser, from "Continue with Acme SSO" to the web app's landing page. */
  async function signInWith(user: OutsideUser, jar = new CookieJar()) {
    idp.signInAs(user);
    return outcome(await browse(new URL(`${s.url}/v1/auth/federated/acme/start`), jar, isWebPage));
  }
  /** Up to the provider's redirect back to Stratus, not taken yet. */
  async function upToCallback(user: OutsideUser, jar: CookieJar) {
    idp.signInAs(user);
    return browse(new URL(`${s.url}/v1/auth/federated/acme/start`), jar, isCallback);
  }
  async function land(callback: URL, jar: CookieJar) {
    const { next } = await visit(callback, jar);
    assert.ok(next && isWebPage(next), `the callback lands on the web app, not ${next}`);
    return outcome(next);
  }
  const complete = (code: string | undefined) => s.request('POST', '/v1/auth/federated/complete', { body: { code } });
  const me = async (accessToken: string) => (await s.request('GET', '/v1/me', { token: accessToken })).body;

  test('the code flow: a new verified identity gets a new account with its profile, and comes back to it', async () => {
    const providers = await s.request('GET', '/v1/auth/providers');
    assert.deepEqual(providers.body.providers, [
      { id: 'acme', name: 'Acme SSO', startUrl: '/v1/auth/federated/acme/start' },
    ]);
    const user = { subject: 'acme-ada', email: 'Ada@Example.com', name: 'Ada Lovelace' };
    const first = await signInWith(user);
    assert.ok(first.code, JSON.stringify(first));
    const tokens = await complete(first.code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const profile = await me(tokens.body.accessToken);
    assert.equal(profile.email, 'ada@example.com');
    assert.equal(profile.name, 'Ada Lovelace');
    const identities = await s.request('GET', '/v1/me/identities', { token: tokens.body.accessToken });
    assert.deepEqual(
      identities.body.identities.map((i: { provider: string; email: string }) => [i.provider, i.email]),
      [['acme', 'Ada@Example.com']],
    );
    // The code works once; the next sign-in with the provider reaches the same account.
    assert.equal((await complete(first.code)).status, 400);
    const again = await complete((await signInWith(user)).code);
    assert.equal((await me(again.body.accessToken)).sub, profile.sub);
    // No password was set: the account cannot lose its only way in.
    const unlink = await s.request('DELETE', '/v1/me/identities/acme', { token: again.body.accessToken });
    assert.equal(unlink.status, 409);
    assert.match(unlink.body.detail, /set a password first/);
    const password = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'ada@example.com', password: 'any password at all, really' },
    });
    assert.equal(password.status, 401, 'an account made through a provider has no password to guess');
  });

  test('a verified email that an account already uses is linked only after its owner signs in and claims it', async () => {
    const owner = await s.newUser('grace@example.com', undefined, 'Grace');
    const ownerSub = (await me(owner.accessToken)).sub;
    const landing = await signInWith({ subject: 'acme-grace', email: 'grace@example.com', name: 'Impostor?' });
    assert.equal(landing.code, undefined, 'no session for the existing account before its owner proves it');
    assert.equal(landing.email, 'grace@example.com');
    assert.equal(landing.provider, 'Acme SSO');
    assert.ok(landing.link);

    const anonymous = await s.request('POST', '/v1/auth/federated/links', { body: { linkToken: landing.link } });
    assert.equal(anonymous.status, 401);
    const other = await s.newUser('mallory@example.com');
    const stranger = await s.request('POST', '/v1/auth/federated/links', {
      token: other.accessToken,
      body: { linkToken: landing.link },
    });
    assert.equal(stranger.status, 403, 'only the account with that email may take the link');
    // The refused attempt spent the link: the owner starts again, signs in, and claims the new one.
    const retry = await signInWith({ subject: 'acme-grace', email: 'grace@example.com' });
    const claimed = await s.request('POST', '/v1/auth/federated/links', {
      token: owner.accessToken,
      body: { linkToken: retry.link },
    });
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.deepEqual(
      claimed.body.identities.map((i: { provider: string }) => i.provider),
      ['acme'],
    );
    const linked = await complete((await signInWith({ subject: 'acme-grace', email: 'grace@example.com' })).code);
    assert.equal((await me(linked.body.accessToken)).sub, ownerSub);
    // With a password, unlinking is allowed, and the provider then leads to the link step again.
    const unlinked = await s.request('DELETE', '/v1/me/identities/acme', { token: owner.accessToken });
    assert.deepEqual(unlinked.body.identities, []);
    assert.ok((await signInWith({ subject: 'acme-grace', email: 'grace@example.com' })).link);
  });

  test('forged state, a replayed callback, a flow finished in another browser and a refusal at the provider are turned away', async () => {
    const user = { subject: 'acme-alan', email: 'alan@example.com' };
    const forged = await land(new URL(`${s.url}/v1/auth/federated/acme/callback?code=x&state=forged`), new CookieJar());
    assert.match(forged.error ?? '', /expired or was already used/);

    const jar = new CookieJar();
    const callback = await upToCallback(user, jar);
    const replayJar = jar.copy();
    assert.ok((await land(callback, jar)).code);
    const replay = await land(callback, replayJar);
    assert.match(replay.error ?? '', /expired or was already used/);

    const elsewhere = await upToCallback(user, new CookieJar());
    const stolen = await land(elsewhere, new CookieJar());
    assert.match(stolen.error ?? '', /started in another browser/);

    const refusedJar = new CookieJar();
    const started = await visit(new URL(`${s.url}/v1/auth/federated/acme/start`), refusedJar);
    const state = started.next?.searchParams.get('state');
    const refused = await land(
      new URL(`${s.url}/v1/auth/federated/acme/callback?error=access_denied&state=${state}`),
      refusedJar,
    );
    assert.match(refused.error ?? '', /Acme SSO did not sign you in \(access_denied\)/);
    assert.equal((await s.request('GET', '/v1/auth/federated/nobody/start')).status, 404);
  });

  test('an ID token with a wrong nonce, audience or issuer, a signature by another key, or past its expiry is refused', async () => {
    const cases: [string, Parameters<TestOidcProvider['tamperIdToken']>[0], boolean?][] = [
      ['nonce', (claims) => ({ ...claims, nonce: 'another-nonce' })],
      ['audience', (claims) => ({ ...claims, aud: 'some-other-client' })],
      ['issuer', (claims) => ({ ...claims, iss: 'https://evil.example.com' })],
      [
        'expiry',
        (claims) => ({
          ...claims,
          iat: Math.floor(Date.now() / 1000) - 7200,
          exp: Math.floor(Date.now() / 1000) - 3600,
        }),
      ],
      ['signature', (claims) => claims, true],
    ];
    try {
      for (const [name, edit, foreignKey] of cases) {
        idp.tamperIdToken(edit, { foreignKey: foreignKey ?? false });
        const landing = await signInWith({ subject: `acme-${name}`, email: `${name}@example.com` });
        assert.equal(landing.code, undefined, `${name}: no session`);
        assert.match(landing.error ?? '', /could not be trusted/, name);
        assert.equal(
          await s.runtime.identity.accountWithEmail(`${name}@example.com`),
          undefined,
          `${name}: no account`,
        );
      }
    } finally {
      idp.tamperIdToken(undefined);
    }
    // Nothing was created: the same identity, untampered, is a new account now.
    const clean = await signInWith({ subject: 'acme-nonce', email: 'nonce@example.com', name: 'Nonce' });
    assert.equal((await me((await complete(clean.code)).body.accessToken)).name, 'Nonce');
  });

  test('no account from an unverified email; an account with MFA still asks for its code', async () => {
    const unverified = await signInWith({ subject: 'acme-eve', email: 'eve@example.com', emailVerified: false });
    assert.match(unverified.error ?? '', /did not share a verified email address/);

    const first = await complete((await signInWith({ subject: 'acme-kay', email: 'kay@example.com' })).code);
    const token = first.body.accessToken;
    const setup = await s.request('POST', '/v1/auth/mfa/setup', { token });
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.body.secret) });
    const enabled = await s.request('POST', '/v1/auth/mfa/enable', {
      token,
      body: { code: totp.generate({ timestamp: s.clock.now() }) },
    });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const again = await complete((await signInWith({ subject: 'acme-kay', email: 'kay@example.com' })).code);
    assert.equal(again.body.challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(again.body.accessToken, undefined);
  });
});
