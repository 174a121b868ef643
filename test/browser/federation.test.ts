// Federated sign-in in the browser, end to end: a real OpenID Connect provider (test/support/
// oidc-provider.ts, which signs in automatically) configured as "Acme SSO", and the web app's
// buttons, landing page and account section driving the whole redirect dance.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { startSamlIdp, type TestSamlIdp } from '../support/saml-idp.ts';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

describe('federated sign-in in the web app, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  let idp: TestOidcProvider;
  let samlIdp: TestSamlIdp;
  // Started before the harness's own `before`, which reads `env` when it starts Stratus.
  before(async () => {
    [idp, samlIdp] = await Promise.all([startOidcProvider(), startSamlIdp()]);
  });
  const h = browserHarness({
    env: () => ({
      FEDERATION_PROVIDERS: JSON.stringify([
        { id: 'acme', name: 'Acme SSO', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
        {
          id: 'corp',
          name: 'Corp SSO',
          protocol: 'saml',
          entryPoint: samlIdp.entryPoint,
          idpIssuer: samlIdp.entityId,
          idpCert: samlIdp.cert,
        },
      ]),
    }),
  });
  before(() => idp.registerRedirect(`${h.s.url}/v1/auth/federated/acme/callback`));
  after(() => Promise.all([idp.close(), samlIdp.close()]));

  test('Continue with Corp SSO (SAML): the provider’s page posts its signed answer back, the browser keeps the flow’s cookie across that post, and the person lands signed in', async () => {
    const { s, page, problems } = h;
    samlIdp.signInAs({ nameID: 'corp-kai', email: 'kai@corp.example', name: 'Kai Tanaka' });
    await page.goto(`${s.url}/signin`);
    await page.getByRole('button', { name: 'Continue with Corp SSO' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'no sign-in code is left in the address bar');
    await page.getByRole('link', { name: 'Account' }).click();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Kai Tanaka');
    await page.getByRole('list', { name: 'Linked sign-ins' }).getByText('Corp SSO').waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a new person continues with Acme SSO and lands signed in, named by the provider, with Acme SSO linked; unlinking it is refused while it is the only way in', async () => {
    const { s, page, shot, problems } = h;
    idp.signInAs({ subject: 'acme-nina', email: 'nina@example.com', name: 'Nina Okafor' });
    await page.goto(s.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).waitFor();
    await shot('federated-sign-in-buttons');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();

    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'no sign-in code is left in the address bar');

    await page.getByRole('link', { name: 'Account' }).click();
    assert.equal(
      await page.getByLabel('Name', { exact: true }).inputValue(),
      'Nina Okafor',
      'the name the provider shared',
    );
    const linked = page.getByRole('list', { name: 'Linked sign-ins' }).getByRole('listitem');
    await linked.filter({ hasText: 'Acme SSO' }).filter({ hasText: 'nina@example.com' }).waitFor();
    assert.equal(await linked.count(), 1);
    await page.getByRole('button', { name: 'Unlink Acme SSO' }).click();
    await page.getByRole('group', { name: /Unlink Acme SSO\?/ }).waitFor();
    await page.getByRole('button', { name: 'Yes, unlink' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /only way to sign in/ })
      .waitFor();
    await page.getByRole('heading', { name: 'Linked sign-ins' }).scrollIntoViewIfNeeded();
    await shot('federated-unlink-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Unlink Acme SSO' }).waitFor();
    assert.equal(await linked.count(), 1, 'still linked');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a person whose email already has an account signs in to it with the password, which links Acme SSO; then Continue with Acme SSO signs straight in to that account', async () => {
    const { s, page, shot, problems } = h;
    const email = 'omar@example.com';
    const { accessToken } = await s.newUser(email);
    idp.signInAs({ subject: 'acme-omar', email, name: 'Omar from Acme' });
    await page.goto(`${s.url}/signin`);
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();

    await page.getByText(`An account for ${email} already exists. Sign in to it to link Acme SSO.`).waitFor();
    assert.equal(new URL(page.url()).pathname, '/signin/federated');
    assert.equal(new URL(page.url()).hash, '', 'the link token is not left in the address bar');
    assert.equal(await page.getByLabel('Email').inputValue(), email, 'the email is filled in');
    await shot('federated-link-sign-in');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByText('Acme SSO is now linked: next time, Continue with Acme SSO signs you in here.').waitFor();
    await shot('federated-linked');
    assert.equal(await sessionStorageLength(h), 0, 'the link token is gone once used');
    const identities = await s.request('GET', '/v1/me/identities', { token: accessToken });
    assert.deepEqual(
      identities.body.identities.map((identity: { provider: string; email: string }) => [
        identity.provider,
        identity.email,
      ]),
      [['acme', email]],
    );

    await page.getByRole('link', { name: 'Go to your to-dos' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('list', { name: 'Linked sign-ins' }).getByText('Acme SSO').waitFor();
    assert.equal(
      await page.getByLabel('Name', { exact: true }).inputValue(),
      'Test User',
      'the existing account, not a new one',
    );
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('with two-step sign-in on, the link waits through the password and the authenticator code, then is taken', async () => {
    const { s, page, shot, problems } = h;
    const email = 'mei@example.com';
    const { accessToken } = await s.newUser(email);
    const { secret } = (await s.request('POST', '/v1/auth/mfa/setup', { token: accessToken })).body;
    await s.request('POST', '/v1/auth/mfa/enable', { token: accessToken, body: { code: totp(secret, s.clock.now()) } });
    s.clock.advance(30_000); // a fresh code for the sign-in below
    idp.signInAs({ subject: 'acme-mei', email, name: 'Mei' });
    await page.goto(`${s.url}/signin`);
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();
    await page.getByText(`An account for ${email} already exists. Sign in to it to link Acme SSO.`).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    assert.equal(await sessionStorageLength(h), 1, 'the link token waits in this tab only');
    await page.getByLabel('Code').fill(totp(secret, s.clock.now()));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Acme SSO is now linked: next time, Continue with Acme SSO signs you in here.').waitFor();
    assert.equal(await sessionStorageLength(h), 0, 'the link token is gone once used');
    const identities = await s.request('GET', '/v1/me/identities', { token: accessToken });
    assert.deepEqual(
      identities.body.identities.map((identity: { provider: string }) => identity.provider),
      ['acme'],
    );
    await page.getByRole('link', { name: 'See your linked sign-ins' }).click();
    await page.getByRole('list', { name: 'Linked sign-ins' }).getByText('Acme SSO').waitFor();
    await shot('federated-linked-sign-ins');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('signing in to another account than the one with the provider’s email does not link, and says why', async () => {
    const { s, page, shot, problems } = h;
    await s.newUser('pat@example.com');
    const { accessToken: lee } = await s.newUser('lee@example.com');
    idp.signInAs({ subject: 'acme-pat', email: 'pat@example.com', name: 'Pat' });
    await page.goto(`${s.url}/signin`);
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).click();
    await page.getByText('An account for pat@example.com already exists.', { exact: false }).waitFor();
    await page.getByLabel('Email').fill('lee@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page
      .getByRole('alert')
      .filter({ hasText: 'the account you are signed in to does not use pat@example.com' })
      .waitFor();
    await shot('federated-link-refused');
    assert.equal(await sessionStorageLength(h), 0, 'the spent link token is forgotten');
    const identities = await s.request('GET', '/v1/me/identities', { token: lee });
    assert.deepEqual(identities.body.identities, [], 'nothing was linked to the other account');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an error from the provider is shown above the sign-in form and its buttons, and leaves no fragment in the URL', async () => {
    const { s, page, shot, problems } = h;
    await page.goto(`${s.url}/signin/federated#error=Something%20went%20wrong`);
    await page.getByRole('alert').filter({ hasText: 'Something went wrong' }).waitFor();
    await page.getByRole('button', { name: 'Continue with Acme SSO' }).waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, '/signin/federated');
    assert.equal(url.hash, '', 'the fragment is gone');
    await shot('federated-error');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

/** The code an authenticator shows at `timestamp` (the API's TOTP: SHA1, 6 digits, 30 s). */
function totp(secret: string, timestamp: number): string {
  return new OTPAuth.TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  }).generate({
    timestamp,
  });
}

/** How many items this tab's sessionStorage holds (where the app keeps a pending link). */
async function sessionStorageLength(h: ReturnType<typeof browserHarness>): Promise<number> {
  return h.page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length);
}
