import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  type AuthenticationResultType,
  ChangePasswordCommand,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DeleteUserCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import * as OTPAuth from 'otpauth';
import { type Clock, systemClock } from '../../platform/clock.ts';
import type {
  AccessClaims,
  AdminUserRecord,
  Caller,
  CustomAttributes,
  Identity,
  IdentityAdmin,
  SignInResult,
  Tokens,
  UserRecord,
} from '../../platform/identity.ts';
import type { Table } from '../../platform/table.ts';
import { fromCognitoAttributes, toCognitoAttributes } from './cognito-attributes.ts';
import { type ExceptionMeaning, failures, isException, toAppError } from './cognito-errors.ts';
import { type MfaSession, MfaState } from './cognito-mfa-state.ts';
import { looksLikeRecoveryCode, openWithRecoveryCode, sealUnderRecoveryCodes } from './cognito-recovery-codes.ts';
import { accessTokenVerifier, type TokenIssuerOptions } from './cognito-token-verifier.ts';

/** The one method used, so tests can hand in a client that records commands. */
export type CognitoClient = Pick<CognitoIdentityProviderClient, 'send'>;

export interface CognitoIdentityOptions extends TokenIssuerOptions {
  client: CognitoClient;
  userPoolId: string;
  /** A public app client (no secret) allowing USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH. */
  clientId: string;
  /** The app table: MFA challenge sessions and sealed recovery codes live there (see cognito-mfa-state.ts). */
  table: Table;
  clock?: Clock;
  /** Product name shown in authenticator apps. */
  appName?: string;
}

const TOTP_CODE = /^\d{6}$/;
/** ListUsers answers at most 60 users a call. */
const LIST_USERS_MAX = 60;

/** A value in a ListUsers filter: in double quotes, with `\` and `"` escaped. */
function quoteFilter(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The Identity port on a Cognito user pool whose users sign in with their email (email is the
 * username attribute and auto-verified). Each port call is one Cognito call, plus, where the
 * built-in issuer promises more than Cognito does, a little state in the app table:
 *
 * - MFA challenge sessions, so five wrong codes or three minutes end a session on both adapters;
 * - recovery codes, which Cognito lacks (see `cognito-recovery-codes.ts`).
 *
 * Admin calls (AdminGetUser, AdminDeleteUser, AdminUserGlobalSignOut, AdminUpdateUserAttributes,
 * AdminDeleteUserAttributes, and the operator's: ListUsers, Admin{Enable,Disable}User,
 * Admin{ListGroupsFor,AddUserTo,RemoveUserFrom}Group) need IAM permission on the pool; the rest
 * are authorized by the client id or the user's access token.
 */
export class CognitoIdentity implements Identity, IdentityAdmin {
  private readonly client: CognitoClient;
  private readonly userPoolId: string;
  private readonly clientId: string;
  private readonly mfa: MfaState;
  private readonly appName: string;
  private readonly verify: (token: string) => Promise<AccessClaims>;

  constructor(options: CognitoIdentityOptions) {
    this.client = options.client;
    this.userPoolId = options.userPoolId;
    this.clientId = options.clientId;
    this.mfa = new MfaState(options.table, options.clock ?? systemClock);
    this.appName = options.appName ?? 'Stratus';
    this.verify = accessTokenVerifier(options);
  }

  // ------------------------------------------------------------------ sign-up

  async signUp(input: {
    email: string;
    password: string;
    name: string;
    attributes?: CustomAttributes;
  }): Promise<{ sub: string }> {
    const email = normalizeEmail(input.email);
    const signUp = () =>
      this.client.send(
        new SignUpCommand({
          ClientId: this.clientId,
          Username: email,
          Password: input.password,
          UserAttributes: toCognitoAttributes({ email, name: input.name, attributes: input.attributes }),
        }),
      );
    let output: Awaited<ReturnType<typeof signUp>>;
    try {
      output = await signUp();
    } catch (error) {
      // As on the built-in issuer, an unconfirmed sign-up may be repeated (the first may have
      // had a typo in the password): otherwise Cognito's refusal would tell that it exists.
      if (!isException(error, 'UsernameExistsException') || !(await this.removeUnconfirmed(email))) {
        throw toAppError(error);
      }
      output = await this.call(signUp);
    }
    return { sub: required(output.UserSub, 'SignUp returned no UserSub') };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    const username = normalizeEmail(email);
    try {
      await this.client.send(
        new ConfirmSignUpCommand({ ClientId: this.clientId, Username: username, ConfirmationCode: code }),
      );
    } catch (error) {
      if (isException(error, 'NotAuthorizedException', 'ExpiredCodeException', 'UserNotFoundException')) {
        // Confirming twice is harmless, as on the built-in issuer (Cognito refuses it).
        if ((await this.findUser(username))?.UserStatus === 'CONFIRMED') return;
      }
      throw toAppError(error, {
        UserNotFoundException: failures.codeMismatch,
        NotAuthorizedException: failures.codeMismatch,
      });
    }
  }

  async resendCode(email: string): Promise<void> {
    try {
      await this.client.send(
        new ResendConfirmationCodeCommand({ ClientId: this.clientId, Username: normalizeEmail(email) }),
      );
    } catch (error) {
      // Unknown and already-confirmed accounts get the same silent answer: no account enumeration.
      if (isException(error, 'UserNotFoundException', 'InvalidParameterException', 'NotAuthorizedException')) return;
      throw toAppError(error, { LimitExceededException: failures.tooManyCodes });
    }
  }

  // ------------------------------------------------------------------ sign-in

  async signIn(email: string, password: string): Promise<SignInResult> {
    const output = await this.call(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: this.clientId,
            AuthParameters: { USERNAME: normalizeEmail(email), PASSWORD: password },
          }),
        ),
      // An unknown email and a wrong password must read the same (pools without
      // PreventUserExistenceErrors tell them apart; this adapter does not).
      { NotAuthorizedException: failures.wrongCredentials, UserNotFoundException: failures.wrongCredentials },
    );
    if (output.AuthenticationResult) return { tokens: toTokens(output.AuthenticationResult) };
    if (output.ChallengeName === 'SOFTWARE_TOKEN_MFA' && output.Session) {
      const username = output.ChallengeParameters?.USER_ID_FOR_SRP ?? normalizeEmail(email);
      return { challenge: 'SOFTWARE_TOKEN_MFA', session: await this.mfa.startSession(username, output.Session) };
    }
    throw new Error(
      `Cognito asked for the ${output.ChallengeName} challenge, which this user pool should never ask: check its MFA settings`,
    );
  }

  async respondToMfaChallenge(session: string, code: string): Promise<Tokens> {
    const live = await this.mfa.session(session);
    if (!live) throw failures.expiredSession();
    const tokens = looksLikeRecoveryCode(code)
      ? await this.answerWithRecoveryCode(session, live, code)
      : TOTP_CODE.test(code)
        ? await this.answerChallenge(session, live, code)
        : undefined;
    if (!tokens) {
      await this.mfa.countWrongAttempt(session);
      throw failures.codeMismatch();
    }
    await this.mfa.endSession(session);
    return tokens;
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const output = await this.call(
      () =>
        this.client.send(
          new InitiateAuthCommand({
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            ClientId: this.clientId,
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        ),
      {
        NotAuthorizedException: failures.badRefreshToken,
        UserNotFoundException: failures.badRefreshToken,
        InvalidParameterException: failures.badRefreshToken,
      },
    );
    // Without refresh-token rotation Cognito returns no new refresh token: the old one stays good.
    return toTokens(required(output.AuthenticationResult, 'refresh returned no tokens'), refreshToken);
  }

  async signOutEverywhere(sub: string): Promise<void> {
    try {
      await this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.userPoolId, Username: sub }));
    } catch (error) {
      if (isException(error, 'UserNotFoundException')) return; // no account, no sessions
      throw toAppError(error);
    }
  }

  // ------------------------------------------------------------------ passwords

  async forgotPassword(email: string): Promise<void> {
    try {
      await this.client.send(new ForgotPasswordCommand({ ClientId: this.clientId, Username: normalizeEmail(email) }));
    } catch (error) {
      // The same answer whatever the account's state, and for too many requests too, or the
      // limit would reveal the account: as the built-in issuer does.
      const silent = [
        'UserNotFoundException',
        'InvalidParameterException', // no verified email: an unconfirmed account
        'NotAuthorizedException',
        'UserNotConfirmedException',
        'LimitExceededException',
      ];
      if (isException(error, ...silent)) return;
      throw toAppError(error);
    }
  }

  async resetPassword(email: string, code: string, newPassword: string): Promise<{ sub: string }> {
    const username = normalizeEmail(email);
    await this.call(
      () =>
        this.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: this.clientId,
            Username: username,
            ConfirmationCode: code,
            Password: newPassword,
          }),
        ),
      { UserNotFoundException: failures.codeMismatch, NotAuthorizedException: failures.codeMismatch },
    );
    const user = await this.findUser(username);
    if (!user) throw failures.codeMismatch();
    return { sub: fromCognitoAttributes(user.UserAttributes ?? []).sub };
  }

  async changePassword(caller: Caller, oldPassword: string, newPassword: string): Promise<void> {
    await this.call(
      () =>
        this.client.send(
          new ChangePasswordCommand({
            AccessToken: caller.accessToken,
            PreviousPassword: oldPassword,
            ProposedPassword: newPassword,
          }),
        ),
      { NotAuthorizedException: failures.wrongCurrentPassword },
    );
  }

  // ------------------------------------------------------------------ MFA

  async setupMfa(caller: Caller): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.requireUser(caller);
    // Associating a new token while one is on would silently turn MFA off on Cognito.
    if (mfaEnabled(user)) throw failures.mfaAlreadyOnForSetup();
    const { SecretCode } = await this.call(() =>
      this.client.send(new AssociateSoftwareTokenCommand({ AccessToken: caller.accessToken })),
    );
    const secret = required(SecretCode, 'AssociateSoftwareToken returned no secret');
    await this.mfa.savePendingSecret(caller.sub, secret);
    const email = fromCognitoAttributes(user.UserAttributes ?? []).email;
    return { secret, otpauthUri: this.totp(secret, email).toString() };
  }

  async enableMfa(caller: Caller, code: string): Promise<{ recoveryCodes: string[] }> {
    const user = await this.requireUser(caller);
    if (mfaEnabled(user)) throw failures.mfaAlreadyOn();
    const secrets = await this.mfa.secrets(caller.sub);
    if (!secrets?.pendingSecret) throw failures.mfaNotSetUp();
    await this.verifySoftwareToken(caller, code);
    const { codes, sealed } = await sealUnderRecoveryCodes(secrets.pendingSecret, caller.sub);
    // Sealed before MFA goes on: MFA is never on without its recovery codes.
    if (!(await this.mfa.saveRecovery(caller.sub, sealed, secrets.version))) throw failures.mfaNotSetUp();
    await this.setSoftwareTokenMfa(caller, true);
    return { recoveryCodes: codes };
  }

  async disableMfa(caller: Caller, code: string): Promise<void> {
    const user = await this.requireUser(caller);
    if (!mfaEnabled(user)) throw failures.mfaNotOn();
    if (looksLikeRecoveryCode(code)) {
      const secrets = await this.mfa.secrets(caller.sub);
      const opened = secrets?.recovery && (await openWithRecoveryCode(secrets.recovery, code, caller.sub));
      if (!opened) throw failures.codeMismatch();
    } else {
      // Cognito turns MFA off with the access token alone; the port asks for proof of the second factor.
      await this.verifySoftwareToken(caller, code);
    }
    await this.setSoftwareTokenMfa(caller, false);
    await this.mfa.forget(caller.sub); // every recovery code goes with MFA
  }

  // ------------------------------------------------------------------ the user

  async getUser(caller: Caller): Promise<UserRecord> {
    return toUserRecord(await this.requireUser(caller));
  }

  async updateUser(caller: Caller, changes: { name?: string; attributes?: CustomAttributes }): Promise<UserRecord> {
    const attributes = toCognitoAttributes(changes);
    if (attributes.length > 0) {
      await this.call(
        () =>
          this.client.send(
            new UpdateUserAttributesCommand({ AccessToken: caller.accessToken, UserAttributes: attributes }),
          ),
        { UserNotFoundException: failures.accountGone },
      );
    }
    return this.getUser(caller);
  }

  async setAttributes(sub: string, attributes: CustomAttributes): Promise<void> {
    const all = toCognitoAttributes({ attributes });
    const set = all.filter((attribute) => attribute.Value !== '');
    const removed = all.filter((attribute) => attribute.Value === '').map((attribute) => attribute.Name as string);
    // Looked up first: the admin update's answer for a missing user differs between Cognito and its emulators.
    if (!(await this.findUser(sub))) return;
    try {
      if (set.length > 0) {
        await this.client.send(
          new AdminUpdateUserAttributesCommand({ UserPoolId: this.userPoolId, Username: sub, UserAttributes: set }),
        );
      }
      if (removed.length > 0) {
        await this.client.send(
          new AdminDeleteUserAttributesCommand({
            UserPoolId: this.userPoolId,
            Username: sub,
            UserAttributeNames: removed,
          }),
        );
      }
    } catch (error) {
      if (isException(error, 'UserNotFoundException')) return; // the account went meanwhile
      throw toAppError(error);
    }
  }

  async deleteUser(caller: Caller): Promise<void> {
    await this.call(() => this.client.send(new DeleteUserCommand({ AccessToken: caller.accessToken })), {
      UserNotFoundException: failures.accountGone,
    });
    await this.mfa.forget(caller.sub);
  }

  verifyAccessToken(token: string): Promise<AccessClaims> {
    return this.verify(token);
  }

  // ------------------------------------------------------------------ operator

  /**
   * ListUsers filters on one attribute, by prefix, and pages in the pool's own order: a search is
   * an email prefix, or else a name prefix (the built-in issuer also finds a part of a name),
   * one page of each; `after` is Cognito's pagination token. Each user is then read whole (MFA,
   * groups), as a user's page shows it.
   */
  async listUsers(input: { query?: string; limit: number; after?: string }) {
    const query = input.query?.trim() ?? '';
    const list = (filter: string | undefined, token?: string) =>
      this.call(() =>
        this.client.send(
          new ListUsersCommand({
            UserPoolId: this.userPoolId,
            Limit: Math.min(input.limit, LIST_USERS_MAX),
            ...(filter ? { Filter: filter } : {}),
            ...(token ? { PaginationToken: token } : {}),
          }),
        ),
      );
    const pages = query
      ? await Promise.all([list(`email ^= ${quoteFilter(query.toLowerCase())}`), list(`name ^= ${quoteFilter(query)}`)])
      : [await list(undefined, input.after)];
    const subs = [
      ...new Set(
        pages.flatMap((page) => (page.Users ?? []).map((user) => fromCognitoAttributes(user.Attributes ?? []).sub)),
      ),
    ].slice(0, input.limit);
    const users = (await Promise.all(subs.map((sub) => this.adminGetUser(sub)))).filter(
      (user): user is AdminUserRecord => user !== undefined,
    );
    users.sort((a, b) => a.email.localeCompare(b.email));
    const next = query ? undefined : pages[0]?.PaginationToken;
    return next ? { users, next } : { users };
  }

  async adminGetUser(sub: string): Promise<AdminUserRecord | undefined> {
    const user = await this.findUser(sub);
    if (!user) return undefined;
    return { ...toUserRecord(user), enabled: user.Enabled !== false, groups: await this.groupsOf(sub) };
  }

  async userSubByEmail(email: string): Promise<string | undefined> {
    const user = await this.findUser(normalizeEmail(email));
    return user ? fromCognitoAttributes(user.UserAttributes ?? []).sub : undefined;
  }

  async setEnabled(sub: string, enabled: boolean): Promise<void> {
    const input = { UserPoolId: this.userPoolId, Username: sub };
    await this.call(() =>
      this.client.send(enabled ? new AdminEnableUserCommand(input) : new AdminDisableUserCommand(input)),
    );
  }

  async groupsOf(sub: string): Promise<string[]> {
    const output = await this.call(() =>
      this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: sub, Limit: 60 })),
    );
    return (output.Groups ?? [])
      .map((group) => group.GroupName ?? '')
      .filter(Boolean)
      .sort();
  }

  /** The group must exist: the CDK app makes `admins`. */
  async addToGroup(sub: string, group: string): Promise<void> {
    await this.call(() =>
      this.client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: sub, GroupName: group }),
      ),
    );
  }

  async removeFromGroup(sub: string, group: string): Promise<void> {
    await this.call(() =>
      this.client.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: sub, GroupName: group }),
      ),
    );
  }

  async adminDeleteUser(sub: string): Promise<void> {
    await this.call(() => this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: sub })));
    await this.mfa.forget(sub);
  }

  // ------------------------------------------------------------------ internals

  /** Sends, mapping Cognito's exceptions to the port's errors (`meaning` first). */
  private async call<T>(send: () => Promise<T>, meaning?: ExceptionMeaning): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toAppError(error, meaning);
    }
  }

  /** The user by username, email or sub; undefined when there is none. */
  private async findUser(username: string): Promise<AdminGetUserCommandOutput | undefined> {
    try {
      return await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
    } catch (error) {
      if (isException(error, 'UserNotFoundException')) return undefined;
      throw toAppError(error);
    }
  }

  private async requireUser(caller: Caller): Promise<AdminGetUserCommandOutput> {
    const user = await this.findUser(caller.sub);
    if (!user) throw failures.accountGone();
    return user;
  }

  /** Deletes the unconfirmed account holding `email`; false when the account is confirmed (or gone). */
  private async removeUnconfirmed(email: string): Promise<boolean> {
    const user = await this.findUser(email);
    if (user?.UserStatus !== 'UNCONFIRMED' || !user.Username) return false;
    await this.call(() =>
      this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: user.Username })),
    );
    return true;
  }

  /** Answers Cognito's challenge with a TOTP code: tokens, undefined for a wrong code, or ExpiredSession. */
  private async answerChallenge(session: string, live: MfaSession, totpCode: string): Promise<Tokens | undefined> {
    try {
      const output = await this.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: live.cognitoSession,
          ChallengeResponses: { USERNAME: live.username, SOFTWARE_TOKEN_MFA_CODE: totpCode },
        }),
      );
      return toTokens(required(output.AuthenticationResult, 'the MFA answer returned no tokens'));
    } catch (error) {
      if (isException(error, 'CodeMismatchException')) return undefined;
      if (isException(error, 'NotAuthorizedException', 'ExpiredCodeException')) {
        // Cognito's session is over (expired, or spent by its own attempt limit).
        await this.mfa.endSession(session);
        throw failures.expiredSession();
      }
      throw toAppError(error);
    }
  }

  /**
   * A recovery code opens the authenticator's secret (see cognito-recovery-codes.ts); the
   * code it computes answers Cognito's challenge, and only then is the recovery code spent.
   */
  private async answerWithRecoveryCode(session: string, live: MfaSession, code: string): Promise<Tokens | undefined> {
    const user = await this.findUser(live.username);
    if (!user) return undefined;
    const sub = fromCognitoAttributes(user.UserAttributes ?? []).sub;
    const secrets = await this.mfa.secrets(sub);
    if (!secrets?.recovery) return undefined;
    const opened = await openWithRecoveryCode(secrets.recovery, code, sub);
    if (!opened) return undefined;
    let tokens: Tokens | undefined;
    for (const totpCode of currentTotpCodes(opened.secret)) {
      tokens = await this.answerChallenge(session, live, totpCode);
      if (tokens) break;
    }
    if (!tokens) return undefined;
    // Spent only by a compare-and-set: of two requests racing with one code, one gets in.
    const spent = await this.mfa.spendRecoveryCode(sub, secrets.recovery, opened.remaining, secrets.version);
    return spent ? tokens : undefined;
  }

  private async verifySoftwareToken(caller: Caller, code: string): Promise<void> {
    if (!TOTP_CODE.test(code)) throw failures.codeMismatch();
    const output = await this.call(
      () => this.client.send(new VerifySoftwareTokenCommand({ AccessToken: caller.accessToken, UserCode: code })),
      {
        EnableSoftwareTokenMFAException: failures.codeMismatch, // Cognito's "Code mismatch" here
        SoftwareTokenMFANotFoundException: failures.mfaNotSetUp,
        InvalidParameterException: failures.mfaNotSetUp, // "User has not associated a software token"
      },
    );
    if (output.Status !== 'SUCCESS') throw failures.codeMismatch();
  }

  private async setSoftwareTokenMfa(caller: Caller, enabled: boolean): Promise<void> {
    await this.call(() =>
      this.client.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: caller.accessToken,
          SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
        }),
      ),
    );
  }

  private totp(secret: string, email: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: this.appName,
      label: email,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: OTPAuth.Secret.fromBase32(secret),
    });
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`Cognito answered without what it promises: ${what}`);
  return value;
}

function mfaEnabled(user: AdminGetUserCommandOutput): boolean {
  return user.UserMFASettingList?.includes('SOFTWARE_TOKEN_MFA') ?? false;
}

function toUserRecord(user: AdminGetUserCommandOutput): UserRecord {
  const { sub, email, emailVerified, name, attributes } = fromCognitoAttributes(user.UserAttributes ?? []);
  return {
    sub,
    email,
    emailVerified,
    name,
    attributes,
    mfaEnabled: mfaEnabled(user),
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
  };
}

function toTokens(result: AuthenticationResultType, previousRefreshToken?: string): Tokens {
  const accessToken = required(result.AccessToken, 'an access token');
  return {
    idToken: required(result.IdToken, 'an id token'),
    accessToken,
    refreshToken: required(result.RefreshToken ?? previousRefreshToken, 'a refresh token'),
    expiresIn: result.ExpiresIn ?? lifetimeOf(accessToken),
    tokenType: 'Bearer',
  };
}

/** Seconds from `iat` to `exp` of a JWT, for peers that leave out ExpiresIn. */
function lifetimeOf(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    iat?: number;
    exp?: number;
  };
  return (payload.exp ?? 0) - (payload.iat ?? 0);
}

/**
 * TOTP codes for this step and the next. Cognito judges them by the real time, so they are
 * computed from the real time, not the injected clock; the next step's code is the fallback
 * in case Cognito refuses this step's code as already used.
 */
function currentTotpCodes(secret: string): string[] {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  const now = Date.now();
  return [totp.generate({ timestamp: now }), totp.generate({ timestamp: now + 30_000 })];
}
