import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent, fetch } from 'undici';
import { browserRequests, CookieJar, outcomeOf } from '../../../test/support/cookie-browser.ts';
import {
  formOf,
  type Misbehaviour,
  type SamlUser,
  startSamlIdp,
  type TestSamlIdp,
} from '../../../test/support/saml-idp.ts';
import { TestStratus } from '../../../test/support/stratus.ts';

describe('federated sign-in with a SAML 2.0 provider (signed assertions, HTTP-Redirect and POST bindings)', () => {
  let s: TestStratus;
  let idp: TestSamlIdp;
  let agent: Agent;
  let browser: ReturnType<typeof browserRequests>;

  before(async () => {
    idp = await startSamlIdp();
    s = await TestStratus.start({
      FEDERATION_PROVIDERS: JSON.stringify([
        {
          id: 'corp',
          name: 'Corp SSO',
          protocol: 'saml',
          entryPoint: idp.entryPoint,
          idpIssuer: idp.entityId,
          idpCert: idp.cert,
        },
      ]),
    });
    agent = new Agent({ connect: { ca: s.tlsCert } });
    browser = browserRequests(agent);
  });
  after(async () => {
    await s.stop();
    await idp.close();
    await agent.close();
  });

  const isWebPage = (url: URL) => url.href.startsWith(`${s.url}/signin/federated`);

  /** "Continue with Corp SSO" up to the provider's answer page: the form the browser would post. */
  async function upToAnswer(user: SamlUser, jar: CookieJar, misbehaviour?: Misbehaviour) {
    idp.signInAs(user);
    idp.misbehave(misbehaviour);
    const start = await browser.visit(new URL(`${s.url}/v1/auth/federated/corp/start`), jar);
    assert.equal(start.status, 302);
    assert.ok(start.next?.href.startsWith(idp.entryPoint), `to the provider, not ${start.next}`);
    const page = await browser.visit(start.next as URL, jar);
    return formOf(page.body);
  }
  /** The browser posts the provider's form to Stratus and lands on the web app. */
  async function post(form: ReturnType<typeof formOf>, jar: CookieJar) {
    const { status, next } = await browser.visit(new URL(form.action), jar, {
      SAMLResponse: form.SAMLResponse,
      RelayState: form.RelayState,
    });
    assert.equal(status, 303);
    assert.ok(next && isWebPage(next), `lands on the web app, not ${next}`);
    return outcomeOf(next);
  }
  async function signInWith(user: SamlUser, misbehaviour?: Misbehaviour) {
    const jar = new CookieJar();
    return post(await upToAnswer(user, jar, misbehaviour), jar);
  }
  const complete = (code: string | undefined) => s.request('POST', '/v1/auth/federated/complete', { body: { code } });
  const me = async (accessToken: string) => (await s.request('GET', '/v1/me', { token: accessToken })).body;

  test('metadata names this service and its callback; a new user gets an account and comes back to it', async () => {
    const metadata = await s.fetch(`${s.url}/v1/auth/federated/corp/metadata`);
    assert.equal(metadata.status, 200);
    const xml = await metadata.text();
    assert.match(xml, new RegExp(`entityID="${s.url}/v1/auth/federated/corp/metadata"`));
    assert.match(xml, new RegExp(`Location="${s.url}/v1/auth/federated/acs/corp"`));
    assert.equal((await s.request('GET', '/v1/auth/federated/acme/metadata')).status, 404);

    // The binding cookie must follow the provider's cross-site form post: SameSite=None.
    const start = await fetch(`${s.url}/v1/auth/federated/corp/start`, { redirect: 'manual', dispatcher: agent });
    assert.match(start.headers.get('set-cookie') ?? '', /SameSite=None/i);
    assert.match(start.headers.get('set-cookie') ?? '', /HttpOnly/i);

    const user = { nameID: 'corp-0042', email: 'Lin@Corp.example', name: 'Lin Chen' };
    const first = await signInWith(user);
    assert.ok(first.code, JSON.stringify(first));
    const tokens = await complete(first.code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const profile = await me(tokens.body.accessToken);
    assert.equal(profile.email, 'lin@corp.example');
    assert.equal(profile.name, 'Lin Chen');
    const again = await complete((await signInWith(user)).code);
    assert.equal((await me(again.body.accessToken)).sub, profile.sub, 'the same NameID reaches the same account');
  });

  test('an email an account already uses is only offered as a link, for its owner to claim', async () => {
    const owner = await s.newUser('mo@corp.example', undefined, 'Mo');
    const offered = await signInWith({ nameID: 'corp-mo', email: 'mo@corp.example' });
    assert.ok(offered.link && !offered.code, JSON.stringify(offered));
    const claimed = await s.request('POST', '/v1/auth/federated/links', {
      token: owner.accessToken,
      body: { linkToken: offered.link },
    });
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    const next = await complete((await signInWith({ nameID: 'corp-mo', email: 'mo@corp.example' })).code);
    assert.equal((await me(next.body.accessToken)).email, 'mo@corp.example');
  });

  test('answers that are forged, replayed, late, misaddressed or from another browser are refused, and make no account', async () => {
    const cases: [string, Misbehaviour, RegExp][] = [
      ['for another service provider', { audience: 'https://elsewhere.example/sp' }, /could not be trusted/],
      ['from another issuer', { issuer: 'https://impostor.example/idp' }, /could not be trusted/],
      ['expired', { validForSeconds: -300 }, /could not be trusted/],
      ['signed by another key', { foreignKey: true }, /could not be trusted/],
      ['not signed', { unsigned: true }, /could not be trusted/],
      ['edited after signing', { editedEmail: 'ceo@corp.example' }, /could not be trusted/],
      ['answering another request', { inResponseTo: '_someone-elses-request' }, /could not be trusted/],
      [
        'with a refusal status',
        { status: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' },
        /did not sign you in \(AuthnFailed\)/,
      ],
    ];
    for (const [name, misbehaviour, message] of cases) {
      const email = `case-${cases.findIndex(([n]) => n === name)}@corp.example`;
      const outcome = await signInWith({ nameID: `corp-${email}`, email }, misbehaviour);
      assert.match(outcome.error ?? '', message, `${name}: ${JSON.stringify(outcome)}`);
      assert.equal(await s.runtime.identity.accountWithEmail(email), undefined, `${name}: no account`);
    }

    // A transient NameID could never find its account again.
    const transient = await signInWith({
      nameID: 'one-time-7f3a',
      nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      email: 'passing@corp.example',
    });
    assert.match(transient.error ?? '', /could not be trusted/);

    const user = { nameID: 'corp-replay', email: 'replay@corp.example' };
    const jar = new CookieJar();
    const form = await upToAnswer(user, jar);
    // Posted from another browser (no binding cookie): refused, and the flow is spent.
    assert.match((await post(form, new CookieJar())).error ?? '', /another browser/);
    const second = new CookieJar();
    const fresh = await upToAnswer(user, second);
    const replayJar = second.copy();
    assert.ok((await post(fresh, second)).code, 'the genuine answer signs in');
    assert.match((await post(fresh, replayJar)).error ?? '', /expired or was already used/, 'a replay does not');
    // Unsolicited (IdP-initiated) or with a forged RelayState: no flow of this browser's.
    assert.match(
      (await post({ ...fresh, RelayState: 'forged' }, replayJar)).error ?? '',
      /expired or was already used/,
    );

    // Bad form posts are the client's error, with a message.
    const bad = await s.fetch(`${s.url}/v1/auth/federated/acs/corp`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'RelayState=x',
    });
    assert.equal(bad.status, 400);
  });
});
