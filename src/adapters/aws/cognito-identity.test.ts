import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AdminGetUserCommand,
  CodeDeliveryFailureException,
  CodeMismatchException,
  EnableSoftwareTokenMFAException,
  InvalidParameterException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  TooManyFailedAttemptsException,
  UserLambdaValidationException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { exportJWK, SignJWT } from 'jose';
import * as OTPAuth from 'otpauth';
import { identityContract } from '../../../test/contracts/identity.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { type CognitoLocal, startCognitoLocal } from '../../../test/support/cognito-local.ts';
import { AppError } from '../../platform/errors.ts';
import type { Caller, SignInResult, Tokens } from '../../platform/identity.ts';
import { openDatabase } from '../local/database.ts';
import { SqliteTable } from '../local/sqlite-table.ts';
import { type CognitoClient, CognitoIdentity } from './cognito-identity.ts';
import { openWithRecoveryCode, sealUnderRecoveryCodes } from './cognito-recovery-codes.ts';
import { postConfirmationHandler, preSignUpHandler } from './cognito-triggers.ts';

// ---------------------------------------------------------------- the contract, on cognito-local

identityContract('Cognito (cognito-local)', async (hooks) => {
  const clock = new TestClock();
  const peer = await startCognitoLocal({
    clock,
    triggers: { PreSignUp: preSignUpHandler(hooks), PostConfirmation: postConfirmationHandler(hooks) },
  });
  const db = openDatabase(':memory:');
  return {
    identity: identityOn(peer, new SqliteTable(db, clock), clock),
    readCode: async (email) => codeFor(peer, email),
    now: () => clock.now(),
    advance: async (ms) => clock.advance(ms),
    totpTime: () => Date.now(),
    lacks: {
      globalSignOut: 'cognito-local has no AdminUserGlobalSignOut (its mapping is tested below)',
      disabledSignIn: 'cognito-local signs disabled users in (Cognito answers NotAuthorizedException)',
    },
    async close() {
      await peer.close();
      db.close();
    },
  };
});

function identityOn(peer: CognitoLocal, table: SqliteTable, clock: TestClock): CognitoIdentity {
  return new CognitoIdentity({
    client: peer.client,
    userPoolId: peer.userPoolId,
    clientId: peer.clientId,
    issuer: peer.issuer,
    jwksCache: peer.jwksCache,
    table,
    clock,
  });
}

function codeFor(peer: CognitoLocal, email: string): string {
  const code = peer.latestCode(email.trim().toLowerCase());
  if (!code) throw new Error(`no code was sent to ${email}`);
  return code;
}

// ---------------------------------------------------------------- beyond the contract, on cognito-local

describe('CognitoIdentity on cognito-local', () => {
  let peer: CognitoLocal;
  let identity: CognitoIdentity;
  const clock = new TestClock();
  const db = openDatabase(':memory:');
  const password = 'correct horse battery staple';

  before(async () => {
    peer = await startCognitoLocal({ clock });
    identity = identityOn(peer, new SqliteTable(db, clock), clock);
  });
  after(async () => {
    await peer.close();
    db.close();
  });

  async function signedIn(tag: string): Promise<{ email: string; caller: Caller; tokens: Tokens }> {
    const email = `${tag}-${randomUUID()}@example.com`;
    const { sub } = await identity.signUp({ email, password, name: tag });
    await identity.confirmSignUp(email, codeFor(peer, email));
    const tokens = tokensOf(await identity.signIn(email, password));
    return { email, caller: { sub, accessToken: tokens.accessToken }, tokens };
  }

  test('attributes are stored as custom:<name>, or as the standard attribute of that name, and read back', async () => {
    const email = `attrs-${randomUUID()}@Example.com`;
    const attributes = { bio: 'hi', preferred_username: 'ada', zoneinfo: 'Europe/London' };
    const { sub } = await identity.signUp({ email, password, name: 'Ada', attributes });
    const stored = await peer.client.send(new AdminGetUserCommand({ UserPoolId: peer.userPoolId, Username: sub }));
    const byName = Object.fromEntries((stored.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    assert.equal(byName.email, email.toLowerCase(), 'the email is kept in lower case');
    assert.equal(byName['custom:bio'], 'hi');
    assert.equal(byName.preferred_username, 'ada');
    assert.equal(byName.zoneinfo, 'Europe/London');
    await identity.confirmSignUp(email, codeFor(peer, email));
    const tokens = tokensOf(await identity.signIn(email, password));
    const user = await identity.getUser({ sub, accessToken: tokens.accessToken });
    assert.deepEqual(user.attributes, attributes);
    assert.equal(user.name, 'Ada');
    assert.ok(Date.parse(user.createdAt) > 0);
  });

  test('an unconfirmed sign-up may be repeated, and the code of the second one confirms it', async () => {
    const email = `again-${randomUUID()}@example.com`;
    await identity.signUp({ email, password: 'first try with a typo', name: 'A' });
    const { sub } = await identity.signUp({ email, password, name: 'A' });
    await identity.confirmSignUp(email, codeFor(peer, email));
    const tokens = tokensOf(await identity.signIn(email, password));
    assert.equal((await identity.verifyAccessToken(tokens.accessToken)).sub, sub);
  });

  test('confirming an already confirmed account is harmless', async () => {
    const { email } = await signedIn('twice');
    await identity.confirmSignUp(email, '123456');
  });

  test('an id token is refused where an access token is needed', async () => {
    const { tokens } = await signedIn('id-token');
    await assert.rejects(identity.verifyAccessToken(tokens.idToken), (error: AppError) => {
      assert.equal(error.code, 'NotAuthorized');
      assert.match(error.detail, /not an access token/);
      return true;
    });
  });

  test('MFA can be turned off with a TOTP code, and sign-in is then a single step', async () => {
    const { email, caller } = await signedIn('mfa-off');
    const { secret } = await identity.setupMfa(caller);
    await identity.enableMfa(caller, totp(secret));
    await rejectsWith(identity.setupMfa(caller), 'MfaAlreadyEnabled');
    await rejectsWith(identity.disableMfa(caller, '000000'), 'CodeMismatch');
    await identity.disableMfa(caller, totp(secret));
    assert.equal((await identity.getUser(caller)).mfaEnabled, false);
    tokensOf(await identity.signIn(email, password));
    await rejectsWith(identity.disableMfa(caller, totp(secret)), 'MfaNotEnabled');
  });

  test('MFA can be turned off with a recovery code', async () => {
    const { caller } = await signedIn('mfa-off-recovery');
    const { secret } = await identity.setupMfa(caller);
    const { recoveryCodes } = await identity.enableMfa(caller, totp(secret));
    await identity.disableMfa(caller, (recoveryCodes[3] as string).toLowerCase());
    assert.equal((await identity.getUser(caller)).mfaEnabled, false);
  });

  test('enabling MFA needs a setup first, then a right code', async () => {
    const { caller } = await signedIn('mfa-order');
    await rejectsWith(identity.enableMfa(caller, '123456'), 'MfaNotSetUp');
    await identity.setupMfa(caller);
    await rejectsWith(identity.enableMfa(caller, 'abc'), 'CodeMismatch');
  });

  test('a wrong current password is NotAuthorized; once deleted, the account is gone', async () => {
    const { caller } = await signedIn('change');
    await rejectsWith(identity.changePassword(caller, 'not it at all', 'a new passphrase'), 'NotAuthorized');
    await identity.deleteUser(caller);
    await rejectsWith(identity.getUser(caller), 'NotAuthorized');
  });
});

// ---------------------------------------------------------------- mapping: what cognito-local cannot answer

/** A Cognito client that records each command and answers from a script. */
class ScriptedCognito {
  readonly sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  constructor(private readonly answer: (command: string, input: Record<string, unknown>) => unknown) {}

  async send(command: { input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    this.sent.push({ command: name, input: command.input });
    return this.answer(name, command.input);
  }
}

const POOL = 'us-east-1_Example1';
const CLIENT = 'client-1';
const meta = { $metadata: {} };

function scripted(answer: (command: string, input: Record<string, unknown>) => unknown): {
  identity: CognitoIdentity;
  cognito: ScriptedCognito;
  table: SqliteTable;
} {
  const cognito = new ScriptedCognito(answer);
  const db = openDatabase(':memory:');
  const table = new SqliteTable(db, new TestClock());
  const identity = new CognitoIdentity({
    client: cognito as unknown as CognitoClient,
    userPoolId: POOL,
    clientId: CLIENT,
    table,
    jwksCache: new SimpleJwksCache(),
  });
  return { identity, cognito, table };
}

const fails = (error: Error) => () => {
  throw error;
};

describe('CognitoIdentity: commands and error mapping', () => {
  test('signOutEverywhere is AdminUserGlobalSignOut on the sub; an unknown sub is no error', async () => {
    const { identity, cognito } = scripted(
      fails(new UserNotFoundException({ message: 'User does not exist.', ...meta })),
    );
    await identity.signOutEverywhere('sub-1');
    assert.deepEqual(cognito.sent, [
      { command: 'AdminUserGlobalSignOut', input: { UserPoolId: POOL, Username: 'sub-1' } },
    ]);
  });

  test('signOutEverywhere passes on a failure that is not the user’s (e.g. missing IAM permission)', async () => {
    const denied = Object.assign(new Error('not authorized to perform cognito-idp:AdminUserGlobalSignOut'), {
      name: 'AccessDeniedException',
      $metadata: {},
    });
    const { identity } = scripted(fails(denied));
    await assert.rejects(identity.signOutEverywhere('sub-1'), (error) => error === denied);
  });

  test('resendCode is silent for unknown and confirmed accounts, and 429 LimitExceeded when too many were sent', async () => {
    for (const error of [
      new UserNotFoundException({ message: 'Username/client id combination not found.', ...meta }),
      new InvalidParameterException({ message: 'User is already confirmed.', ...meta }),
    ]) {
      const { identity, cognito } = scripted(fails(error));
      await identity.resendCode(' Ada@Example.com ');
      assert.deepEqual(cognito.sent[0], {
        command: 'ResendConfirmationCode',
        input: { ClientId: CLIENT, Username: 'ada@example.com' },
      });
    }
    const { identity } = scripted(fails(new LimitExceededException({ message: 'Attempt limit exceeded', ...meta })));
    const error = await rejectsWith(identity.resendCode('ada@example.com'), 'LimitExceeded');
    assert.equal(error.status, 429);
    assert.ok(error.retryAfterSeconds);
  });

  test('signIn is USER_PASSWORD_AUTH with the normalized email; unknown email and wrong password read the same', async () => {
    const wrong = scripted(fails(new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta })));
    const unknown = scripted(fails(new UserNotFoundException({ message: 'User does not exist.', ...meta })));
    const a = await rejectsWith(wrong.identity.signIn('Ada@Example.com', 'pw'), 'NotAuthorized');
    const b = await rejectsWith(unknown.identity.signIn('nobody@example.com', 'pw'), 'NotAuthorized');
    assert.equal(a.detail, b.detail);
    assert.deepEqual(wrong.cognito.sent[0], {
      command: 'InitiateAuth',
      input: {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: CLIENT,
        AuthParameters: { USERNAME: 'ada@example.com', PASSWORD: 'pw' },
      },
    });
    const reset = scripted(fails(new PasswordResetRequiredException({ message: 'Password reset required', ...meta })));
    assert.equal(
      (await rejectsWith(reset.identity.signIn('a@example.com', 'pw'), 'PasswordResetRequired')).status,
      403,
    );
  });

  test('refresh is REFRESH_TOKEN_AUTH and keeps the refresh token Cognito does not rotate; a revoked one is NotAuthorized', async () => {
    const { identity, cognito } = scripted(() => ({
      AuthenticationResult: { AccessToken: 'a.b.c', IdToken: 'i.d.t', ExpiresIn: 3600, TokenType: 'Bearer' },
    }));
    const tokens = await identity.refresh('refresh-1');
    assert.deepEqual(cognito.sent[0]?.input, {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: CLIENT,
      AuthParameters: { REFRESH_TOKEN: 'refresh-1' },
    });
    assert.equal(tokens.refreshToken, 'refresh-1');
    assert.equal(tokens.expiresIn, 3600);
    const revoked = scripted(fails(new NotAuthorizedException({ message: 'Refresh Token has been revoked', ...meta })));
    const error = await rejectsWith(revoked.identity.refresh('refresh-1'), 'NotAuthorized');
    assert.match(error.detail, /refresh token is invalid, expired or revoked/);
  });

  test('a pre-sign-up refusal comes back from UserLambdaValidationException as the hook’s own AppError', async () => {
    const { identity, cognito } = scripted(
      fails(
        new UserLambdaValidationException({
          message: 'PreSignUp failed with error [400 PreSignUpRefused] Sign-ups from refused.example are closed.',
          ...meta,
        }),
      ),
    );
    const error = await rejectsWith(
      identity.signUp({ email: 'X@Refused.Example', password: 'pw', name: 'X', attributes: { bio: 'b' } }),
      'PreSignUpRefused',
    );
    assert.equal(error.status, 400);
    assert.equal(error.detail, 'Sign-ups from refused.example are closed');
    assert.deepEqual(cognito.sent[0], {
      command: 'SignUp',
      input: {
        ClientId: CLIENT,
        Username: 'x@refused.example',
        Password: 'pw',
        UserAttributes: [
          { Name: 'email', Value: 'x@refused.example' },
          { Name: 'name', Value: 'X' },
          { Name: 'custom:bio', Value: 'b' },
        ],
      },
    });
  });

  test('a trigger that crashed (no refusal in its message) is a bug, not an AppError', async () => {
    const crash = new UserLambdaValidationException({
      message: 'PreSignUp failed with error Cannot read properties of undefined.',
      ...meta,
    });
    const { identity } = scripted(fails(crash));
    await assert.rejects(identity.signUp({ email: 'a@example.com', password: 'pw', name: 'A' }), (error) => {
      assert.ok(!(error instanceof AppError));
      return true;
    });
  });

  test('confirmSignUp: too many wrong codes is ExpiredCode; an unknown user is CodeMismatch', async () => {
    const tooMany = scripted(
      fails(new TooManyFailedAttemptsException({ message: 'Too many failed attempts', ...meta })),
    );
    await rejectsWith(tooMany.identity.confirmSignUp('a@example.com', '123456'), 'ExpiredCode');
    const unknown = scripted((command) => {
      throw command === 'ConfirmSignUp'
        ? new UserNotFoundException({ message: 'Username/client id combination not found.', ...meta })
        : new UserNotFoundException({ message: 'User does not exist.', ...meta });
    });
    await rejectsWith(unknown.identity.confirmSignUp('a@example.com', '123456'), 'CodeMismatch');
  });

  test('forgotPassword says nothing for unknown accounts or too many requests, but passes on delivery failures', async () => {
    for (const error of [
      new UserNotFoundException({ message: 'Username/client id combination not found.', ...meta }),
      new LimitExceededException({ message: 'Attempt limit exceeded, please try after some time.', ...meta }),
      new InvalidParameterException({
        message: 'Cannot reset password for the user as there is no registered/verified email or phone_number',
        ...meta,
      }),
    ]) {
      await scripted(fails(error)).identity.forgotPassword('a@example.com');
    }
    const undelivered = new CodeDeliveryFailureException({ message: 'Unable to deliver the code', ...meta });
    await assert.rejects(
      scripted(fails(undelivered)).identity.forgotPassword('a@example.com'),
      (e) => e === undelivered,
    );
  });

  test('changePassword: the wrong current password is NotAuthorized; too many tries is 429', async () => {
    const caller = { sub: 's', accessToken: 'token' };
    const wrong = scripted(fails(new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta })));
    const error = await rejectsWith(wrong.identity.changePassword(caller, 'old', 'new'), 'NotAuthorized');
    assert.equal(error.detail, 'The current password is incorrect');
    assert.equal(error.status, 403, 'the token is good: not 401');
    assert.deepEqual(wrong.cognito.sent[0], {
      command: 'ChangePassword',
      input: { AccessToken: 'token', PreviousPassword: 'old', ProposedPassword: 'new' },
    });
    const limited = scripted(fails(new LimitExceededException({ message: 'Attempt limit exceeded', ...meta })));
    assert.equal((await rejectsWith(limited.identity.changePassword(caller, 'o', 'n'), 'LimitExceeded')).status, 429);
  });

  test('the MFA challenge answers Cognito with its own session and username; a session Cognito ended is ExpiredSession', async () => {
    const { identity, cognito } = scripted((command) => {
      if (command === 'InitiateAuth') {
        return {
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: 'cognito-session',
          ChallengeParameters: { USER_ID_FOR_SRP: 'user-1' },
        };
      }
      throw new NotAuthorizedException({ message: 'Invalid session for the user, session is expired.', ...meta });
    });
    const result = await identity.signIn('a@example.com', 'pw');
    assert.ok('challenge' in result);
    assert.doesNotMatch(result.session, /cognito-session|user-1/, 'the client never sees Cognito’s session');
    await rejectsWith(identity.respondToMfaChallenge(result.session, '123456'), 'ExpiredSession');
    assert.deepEqual(cognito.sent[1], {
      command: 'RespondToAuthChallenge',
      input: {
        ClientId: CLIENT,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: 'cognito-session',
        ChallengeResponses: { USERNAME: 'user-1', SOFTWARE_TOKEN_MFA_CODE: '123456' },
      },
    });
    await rejectsWith(identity.respondToMfaChallenge(result.session, '123456'), 'ExpiredSession');
    assert.equal(cognito.sent.length, 2, 'an ended session never reaches Cognito again');
  });

  test('enableMfa: Cognito’s EnableSoftwareTokenMFAException is CodeMismatch', async () => {
    const { identity, table } = scripted((command) => {
      if (command === 'AdminGetUser') return { UserAttributes: [{ Name: 'sub', Value: 's' }], UserMFASettingList: [] };
      if (command === 'AssociateSoftwareToken') return { SecretCode: 'JBSWY3DPEHPK3PXP' };
      throw new EnableSoftwareTokenMFAException({
        message: 'Code mismatch and fail enable Software Token MFA',
        ...meta,
      });
    });
    const caller = { sub: 's', accessToken: 'token' };
    await identity.setupMfa(caller);
    await rejectsWith(identity.enableMfa(caller, '123456'), 'CodeMismatch');
    assert.ok(await table.get({ PK: 'USER#s', SK: 'IDENTITY#MFA' }), 'the pending secret is kept for the next try');
  });

  test('a wrong TOTP at the challenge counts as one of the five attempts', async () => {
    const { identity } = scripted((command) => {
      if (command === 'InitiateAuth')
        return { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'cs', ChallengeParameters: {} };
      throw new CodeMismatchException({ message: 'Invalid code received for user', ...meta });
    });
    const result = await identity.signIn('a@example.com', 'pw');
    assert.ok('challenge' in result);
    for (let i = 0; i < 5; i++)
      await rejectsWith(identity.respondToMfaChallenge(result.session, '123456'), 'CodeMismatch');
    await rejectsWith(identity.respondToMfaChallenge(result.session, '123456'), 'ExpiredSession');
  });
});

// ---------------------------------------------------------------- recovery codes

describe('recovery codes (the authenticator secret sealed under each)', () => {
  test('a code opens the secret for its owner only, whatever its case and dashes; nothing stored holds a code', async () => {
    const { codes, sealed } = await sealUnderRecoveryCodes('JBSWY3DPEHPK3PXP', 'sub-1');
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    const code = codes[4] as string;
    assert.match(code, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    assert.doesNotMatch(JSON.stringify(sealed), new RegExp(code.replace('-', '-?')));
    const opened = await openWithRecoveryCode(sealed, ` ${code.toLowerCase().replace('-', '')} `, 'sub-1');
    assert.equal(opened?.secret, 'JBSWY3DPEHPK3PXP');
    assert.equal(opened?.remaining.length, 9, 'its own copy is the one spent');
    assert.equal(await openWithRecoveryCode(sealed, code, 'sub-2'), undefined, 'bound to its owner');
    assert.equal(await openWithRecoveryCode({ ...sealed, sealed: opened?.remaining ?? [] }, code, 'sub-1'), undefined);
    assert.equal(await openWithRecoveryCode(sealed, '123456', 'sub-1'), undefined, 'a TOTP code is no recovery code');
  });
});

// ---------------------------------------------------------------- tokens on AWS: Cognito's issuer for the pool

describe('CognitoIdentity: access tokens of an AWS user pool', () => {
  const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let identity: CognitoIdentity;

  before(async () => {
    const { n, e } = await exportJWK(publicKey);
    const jwk = { kty: 'RSA', n: n as string, e: e as string, kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwksCache = new SimpleJwksCache();
    jwksCache.addJwks(`${issuer}/.well-known/jwks.json`, { keys: [jwk] });
    identity = new CognitoIdentity({
      client: new ScriptedCognito(() => ({})) as unknown as CognitoClient,
      userPoolId: POOL,
      clientId: CLIENT,
      table: new SqliteTable(openDatabase(':memory:'), new TestClock()),
      jwksCache,
    });
  });

  const sign = (claims: Record<string, unknown>, iss = issuer, expires: string | number = '1h') =>
    new SignJWT({ token_use: 'access', client_id: CLIENT, sub: 'sub-1', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(iss)
      .setIssuedAt()
      .setExpirationTime(expires)
      .sign(privateKey);

  test('an access token of the app client passes, with its claims', async () => {
    const claims = await identity.verifyAccessToken(await sign({ username: 'sub-1' }));
    assert.equal(claims.sub, 'sub-1');
    assert.equal(claims.iss, issuer);
  });

  test('id tokens, other clients, other pools and expired tokens are NotAuthorized', async () => {
    await rejectsWith(
      identity.verifyAccessToken(await sign({ token_use: 'id' })),
      'NotAuthorized',
      /not an access token/,
    );
    await rejectsWith(
      identity.verifyAccessToken(await sign({ client_id: 'other' })),
      'NotAuthorized',
      /another client/,
    );
    await rejectsWith(
      identity.verifyAccessToken(await sign({}, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other')),
      'NotAuthorized',
    );
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    await rejectsWith(identity.verifyAccessToken(await sign({}, issuer, anHourAgo)), 'NotAuthorized', /expired/);
  });
});

// ---------------------------------------------------------------- helpers

function totp(secret: string): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: Date.now() });
}

function tokensOf(result: SignInResult): Tokens {
  assert.ok('tokens' in result, 'signed in without a challenge');
  return result.tokens;
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
    assert.equal(error.code, code, `${error.code}: ${error.detail}`);
    if (detail) assert.match(error.detail, detail);
    return error;
  }
  assert.fail('expected a rejection');
}
