import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { AppError } from '../../src/platform/errors.ts';
import {
  ADMINS_GROUP,
  type Caller,
  type Identity,
  type IdentityAdmin,
  type IdentityHooks,
  type SignInResult,
  type Tokens,
} from '../../src/platform/identity.ts';

export interface IdentityUnderTest {
  /** The user pool, with its operator calls (the console's users page). */
  identity: Identity & IdentityAdmin;
  /** The latest six-digit code mailed to this address. */
  readCode(email: string): Promise<string>;
  /** The adapter's clock, in ms. */
  now(): number;
  /** Moves the adapter's clock forward (TOTP codes are single-use per 30 s step). */
  advance(ms: number): Promise<void>;
  /**
   * The time, in ms, the peer checks TOTP codes against, when that is not `now()`: cognito-local
   * checks them against the real time, which no test can move.
   */
  totpTime?(): number;
  /**
   * What the peer cannot do, each with the reason; the cases that need it are skipped (and the
   * adapter's own tests cover its mapping instead).
   */
  lacks?: { globalSignOut?: string; disabledSignIn?: string };
  close(): Promise<void>;
}

/** Hooks the suite installs, so it can check that each adapter calls them as Cognito's triggers. */
export const REFUSED_DOMAIN = 'refused.example';
export interface HookLog {
  confirmed: string[];
}

/**
 * What every Identity adapter must do (the built-in issuer here, Cognito on AWS): the same
 * flows, failing with the same Cognito exception names.
 */
export function identityContract(adapter: string, open: (hooks: IdentityHooks) => Promise<IdentityUnderTest>): void {
  describe(`Identity contract: ${adapter}`, () => {
    let subject: IdentityUnderTest;
    let identity: Identity & IdentityAdmin;
    const log: HookLog = { confirmed: [] };
    const hooks: IdentityHooks = {
      async preSignUp(event) {
        if (event.email.endsWith(`@${REFUSED_DOMAIN}`)) {
          throw new AppError(400, 'PreSignUpRefused', `Sign-ups from ${REFUSED_DOMAIN} are closed`);
        }
      },
      async postConfirmation(event) {
        log.confirmed.push(event.sub);
      },
    };
    let counter = 0;
    const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${counter++}@example.com`;
    const password = 'correct horse battery staple';

    /** A confirmed, signed-in user. */
    async function confirmedUser(tag: string): Promise<{ email: string; sub: string; tokens: Tokens; caller: Caller }> {
      const email = uniqueEmail(tag);
      const { sub } = await identity.signUp({ email, password, name: tag });
      await identity.confirmSignUp(email, await subject.readCode(email));
      const tokens = tokensOf(await identity.signIn(email, password));
      return { email, sub, tokens, caller: { sub, accessToken: tokens.accessToken } };
    }

    async function totpNow(secret: string): Promise<string> {
      await subject.advance(30_000); // each code is good once: move to a fresh step
      const timestamp = subject.totpTime?.() ?? subject.now();
      return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp });
    }

    before(async () => {
      subject = await open(hooks);
      identity = subject.identity;
    });
    after(() => subject.close());

    test('sign up, confirm with the mailed code, sign in: the access token verifies to the same sub', async () => {
      const { sub, tokens, email } = await confirmedUser('flow');
      const claims = await identity.verifyAccessToken(tokens.accessToken);
      assert.equal(claims.sub, sub);
      assert.equal(claims.token_use, 'access');
      assert.ok(claims.exp > claims.iat);
      const user = await identity.getUser({ sub, accessToken: tokens.accessToken });
      assert.equal(user.email, email);
      assert.equal(user.emailVerified, true);
      assert.equal(user.mfaEnabled, false);
    });

    test('the post-confirmation hook runs once with the new sub', async () => {
      const { sub } = await confirmedUser('hooked');
      assert.equal(log.confirmed.filter((s) => s === sub).length, 1);
    });

    test('the pre-sign-up hook refuses a sign-up with its own message, and no account is made', async () => {
      const email = `someone@${REFUSED_DOMAIN}`;
      await rejectsWith(identity.signUp({ email, password, name: 'No' }), 'PreSignUpRefused', /closed/);
      await rejectsWith(identity.signIn(email, password), 'NotAuthorized');
    });

    test('signing in before confirming is refused with UserNotConfirmed', async () => {
      const email = uniqueEmail('unconfirmed');
      await identity.signUp({ email, password, name: 'U' });
      await rejectsWith(identity.signIn(email, password), 'UserNotConfirmed');
    });

    test('a wrong confirmation code is CodeMismatch; a confirmed email cannot sign up again', async () => {
      const email = uniqueEmail('code');
      await identity.signUp({ email, password, name: 'C' });
      const code = await subject.readCode(email);
      const wrong = code === '000000' ? '111111' : '000000';
      await rejectsWith(identity.confirmSignUp(email, wrong), 'CodeMismatch');
      await identity.confirmSignUp(email, code);
      await rejectsWith(identity.signUp({ email, password, name: 'C' }), 'UsernameExists');
    });

    test('a wrong password and an unknown email fail alike (no account enumeration)', async () => {
      const { email } = await confirmedUser('enum');
      const wrong = await rejection(identity.signIn(email, 'not the password at all'));
      const unknown = await rejection(identity.signIn(uniqueEmail('nobody'), password));
      assert.equal(wrong.code, 'NotAuthorized');
      assert.equal(unknown.code, 'NotAuthorized');
      assert.equal(wrong.detail, unknown.detail);
    });

    test('a garbage access token is refused with NotAuthorized', async () => {
      await rejectsWith(identity.verifyAccessToken('not.a.token'), 'NotAuthorized');
    });

    test('refresh issues new tokens for the same sub', async () => {
      const { sub, tokens } = await confirmedUser('refresh');
      const renewed = await identity.refresh(tokens.refreshToken);
      assert.equal((await identity.verifyAccessToken(renewed.accessToken)).sub, sub);
      assert.ok(renewed.refreshToken);
    });

    test('signing out everywhere revokes the refresh token', async (t) => {
      if (subject.lacks?.globalSignOut) return t.skip(subject.lacks.globalSignOut);
      const { sub, tokens } = await confirmedUser('sign-out');
      const renewed = await identity.refresh(tokens.refreshToken);
      await identity.signOutEverywhere(sub);
      await rejectsWith(identity.refresh(renewed.refreshToken), 'NotAuthorized');
    });

    test('forgot password mails a code; the reset sets the new password and returns the sub', async () => {
      const { email, sub } = await confirmedUser('forgot');
      await identity.forgotPassword(email);
      const code = await subject.readCode(email);
      const newPassword = 'another long passphrase';
      assert.deepEqual(await identity.resetPassword(email, code, newPassword), { sub });
      await rejectsWith(identity.signIn(email, password), 'NotAuthorized');
      tokensOf(await identity.signIn(email, newPassword));
    });

    test('forgot password for an unknown email answers the same as for a known one', async () => {
      await identity.forgotPassword(uniqueEmail('ghost'));
    });

    test('change password needs the current one', async () => {
      const { email, caller } = await confirmedUser('change');
      await rejectsWith(identity.changePassword(caller, 'wrong current password', 'whatever new one'), 'NotAuthorized');
      await identity.changePassword(caller, password, 'a brand new passphrase');
      tokensOf(await identity.signIn(email, 'a brand new passphrase'));
    });

    test('update keeps unchanged attributes; delete removes the account', async () => {
      const { email, caller } = await confirmedUser('profile');
      await identity.updateUser(caller, { attributes: { bio: 'hello', website: 'https://example.com' } });
      const updated = await identity.updateUser(caller, { name: 'Renamed', attributes: { bio: 'changed' } });
      assert.equal(updated.name, 'Renamed');
      assert.deepEqual(updated.attributes, { bio: 'changed', website: 'https://example.com' });
      await identity.deleteUser(caller);
      await rejectsWith(identity.signIn(email, password), 'NotAuthorized');
    });

    test('setAttributes works without the user’s token: sets, keeps the others, removes with an empty value', async () => {
      const { caller } = await confirmedUser('admin-attributes');
      await identity.updateUser(caller, { attributes: { bio: 'kept' } });
      await identity.setAttributes(caller.sub, { profile_picture_url: 'https://media.example.com/p.jpg' });
      assert.deepEqual((await identity.getUser(caller)).attributes, {
        bio: 'kept',
        profile_picture_url: 'https://media.example.com/p.jpg',
      });
      await identity.setAttributes(caller.sub, { profile_picture_url: '' });
      assert.deepEqual((await identity.getUser(caller)).attributes, { bio: 'kept' });
      await identity.setAttributes('00000000-0000-0000-0000-000000000000', { bio: 'nobody' });
    });

    test('MFA: set up, enable with a TOTP code, then sign-in is a challenge answered by TOTP or a recovery code', async () => {
      const { email, caller } = await confirmedUser('mfa');
      const { secret, otpauthUri } = await identity.setupMfa(caller);
      assert.match(otpauthUri, /^otpauth:\/\/totp\//);
      const { recoveryCodes } = await identity.enableMfa(caller, await totpNow(secret));
      assert.equal(recoveryCodes.length, 10);
      assert.equal((await identity.getUser(caller)).mfaEnabled, true);

      const first = challengeOf(await identity.signIn(email, password));
      tokensOf({ tokens: await identity.respondToMfaChallenge(first, await totpNow(secret)) });

      const second = challengeOf(await identity.signIn(email, password));
      tokensOf({ tokens: await identity.respondToMfaChallenge(second, recoveryCodes[0] as string) });
      // A recovery code is spent by its use.
      const third = challengeOf(await identity.signIn(email, password));
      await rejectsWith(identity.respondToMfaChallenge(third, recoveryCodes[0] as string), 'CodeMismatch');
    });

    test('MFA: a challenge session dies after five wrong codes, even if the sixth is right', async () => {
      const { email, caller } = await confirmedUser('mfa-limit');
      const { secret } = await identity.setupMfa(caller);
      await identity.enableMfa(caller, await totpNow(secret));
      const session = challengeOf(await identity.signIn(email, password));
      for (let i = 0; i < 5; i++) await rejectsWith(identity.respondToMfaChallenge(session, '000000'), 'CodeMismatch');
      await rejectsWith(identity.respondToMfaChallenge(session, await totpNow(secret)), 'ExpiredSession');
    });

    test('MFA: a challenge session expires after three minutes', async () => {
      const { email, caller } = await confirmedUser('mfa-expiry');
      const { secret } = await identity.setupMfa(caller);
      await identity.enableMfa(caller, await totpNow(secret));
      const session = challengeOf(await identity.signIn(email, password));
      await subject.advance(181_000);
      await rejectsWith(identity.respondToMfaChallenge(session, await totpNow(secret)), 'ExpiredSession');
    });

    test('operator: users found by email prefix and by name, read whole, put in and out of a group, disabled and enabled, deleted', async (t) => {
      const found = await confirmedUser('operator');
      const tag = `Quentin Operator ${counter++}`;
      const named = uniqueEmail('named');
      const { sub: namedSub } = await identity.signUp({ email: named, password, name: tag });
      await identity.confirmSignUp(named, await subject.readCode(named));

      const byEmail = await identity.listUsers({ query: found.email.slice(0, -12).toUpperCase(), limit: 10 });
      assert.deepEqual(
        byEmail.users.map((u) => u.sub),
        [found.sub],
      );
      const byName = await identity.listUsers({ query: tag, limit: 10 });
      assert.deepEqual(
        byName.users.map((u) => [u.sub, u.name]),
        [[namedSub, tag]],
      );
      const whole = await identity.adminGetUser(found.sub);
      assert.equal(whole?.email, found.email);
      assert.equal(whole?.enabled, true);
      assert.deepEqual(whole?.groups, []);
      assert.equal(await identity.userSubByEmail(found.email.toUpperCase()), found.sub);
      assert.equal(await identity.adminGetUser('00000000-0000-4000-8000-000000000000'), undefined);

      await identity.addToGroup(found.sub, ADMINS_GROUP);
      assert.deepEqual(await identity.groupsOf(found.sub), [ADMINS_GROUP]);
      assert.deepEqual((await identity.adminGetUser(found.sub))?.groups, [ADMINS_GROUP]);
      await identity.removeFromGroup(found.sub, ADMINS_GROUP);
      assert.deepEqual(await identity.groupsOf(found.sub), []);

      await identity.setEnabled(found.sub, false);
      assert.equal((await identity.adminGetUser(found.sub))?.enabled, false);
      if (!subject.lacks?.disabledSignIn) {
        await rejectsWith(identity.signIn(found.email, password), 'NotAuthorized');
      }
      await identity.setEnabled(found.sub, true);
      tokensOf(await identity.signIn(found.email, password));

      await identity.adminDeleteUser(namedSub);
      assert.equal(await identity.adminGetUser(namedSub), undefined);
      assert.equal(await identity.userSubByEmail(named), undefined);
      if (subject.lacks?.disabledSignIn) t.diagnostic(`not checked here: ${subject.lacks.disabledSignIn}`);
    });
  });
}

function tokensOf(result: SignInResult): Tokens {
  assert.ok('tokens' in result, 'signed in without a challenge');
  return result.tokens;
}

function challengeOf(result: SignInResult): string {
  assert.ok('challenge' in result, 'an MFA challenge');
  assert.equal(result.challenge, 'SOFTWARE_TOKEN_MFA');
  return result.session;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<void> {
  const error = await rejection(promise);
  assert.equal(error.code, code, `${error.code}: ${error.detail}`);
  if (detail) assert.match(error.detail, detail);
}
