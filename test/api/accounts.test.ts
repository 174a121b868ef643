import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import * as OTPAuth from 'otpauth';
import { profileKey } from '../../src/apps/users/profile.ts';
import { TestStratus } from '../support/stratus.ts';

const PASSWORD = 'a long and unusual passphrase';

/** The current TOTP code for a secret, at the server's clock. */
const totp = (secret: string, at: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: at });

describe('accounts: a new user, end to end over HTTPS', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start();
  });
  after(() => s.stop());

  test('sign up, confirm from the outbox, sign in, /v1/me, MFA on, sign in with TOTP, refresh, sign out', async () => {
    const email = 'ada@example.com';
    const signUp = await s.request('POST', '/v1/auth/signup', {
      body: { email: 'Ada@Example.com', password: PASSWORD, name: 'Ada' },
    });
    assert.equal(signUp.status, 201);

    // Not confirmed yet: sign-in says what to do.
    const early = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'UserNotConfirmed');

    const code = await s.mailedCode(email);
    assert.equal((await s.request('POST', '/v1/auth/confirm', { body: { email, code } })).status, 200);

    const signIn = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(signIn.status, 200);
    const { accessToken, idToken, expiresIn, tokenType } = signIn.body;
    assert.equal(tokenType, 'Bearer');
    assert.equal(expiresIn, 3600);

    // Cognito-shaped tokens, RS256 with a kid published at the JWKS URL.
    const access = decodeJwt(accessToken);
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, 'stratus-local');
    assert.equal(access.iss, s.runtime.config.publicUrl);
    assert.equal((access.exp as number) - (access.iat as number), 3600);
    for (const claim of ['sub', 'scope', 'auth_time', 'jti', 'username']) assert.ok(access[claim], claim);
    const id = decodeJwt(idToken);
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, 'stratus-local');
    assert.equal(id.email, email);
    assert.equal(id.email_verified, true);
    assert.equal(id.name, 'Ada');
    const jwks = await s.request('GET', '/.well-known/jwks.json');
    assert.equal(decodeProtectedHeader(accessToken).kid, jwks.body.keys[0].kid);
    assert.equal(decodeProtectedHeader(accessToken).alg, 'RS256');
    const discovery = await s.request('GET', '/.well-known/openid-configuration');
    assert.equal(discovery.body.jwks_uri, `${s.runtime.config.publicUrl}/.well-known/jwks.json`);

    // The profile was made by the post-confirmation hook.
    const me = await s.request('GET', '/v1/me', { token: accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, email);
    assert.equal(me.body.name, 'Ada');
    assert.equal(me.body.sub, access.sub);

    // MFA on.
    const setup = await s.request('POST', '/v1/auth/mfa/setup', { token: accessToken });
    assert.equal(setup.status, 200);
    assert.match(setup.body.otpauthUri, /^otpauth:\/\/totp\//);
    const enable = await s.request('POST', '/v1/auth/mfa/enable', {
      token: accessToken,
      body: { code: totp(setup.body.secret, s.clock.now()) },
    });
    assert.equal(enable.status, 200);
    assert.equal(enable.body.recoveryCodes.length, 10);
    assert.equal((await s.request('GET', '/v1/me', { token: accessToken })).body.mfaEnabled, true);

    // Sign in again: now a challenge, answered with the next TOTP code.
    s.clock.advance(30_000);
    const challenged = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(challenged.body.challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(challenged.body.accessToken, undefined);
    const wrong = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: challenged.body.session, code: '000000' },
    });
    assert.equal(wrong.status, 400);
    const answered = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: challenged.body.session, code: totp(setup.body.secret, s.clock.now()) },
    });
    assert.equal(answered.status, 200);
    assert.ok(answered.body.accessToken);

    // The same TOTP code cannot be replayed for another sign-in.
    const again = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    const replay = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: again.body.session, code: totp(setup.body.secret, s.clock.now()) },
    });
    assert.equal(replay.status, 400);

    // A recovery code passes the challenge once.
    const recovery = enable.body.recoveryCodes[0];
    const withRecovery = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: again.body.session, code: recovery },
    });
    assert.equal(withRecovery.status, 200);
    const third = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    const reused = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: third.body.session, code: recovery },
    });
    assert.equal(reused.status, 400);

    // Refresh rotates: new tokens, and the old refresh token is spent.
    const refreshed = await s.request('POST', '/v1/auth/refresh', {
      body: { refreshToken: answered.body.refreshToken },
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, answered.body.refreshToken);
    assert.equal((await s.request('GET', '/v1/me', { token: refreshed.body.accessToken })).status, 200);

    // Sign out everywhere: refresh tokens and earlier access tokens are refused.
    assert.equal((await s.request('POST', '/v1/auth/signout', { token: refreshed.body.accessToken })).status, 200);
    const afterSignOut = await s.request('POST', '/v1/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    assert.equal(afterSignOut.status, 401);
    assert.equal((await s.request('GET', '/v1/me', { token: refreshed.body.accessToken })).status, 401);
    assert.equal((await s.request('GET', '/v1/me', { token: accessToken })).status, 401);

    // Signing in again right away works (same second as the sign-out).
    const fresh = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    s.clock.advance(30_000);
    const back = await s.request('POST', '/v1/auth/mfa/challenge', {
      body: { session: fresh.body.session, code: totp(setup.body.secret, s.clock.now()) },
    });
    assert.equal((await s.request('GET', '/v1/me', { token: back.body.accessToken })).status, 200);
  });

  test('a refresh retried within a minute (its answer was lost) gets tokens; the retry keeps the session', async () => {
    const tokens = await s.newUser('retry@example.com');
    const first = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    assert.equal(first.status, 200);
    s.clock.advance(30_000);
    const retry = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    assert.equal(retry.status, 200, 'the same token again within the grace');
    assert.notEqual(retry.body.refreshToken, first.body.refreshToken);
    const next = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: retry.body.refreshToken } });
    assert.equal(next.status, 200, 'the retry’s token carries on');
  });

  test('a refresh token reused after the grace revokes its whole family', async () => {
    const tokens = await s.newUser('rotate@example.com');
    const first = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    assert.equal(first.status, 200);
    s.clock.advance(61_000);
    const replay = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    assert.equal(replay.status, 401);
    // The thief replayed; the legitimate holder's newer token is now dead too.
    const legit = await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    assert.equal(legit.status, 401);
  });

  test('PATCH /v1/me changes name and custom attributes; unknown attributes are refused', async () => {
    const { accessToken, idToken } = await s.newUser('patch@example.com');
    const patched = await s.request('PATCH', '/v1/me', {
      token: accessToken,
      body: { name: 'Grace', attributes: { zoneinfo: 'Europe/Paris', bio: 'Compilers' } },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Grace');
    assert.deepEqual(patched.body.attributes, { zoneinfo: 'Europe/Paris', bio: 'Compilers' });
    const bad = await s.request('PATCH', '/v1/me', { token: accessToken, body: { attributes: { isAdmin: 'yes' } } });
    assert.equal(bad.status, 400);
    const empty = await s.request('PATCH', '/v1/me', { token: accessToken, body: {} });
    assert.equal(empty.status, 400);
    assert.equal((await s.request('GET', '/v1/me', { token: accessToken })).body.name, 'Grace');
    assert.ok(idToken);
  });

  test('forgot and reset password: same answer for unknown emails; the reset signs out everywhere', async () => {
    const email = 'forgot@example.com';
    const tokens = await s.newUser(email);
    const unknown = await s.request('POST', '/v1/auth/forgot-password', { body: { email: 'nobody@example.com' } });
    const known = await s.request('POST', '/v1/auth/forgot-password', { body: { email } });
    assert.equal(unknown.status, 202);
    assert.equal(known.status, 202);
    assert.deepEqual(unknown.body, known.body);
    const code = await s.mailedCode(email);
    const reset = await s.request('POST', '/v1/auth/reset-password', {
      body: { email, code, newPassword: 'another long passphrase' },
    });
    assert.equal(reset.status, 200);
    assert.equal((await s.request('GET', '/v1/me', { token: tokens.accessToken })).status, 401);
    assert.equal(
      (await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
      401,
    );
    const oldPassword = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(oldPassword.status, 401);
    const newPassword = await s.request('POST', '/v1/auth/signin', {
      body: { email, password: 'another long passphrase' },
    });
    assert.equal(newPassword.status, 200);
    // The code is spent.
    const reuse = await s.request('POST', '/v1/auth/reset-password', {
      body: { email, code, newPassword: 'yet another passphrase' },
    });
    assert.equal(reuse.status, 400);
  });

  test('change password needs the current one', async () => {
    const { accessToken } = await s.newUser('change@example.com');
    const wrong = await s.request('POST', '/v1/auth/change-password', {
      token: accessToken,
      body: { oldPassword: 'not it at all', newPassword: 'a brand new passphrase' },
    });
    assert.equal(wrong.status, 403, 'a wrong current password is not an ended session (401)');
    assert.equal(wrong.body.code, 'NotAuthorized');
    const right = await s.request('POST', '/v1/auth/change-password', {
      token: accessToken,
      body: { oldPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    assert.equal(right.status, 200);
    const signIn = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'change@example.com', password: 'a brand new passphrase' },
    });
    assert.equal(signIn.status, 200);
  });

  test('MFA can be turned off only with a valid code', async () => {
    const { accessToken } = await s.newUser('mfaoff@example.com');
    const setup = await s.request('POST', '/v1/auth/mfa/setup', { token: accessToken });
    await s.request('POST', '/v1/auth/mfa/enable', {
      token: accessToken,
      body: { code: totp(setup.body.secret, s.clock.now()) },
    });
    const wrong = await s.request('POST', '/v1/auth/mfa/disable', { token: accessToken, body: { code: '123456' } });
    assert.equal(wrong.status, 400);
    s.clock.advance(30_000);
    const ok = await s.request('POST', '/v1/auth/mfa/disable', {
      token: accessToken,
      body: { code: totp(setup.body.secret, s.clock.now()) },
    });
    assert.equal(ok.status, 200);
    const signIn = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'mfaoff@example.com', password: PASSWORD },
    });
    assert.ok(signIn.body.accessToken, 'no challenge once MFA is off');
  });

  test('DELETE /v1/me removes the account and, through the change stream, every item the user owns', async () => {
    const { accessToken } = await s.newUser('leaving@example.com');
    const sub = decodeJwt(accessToken).sub as string;
    const { PK } = profileKey(sub);
    await s.runtime.table.batchWrite({ puts: [1, 2, 3].map((n) => ({ PK, SK: `TODO#${n}`, title: `t${n}` })) });
    await s.runtime.table.put({ PK: 'USER#someone-else', SK: 'TODO#1', title: 'not theirs' });
    assert.equal((await s.request('DELETE', '/v1/me', { token: accessToken })).status, 204);
    await s.runtime.dispatcher.drain();
    assert.equal((await s.runtime.table.query({ partition: PK })).items.length, 0);
    assert.ok(await s.runtime.table.get({ PK: 'USER#someone-else', SK: 'TODO#1' }), 'other users keep their items');
    assert.equal((await s.request('GET', '/v1/me', { token: accessToken })).status, 401);
    const signIn = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'leaving@example.com', password: PASSWORD },
    });
    assert.equal(signIn.status, 401);
    // The email can be used again.
    assert.ok((await s.newUser('leaving@example.com')).accessToken);
  });
});

describe('accounts: bad input gets a 4xx problem and writes nothing', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start();
  });
  after(() => s.stop());

  const publicEndpoints: Array<[string, Record<string, unknown>]> = [
    ['/v1/auth/signup', { email: 'x@example.com', password: PASSWORD, name: 'X' }],
    ['/v1/auth/confirm', { email: 'x@example.com', code: '123456' }],
    ['/v1/auth/resend-code', { email: 'x@example.com' }],
    ['/v1/auth/signin', { email: 'x@example.com', password: PASSWORD }],
    ['/v1/auth/mfa/challenge', { session: 'abc', code: '123456' }],
    ['/v1/auth/refresh', { refreshToken: 'abc' }],
    ['/v1/auth/forgot-password', { email: 'x@example.com' }],
    ['/v1/auth/reset-password', { email: 'x@example.com', code: '123456', newPassword: PASSWORD }],
  ];

  for (const [path, valid] of publicEndpoints) {
    test(`${path}: missing fields, wrong types, unknown fields, invalid JSON, no content type → 4xx problem+json`, async () => {
      const firstField = Object.keys(valid)[0] as string;
      const { [firstField]: _dropped, ...missing } = valid;
      const cases: Array<[string, Parameters<TestStratus['request']>[2]]> = [
        ['missing field', { body: missing }],
        ['wrong type', { body: { ...valid, [firstField]: 42 } }],
        ['unknown field', { body: { ...valid, isAdmin: true } }],
        ['invalid JSON', { rawBody: '{"email": ' }],
        ['not an object', { body: ['a'] }],
        ['no content type', { rawBody: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } }],
      ];
      for (const [name, options] of cases) {
        const reply = await s.request('POST', path, options);
        assert.ok(reply.status >= 400 && reply.status < 500, `${name}: got ${reply.status}`);
        assert.equal(reply.headers.get('content-type'), 'application/problem+json', name);
        assert.ok(reply.body.detail, `${name}: a detail to act on`);
        if (name === 'missing field' || name === 'wrong type') {
          assert.ok(
            reply.body.errors.some((e: { field: string }) => e.field === `body.${firstField}`),
            `${name}: names the field`,
          );
        }
      }
    });
  }

  test('an oversize body is refused with 413 before it is read whole', async () => {
    const reply = await s.request('POST', '/v1/auth/signup', {
      body: { email: 'big@example.com', password: PASSWORD, name: 'x'.repeat(1024 * 1024 + 10) },
    });
    assert.equal(reply.status, 413);
    assert.equal(reply.headers.get('content-type'), 'application/problem+json');
  });

  test('sign-up refuses short, overlong and common passwords, and bad emails; nothing is written', async () => {
    for (const [password, pattern] of [
      ['short', /at least 8/],
      ['x'.repeat(257), /at most 256/],
      ['password123', /most common/],
      ['qwertyuiop', /most common/],
    ] as const) {
      const reply = await s.request('POST', '/v1/auth/signup', {
        body: { email: 'pw@example.com', password, name: 'P' },
      });
      assert.equal(reply.status, 400);
      assert.match(reply.body.detail, pattern);
    }
    const badEmail = await s.request('POST', '/v1/auth/signup', {
      body: { email: 'not-an-email', password: PASSWORD, name: 'P' },
    });
    assert.equal(badEmail.status, 400);
    const count = s.runtime.db.prepare('SELECT COUNT(*) AS n FROM identity_users').get() as { n: number };
    assert.equal(count.n, 0);
    assert.equal((await s.runtime.outbox.list()).length, 0);
  });

  test('a duplicate email gets 409', async () => {
    await s.newUser('dup@example.com');
    const reply = await s.request('POST', '/v1/auth/signup', {
      body: { email: 'DUP@example.com', password: PASSWORD, name: 'D' },
    });
    assert.equal(reply.status, 409);
    assert.equal(reply.body.code, 'UsernameExists');
  });

  test('a confirmation code survives only five wrong guesses', async () => {
    const email = 'guess@example.com';
    await s.request('POST', '/v1/auth/signup', { body: { email, password: PASSWORD, name: 'G' } });
    const code = await s.mailedCode(email);
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      assert.equal((await s.request('POST', '/v1/auth/confirm', { body: { email, code: wrongCode } })).status, 400);
    }
    // The right code no longer works (the guess throttle may answer first, with 429).
    const right = await s.request('POST', '/v1/auth/confirm', { body: { email, code } });
    assert.ok(right.status === 400 || right.status === 429, `the spent code is refused (got ${right.status})`);
    const user = s.runtime.db.prepare('SELECT confirmed FROM identity_users WHERE email = ?').get(email) as {
      confirmed: number;
    };
    assert.equal(user.confirmed, 0);
  });

  test('unknown routes get a 404 problem', async () => {
    const reply = await s.request('GET', '/v1/nothing-here');
    assert.equal(reply.status, 404);
    assert.equal(reply.headers.get('content-type'), 'application/problem+json');
  });
});

describe('accounts: repeated failures are throttled with 429 and Retry-After', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({}, { throttle: { perAccount: 3, perAddress: 6, windowSeconds: 60 } });
  });
  after(() => s.stop());

  test('wrong passwords on one account, then from one address, until the window passes', async () => {
    await s.newUser('victim@example.com');
    for (let i = 0; i < 3; i++) {
      const reply = await s.request('POST', '/v1/auth/signin', {
        body: { email: 'victim@example.com', password: 'wrong guess!' },
      });
      assert.equal(reply.status, 401);
    }
    const blocked = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'victim@example.com', password: PASSWORD },
    });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);

    // Spreading guesses over other accounts is caught by the address limit.
    for (let i = 0; i < 3; i++) {
      await s.request('POST', '/v1/auth/signin', {
        body: { email: `other${i}@example.com`, password: 'wrong guess!' },
      });
    }
    const fromAddress = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'fresh@example.com', password: 'wrong guess!' },
    });
    assert.equal(fromAddress.status, 429);

    // Once the window has passed, the owner signs in again.
    s.clock.advance(61_000);
    const later = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'victim@example.com', password: PASSWORD },
    });
    assert.equal(later.status, 200);
  });
});

describe('accounts: forged, expired and misused tokens are all refused with 401', () => {
  let s: TestStratus;
  let tokens: { accessToken: string; idToken: string; refreshToken: string };
  let privateJwk: Record<string, unknown>;

  before(async () => {
    s = await TestStratus.start();
    tokens = await s.newUser('target@example.com');
    privateJwk = JSON.parse(await readFile(join(s.dataDir, 'keys', 'token-signing-key.json'), 'utf8'));
  });
  after(() => s.stop());

  const me = (token: string) => s.request('GET', '/v1/me', { token });
  const claims = () => decodeJwt(tokens.accessToken);
  const signWithInstallationKey = async (payload: Record<string, unknown>) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid as string })
      .sign(await importJWK({ ...privateJwk, alg: 'RS256' }, 'RS256'));

  test('the genuine token works (the control for the cases below)', async () => {
    assert.equal((await me(tokens.accessToken)).status, 200);
    const resigned = await signWithInstallationKey(claims());
    assert.equal((await me(resigned)).status, 200);
  });

  test('no token, or a malformed header', async () => {
    assert.equal((await s.request('GET', '/v1/me')).status, 401);
    assert.equal(
      (await s.request('GET', '/v1/me', { headers: { authorization: `Basic ${tokens.accessToken}` } })).status,
      401,
    );
    assert.equal((await me('not.a.jwt')).status, 401);
  });

  test('a tampered signature or payload', async () => {
    const [header, payload, signature] = tokens.accessToken.split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    assert.equal((await me(`${header}.${payload}.${flipped}`)).status, 401);
    const otherSub = Buffer.from(JSON.stringify({ ...claims(), sub: 'someone-else' })).toString('base64url');
    assert.equal((await me(`${header}.${otherSub}.${signature}`)).status, 401);
  });

  test('alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    assert.equal((await me(`${header}.${payload}.`)).status, 401);
  });

  test('HS256 signed with the public key as the secret', async () => {
    const jwks = (await s.request('GET', '/.well-known/jwks.json')).body;
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid }).sign(secret);
    assert.equal((await me(forged)).status, 401);
  });

  test('expired, wrong issuer, wrong client id, missing token_use', async () => {
    const now = Math.floor(s.clock.now() / 1000);
    const cases = {
      expired: { ...claims(), iat: now - 7200, exp: now - 3600 },
      'wrong issuer': { ...claims(), iss: 'https://evil.example.com' },
      'wrong client id': { ...claims(), client_id: 'another-app' },
      'no token_use': { ...claims(), token_use: undefined },
    };
    for (const [name, payload] of Object.entries(cases)) {
      assert.equal((await me(await signWithInstallationKey(payload))).status, 401, name);
    }
  });

  test('a token expires with the clock', async () => {
    const { accessToken } = await s.newUser('clock@example.com');
    s.clock.advance(3601_000);
    assert.equal((await me(accessToken)).status, 401);
    s.clock.advance(-3601_000);
  });

  test('an id token used as an access token', async () => {
    assert.equal((await me(tokens.idToken)).status, 401);
  });

  test('a refresh token used as a bearer token, or a made-up refresh token', async () => {
    assert.equal((await me(tokens.refreshToken)).status, 401);
    assert.equal((await s.request('POST', '/v1/auth/refresh', { body: { refreshToken: 'made-up' } })).status, 401);
  });
});

describe('HTTP layer: health, headers, CORS, OpenAPI and docs', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ CORS_ORIGINS: 'https://app.example.com' });
  });
  after(() => s.stop());

  test('GET /health answers 200 {"status":"ok"} with secure headers and a request id', async () => {
    const reply = await s.request('GET', '/health');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ok' });
    assert.match(reply.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(reply.headers.get('x-frame-options'), 'DENY');
    assert.match(reply.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.ok(reply.headers.get('x-request-id'));
  });

  test('CORS answers only the configured origins', async () => {
    const preflight = (origin: string) =>
      s.request('OPTIONS', '/v1/me', {
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example.com');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const refused = await preflight('https://evil.example.com');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    // The actual request: the allowed origin may read the answer and the headers it needs.
    const actual = await s.request('GET', '/health', { headers: { origin: 'https://app.example.com' } });
    assert.equal(actual.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(actual.headers.get('access-control-expose-headers') ?? '', /ETag/);
    assert.match(actual.headers.get('vary') ?? '', /Origin/);
    const other = await s.request('GET', '/health', { headers: { origin: 'https://evil.example.com' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('x-frame-options'), 'DENY', 'secure headers on every answer');
  });

  test('every route fits Hono’s RegExpRouter: one that does not would move all routes to the slower TrieRouter', async () => {
    await s.request('GET', '/health');
    assert.equal(s.runtime.app.router.name, 'SmartRouter + RegExpRouter');
  });

  test('GET /openapi.json is OpenAPI 3.1 generated from the schemas', async () => {
    const reply = await s.request('GET', '/openapi.json');
    assert.equal(reply.body.openapi, '3.1.0');
    assert.ok(reply.body.paths['/v1/auth/signup'].post);
    assert.ok(reply.body.paths['/v1/me'].get.security);
    assert.ok(reply.body.components.schemas.SignUp);
  });

  test('the docs page and its assets are served locally (works offline)', async () => {
    const page = await s.request('GET', '/docs');
    assert.equal(page.status, 200);
    const scripts = [...String(page.body).matchAll(/src="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(scripts.length >= 2);
    for (const src of scripts) {
      assert.ok(src.startsWith('/'), `${src} is served by Stratus, not a CDN`);
      assert.equal((await s.request('GET', src)).status, 200, src);
    }
    assert.equal((await s.request('GET', '/docs/package.json')).status, 404, 'only the listed files');
  });

  test('the dev outbox page lists sent mail', async () => {
    await s.request('POST', '/v1/auth/signup', {
      body: { email: 'outbox@example.com', password: PASSWORD, name: '<b>X</b>' },
    });
    const page = await s.request('GET', '/_dev/outbox');
    assert.match(String(page.body), /outbox@example\.com/);
    const json = await s.request('GET', '/_dev/outbox?format=json');
    assert.equal(json.body.items[0].to, 'outbox@example.com');
  });
});

describe('public routes: a token bucket per client address', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start({ RATE_LIMIT_PER_ADDRESS: '1' });
  });
  after(() => s.stop());

  test('a burst from one address is cut off with 429 and Retry-After, across sign-in, public sites and shared galleries; it refills with time', async () => {
    // 1 request per second, bursts of 2; the test clock stands still until moved.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await s.request('GET', '/v1/auth/providers')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const refused = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'a@example.com', password: 'x'.repeat(12) },
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.body.detail, /Too many requests from your address/);
    assert.equal((await s.request('GET', '/health')).status, 200, 'the health check is not counted');
    s.clock.advance(1000);
    assert.equal((await s.request('GET', '/v1/auth/providers')).status, 200);
    // Public sites and shared galleries draw on the same budget: a scraper of either is cut off too.
    s.clock.advance(2000);
    const pages = [];
    for (const path of ['/v1/sites/nobody-here', '/v1/shared/no-such-token', '/v1/sites/nobody-else']) {
      pages.push((await s.request('GET', path)).status);
    }
    assert.deepEqual(
      pages.slice(0, 2).map((status) => status !== 429),
      [true, true],
    );
    assert.equal(pages[2], 429);
  });
});
