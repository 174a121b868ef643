import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import * as OTPAuth from 'otpauth';
import { type Clock, epochSeconds, systemClock } from '../../platform/clock.ts';
import {
  AppError,
  badRequest,
  conflict,
  tooManyRequests,
  unauthorized,
  wrongCurrentPassword,
} from '../../platform/errors.ts';
import type {
  AccessClaims,
  AdminUserRecord,
  Caller,
  CustomAttributes,
  ExternalIdentity,
  Federation,
  Identity,
  IdentityAdmin,
  IdentityHooks,
  LinkedIdentity,
  SignInResult,
  Tokens,
  UserRecord,
} from '../../platform/identity.ts';
import type { Notifier } from '../../platform/notifier.ts';
import type { Database } from './database.ts';
import { accessTokenVerifier, type SigningKeys, signToken } from './token-keys.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS identity_users (
  sub TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  email_verified INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}',
  password_hash TEXT NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0,
  mfa_secret TEXT,
  mfa_pending_secret TEXT,
  mfa_last_step INTEGER NOT NULL DEFAULT 0,
  recovery_codes TEXT NOT NULL DEFAULT '[]',
  tokens_valid_after INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_codes (
  sub TEXT NOT NULL REFERENCES identity_users (sub) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_in_window INTEGER NOT NULL DEFAULT 1,
  window_start INTEGER NOT NULL,
  PRIMARY KEY (sub, purpose)
);
CREATE TABLE IF NOT EXISTS identity_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  sub TEXT NOT NULL REFERENCES identity_users (sub) ON DELETE CASCADE,
  family TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS identity_refresh_family ON identity_refresh_tokens (family);
CREATE INDEX IF NOT EXISTS identity_refresh_sub ON identity_refresh_tokens (sub);
CREATE TABLE IF NOT EXISTS identity_links (
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  sub TEXT NOT NULL REFERENCES identity_users (sub) ON DELETE CASCADE,
  email TEXT,
  linked_at TEXT NOT NULL,
  PRIMARY KEY (provider, subject),
  UNIQUE (sub, provider)
);
CREATE TABLE IF NOT EXISTS identity_groups (
  sub TEXT NOT NULL REFERENCES identity_users (sub) ON DELETE CASCADE,
  group_name TEXT NOT NULL,
  PRIMARY KEY (sub, group_name)
);
CREATE TABLE IF NOT EXISTS identity_mfa_sessions (
  session_hash TEXT PRIMARY KEY,
  sub TEXT NOT NULL REFERENCES identity_users (sub) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
`;

/** Cognito's lifetimes: 1 h access and id tokens, 30-day refresh tokens, 3-minute MFA sessions. */
const ACCESS_TOKEN_SECONDS = 3600;
const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;
const MFA_SESSION_SECONDS = 180;
/**
 * How long a used refresh token may be presented again (Cognito's refresh token rotation calls
 * it RetryGracePeriodSeconds). The answer to a refresh can be lost on a bad connection (a phone
 * coming back online): the client still holds the old token and retries. Within this window the
 * retry gets new tokens; after it, a second use means the token leaked, and its family goes.
 */
const REFRESH_RETRY_GRACE_SECONDS = 60;
const CODE_SECONDS = { confirm: 24 * 3600, reset: 3600 } as const;
/** Wrong guesses allowed for one code or MFA session before it is spent. */
const MAX_CODE_ATTEMPTS = 5;
/** Codes that may be sent to one account per hour. */
const MAX_CODES_PER_HOUR = 5;
const RECOVERY_CODE_COUNT = 10;

/** OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

interface UserRow {
  sub: string;
  email: string;
  email_verified: number;
  name: string;
  attributes: string;
  password_hash: string;
  confirmed: number;
  mfa_secret: string | null;
  mfa_pending_secret: string | null;
  mfa_last_step: number;
  recovery_codes: string;
  tokens_valid_after: number;
  created_at: string;
  disabled: number;
}

type CodePurpose = keyof typeof CODE_SECONDS;

export interface LocalIdentityOptions {
  db: Database;
  keys: SigningKeys;
  notifier: Notifier;
  /** The token issuer: this installation's public URL. */
  issuer: string;
  clientId: string;
  hooks?: IdentityHooks;
  clock?: Clock;
  /** Product name shown in mails and authenticator apps. */
  appName?: string;
}

/**
 * The built-in token issuer: Cognito user pools' flows on SQLite, with Cognito-shaped RS256
 * tokens. Secrets at rest are hashed: passwords with argon2id, codes, refresh tokens and
 * recovery codes with SHA-256 (they are random, so a fast hash is enough).
 */
export class LocalIdentity implements Identity, Federation, IdentityAdmin {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly verify: (token: string) => Promise<Record<string, unknown>>;
  /** Compared against when the email is unknown, so a miss costs as long as a wrong password. */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly options: LocalIdentityOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.db.exec(SCHEMA);
    // Added after the first release: data folders made before it get the column here.
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(identity_users)').all();
    if (!columns.some((column) => column.name === 'disabled')) {
      this.db.exec('ALTER TABLE identity_users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0');
    }
    this.verify = accessTokenVerifier({
      issuer: options.issuer,
      clientId: options.clientId,
      jwks: options.keys.jwks,
      clock: this.clock,
    });
    this.dummyHash = argon2.hash(randomUUID(), ARGON2_OPTIONS);
  }

  // ------------------------------------------------------------------ sign-up

  async signUp(input: {
    email: string;
    password: string;
    name: string;
    attributes?: CustomAttributes;
  }): Promise<{ sub: string }> {
    const email = normalizeEmail(input.email);
    const attributes = input.attributes ?? {};
    await this.options.hooks?.preSignUp?.({ email, name: input.name, attributes });
    const existing = this.userByEmail(email);
    if (existing?.confirmed)
      throw conflict('UsernameExists', 'An account with this email already exists: sign in instead');
    const passwordHash = await argon2.hash(input.password, ARGON2_OPTIONS);
    // An unconfirmed sign-up may be repeated (the first may have had a typo in the password).
    const sub = existing?.sub ?? randomUUID();
    this.db
      .prepare(
        `INSERT INTO identity_users (sub, email, name, attributes, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sub) DO UPDATE SET name = excluded.name, attributes = excluded.attributes,
           password_hash = excluded.password_hash`,
      )
      .run(sub, email, input.name, JSON.stringify(attributes), passwordHash, new Date(this.clock.now()).toISOString());
    await this.sendCode(sub, email, 'confirm');
    return { sub };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    const user = this.userByEmail(normalizeEmail(email));
    if (!user) throw codeMismatch();
    if (user.confirmed) return; // Confirming twice is harmless, as on Cognito.
    this.spendCode(user.sub, 'confirm', code);
    this.db.prepare('UPDATE identity_users SET confirmed = 1, email_verified = 1 WHERE sub = ?').run(user.sub);
    await this.options.hooks?.postConfirmation?.({
      sub: user.sub,
      email: user.email,
      name: user.name,
      attributes: JSON.parse(user.attributes) as CustomAttributes,
    });
  }

  async resendCode(email: string): Promise<void> {
    const user = this.userByEmail(normalizeEmail(email));
    // Unknown and already-confirmed accounts get the same silent answer: no account enumeration.
    if (!user || user.confirmed) return;
    await this.sendCode(user.sub, user.email, 'confirm');
  }

  // ------------------------------------------------------------------ sign-in

  async signIn(email: string, password: string): Promise<SignInResult> {
    const user = this.userByEmail(normalizeEmail(email));
    const passwordOk = await this.passwordMatches(user, password);
    if (!user || !passwordOk) throw unauthorized('Incorrect email or password');
    if (!user.confirmed) {
      throw new AppError(
        403,
        'UserNotConfirmed',
        'Confirm your email first: enter the code we sent, or ask for a new one',
      );
    }
    return this.signedIn(user);
  }

  /** Tokens, or the MFA challenge when the account has a second factor. */
  private async signedIn(user: UserRow): Promise<SignInResult> {
    if (!user.mfa_secret) return { tokens: await this.issueTokens(user, randomUUID(), epochSeconds(this.clock)) };
    const session = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO identity_mfa_sessions (session_hash, sub, expires_at) VALUES (?, ?, ?)')
      .run(sha256(session), user.sub, epochSeconds(this.clock) + MFA_SESSION_SECONDS);
    return { challenge: 'SOFTWARE_TOKEN_MFA', session };
  }

  async respondToMfaChallenge(session: string, code: string): Promise<Tokens> {
    const sessionHash = sha256(session);
    const row = this.db
      .prepare<[string], { sub: string; expires_at: number; attempts: number }>(
        'SELECT sub, expires_at, attempts FROM identity_mfa_sessions WHERE session_hash = ?',
      )
      .get(sessionHash);
    if (!row || row.expires_at <= epochSeconds(this.clock)) {
      throw unauthorized('The sign-in session has expired: sign in again', 'ExpiredSession');
    }
    const user = this.userBySub(row.sub);
    if (!user || !this.passesSecondFactor(user, code)) {
      const attempts = row.attempts + 1;
      if (attempts >= MAX_CODE_ATTEMPTS) {
        this.db.prepare('DELETE FROM identity_mfa_sessions WHERE session_hash = ?').run(sessionHash);
      } else {
        this.db
          .prepare('UPDATE identity_mfa_sessions SET attempts = ? WHERE session_hash = ?')
          .run(attempts, sessionHash);
      }
      throw codeMismatch();
    }
    this.db.prepare('DELETE FROM identity_mfa_sessions WHERE session_hash = ?').run(sessionHash);
    return this.issueTokens(user, randomUUID(), epochSeconds(this.clock));
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const tokenHash = sha256(refreshToken);
    const row = this.db
      .prepare<
        [string],
        { sub: string; family: string; auth_time: number; used: number; revoked: number; expires_at: number }
      >('SELECT sub, family, auth_time, used, revoked, expires_at FROM identity_refresh_tokens WHERE token_hash = ?')
      .get(tokenHash);
    if (!row || row.revoked || row.expires_at <= epochSeconds(this.clock)) {
      throw unauthorized('The refresh token is invalid, expired or revoked: sign in again');
    }
    const now = epochSeconds(this.clock);
    const retry = row.used > 0 && now - row.used <= REFRESH_RETRY_GRACE_SECONDS;
    if (row.used && !retry) {
      // A refresh token is single-use: a second use past the grace means it leaked, so the whole family goes.
      this.db.prepare('UPDATE identity_refresh_tokens SET revoked = 1 WHERE family = ?').run(row.family);
      throw unauthorized('The refresh token was already used: every session from it is now signed out');
    }
    const user = this.userBySub(row.sub);
    if (!user) throw unauthorized('The account no longer exists');
    // `used` holds when it was first used (epoch seconds), which the grace is counted from.
    this.db
      .prepare('UPDATE identity_refresh_tokens SET used = ? WHERE token_hash = ? AND used = 0')
      .run(Math.max(1, now), tokenHash);
    return this.issueTokens(user, row.family, row.auth_time);
  }

  async signOutEverywhere(sub: string): Promise<void> {
    // Tokens issued from now on carry an iat at or after this second (see issueTokens).
    const validAfter = Math.ceil(this.clock.now() / 1000);
    this.db.transaction(() => {
      this.db.prepare('UPDATE identity_refresh_tokens SET revoked = 1 WHERE sub = ?').run(sub);
      this.db.prepare('UPDATE identity_users SET tokens_valid_after = ? WHERE sub = ?').run(validAfter, sub);
    })();
  }

  // ------------------------------------------------------------------ passwords

  async forgotPassword(email: string): Promise<void> {
    const user = this.userByEmail(normalizeEmail(email));
    if (!user?.confirmed) return; // The same answer either way: no account enumeration.
    try {
      await this.sendCode(user.sub, user.email, 'reset');
    } catch (error) {
      // Too many codes asked for: say nothing either, or the limit would reveal the account.
      if (!(error instanceof AppError && error.status === 429)) throw error;
    }
  }

  async resetPassword(email: string, code: string, newPassword: string): Promise<{ sub: string }> {
    const user = this.userByEmail(normalizeEmail(email));
    if (!user?.confirmed) throw codeMismatch();
    this.spendCode(user.sub, 'reset', code);
    const hash = await argon2.hash(newPassword, ARGON2_OPTIONS);
    this.db.prepare('UPDATE identity_users SET password_hash = ? WHERE sub = ?').run(hash, user.sub);
    return { sub: user.sub };
  }

  async changePassword(caller: Caller, oldPassword: string, newPassword: string): Promise<void> {
    const user = this.requireUser(caller);
    if (!(await this.passwordMatches(user, oldPassword))) throw wrongCurrentPassword();
    const hash = await argon2.hash(newPassword, ARGON2_OPTIONS);
    this.db.prepare('UPDATE identity_users SET password_hash = ? WHERE sub = ?').run(hash, user.sub);
  }

  // ------------------------------------------------------------------ MFA

  async setupMfa(caller: Caller): Promise<{ secret: string; otpauthUri: string }> {
    const user = this.requireUser(caller);
    if (user.mfa_secret)
      throw conflict('MfaAlreadyEnabled', 'MFA is already on: turn it off first to set up a new authenticator');
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    this.db.prepare('UPDATE identity_users SET mfa_pending_secret = ? WHERE sub = ?').run(secret, user.sub);
    return { secret, otpauthUri: this.totp(secret, user.email).toString() };
  }

  async enableMfa(caller: Caller, code: string): Promise<{ recoveryCodes: string[] }> {
    const user = this.requireUser(caller);
    if (user.mfa_secret) throw conflict('MfaAlreadyEnabled', 'MFA is already on');
    if (!user.mfa_pending_secret)
      throw badRequest('MfaNotSetUp', 'Call /v1/auth/mfa/setup first, then send a code from the authenticator');
    const step = this.totpStep(user.mfa_pending_secret, user.email, code);
    if (step === undefined) throw codeMismatch();
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
    this.db
      .prepare(
        `UPDATE identity_users SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, mfa_last_step = ?,
           recovery_codes = ? WHERE sub = ?`,
      )
      .run(step, JSON.stringify(recoveryCodes.map(sha256)), user.sub);
    return { recoveryCodes };
  }

  async disableMfa(caller: Caller, code: string): Promise<void> {
    const user = this.requireUser(caller);
    if (!user.mfa_secret) throw badRequest('MfaNotEnabled', 'MFA is not on');
    if (!this.passesSecondFactor(user, code)) throw codeMismatch();
    this.db
      .prepare(
        `UPDATE identity_users SET mfa_secret = NULL, mfa_pending_secret = NULL, recovery_codes = '[]' WHERE sub = ?`,
      )
      .run(user.sub);
  }

  // ------------------------------------------------------------------ the user

  async getUser(caller: Caller): Promise<UserRecord> {
    return toUserRecord(this.requireUser(caller));
  }

  async updateUser(caller: Caller, changes: { name?: string; attributes?: CustomAttributes }): Promise<UserRecord> {
    const user = this.requireUser(caller);
    const attributes = { ...(JSON.parse(user.attributes) as CustomAttributes), ...changes.attributes };
    this.db
      .prepare('UPDATE identity_users SET name = ?, attributes = ? WHERE sub = ?')
      .run(changes.name ?? user.name, JSON.stringify(attributes), user.sub);
    return toUserRecord(this.requireUser(caller));
  }

  async setAttributes(sub: string, changes: CustomAttributes): Promise<void> {
    const row = this.db
      .prepare<[string], { attributes: string }>('SELECT attributes FROM identity_users WHERE sub = ?')
      .get(sub);
    if (!row) return;
    const attributes: CustomAttributes = { ...(JSON.parse(row.attributes) as CustomAttributes), ...changes };
    for (const [name, value] of Object.entries(attributes))
      if (value === '') delete attributes[name as keyof CustomAttributes];
    this.db.prepare('UPDATE identity_users SET attributes = ? WHERE sub = ?').run(JSON.stringify(attributes), sub);
  }

  async deleteUser(caller: Caller): Promise<void> {
    this.requireUser(caller);
    this.db.prepare('DELETE FROM identity_users WHERE sub = ?').run(caller.sub);
  }

  async verifyAccessToken(token: string): Promise<AccessClaims> {
    return (await this.verify(token)) as unknown as AccessClaims;
  }

  // ------------------------------------------------------------------ federation

  async linkedAccount(provider: string, subject: string): Promise<string | undefined> {
    return this.db
      .prepare<[string, string], { sub: string }>('SELECT sub FROM identity_links WHERE provider = ? AND subject = ?')
      .get(provider, subject)?.sub;
  }

  async accountWithEmail(email: string): Promise<string | undefined> {
    const user = this.userByEmail(normalizeEmail(email));
    return user?.confirmed ? user.sub : undefined;
  }

  async createLinkedAccount(identity: ExternalIdentity & { email: string; name: string }): Promise<{ sub: string }> {
    const email = normalizeEmail(identity.email);
    await this.options.hooks?.preSignUp?.({ email, name: identity.name, attributes: {} });
    if (this.userByEmail(email)?.confirmed) {
      throw conflict('UsernameExists', 'An account with this email already exists: sign in to it to link this one');
    }
    const sub = randomUUID();
    const now = new Date(this.clock.now()).toISOString();
    this.db.transaction(() => {
      // An unconfirmed sign-up with this email never proved it: the provider's verified email wins.
      this.db.prepare('DELETE FROM identity_users WHERE email = ? AND confirmed = 0').run(email);
      this.db
        .prepare(
          `INSERT INTO identity_users (sub, email, email_verified, name, password_hash, confirmed, created_at)
           VALUES (?, ?, ?, ?, '', 1, ?)`,
        )
        .run(sub, email, identity.emailVerified ? 1 : 0, identity.name, now);
      this.insertLink(sub, identity, now);
    })();
    await this.options.hooks?.postConfirmation?.({ sub, email, name: identity.name, attributes: {} });
    return { sub };
  }

  async link(sub: string, identity: ExternalIdentity): Promise<void> {
    if (!this.userBySub(sub)) throw unauthorized('The account no longer exists');
    const linked = await this.linkedAccount(identity.provider, identity.subject);
    if (linked === sub) return;
    if (linked) throw conflict('AliasExists', 'This sign-in is already linked to another account');
    if (this.identityRows(sub).some((row) => row.provider === identity.provider)) {
      throw conflict(
        'AliasExists',
        'This account is already linked to another sign-in of this provider: unlink it first',
      );
    }
    this.insertLink(sub, identity, new Date(this.clock.now()).toISOString());
  }

  async unlink(sub: string, provider: string): Promise<void> {
    const user = this.userBySub(sub);
    if (!user) throw unauthorized('The account no longer exists');
    const rows = this.identityRows(sub);
    if (!rows.some((row) => row.provider === provider)) return;
    if (user.password_hash === '' && rows.length === 1) {
      throw conflict(
        'LastSignInMethod',
        'This is the only way to sign in to this account: set a password first (use "Forgot password")',
      );
    }
    this.db.prepare('DELETE FROM identity_links WHERE sub = ? AND provider = ?').run(sub, provider);
  }

  async identities(sub: string): Promise<LinkedIdentity[]> {
    return this.identityRows(sub).map((row) => ({
      provider: row.provider,
      ...(row.email ? { email: row.email } : {}),
      linkedAt: row.linked_at,
    }));
  }

  async signInLinked(sub: string): Promise<SignInResult> {
    const user = this.userBySub(sub);
    if (!user?.confirmed) throw unauthorized('The account no longer exists');
    return this.signedIn(user);
  }

  private insertLink(sub: string, identity: ExternalIdentity, linkedAt: string): void {
    this.db
      .prepare('INSERT INTO identity_links (provider, subject, sub, email, linked_at) VALUES (?, ?, ?, ?, ?)')
      .run(identity.provider, identity.subject, sub, identity.email ?? null, linkedAt);
  }

  private identityRows(sub: string) {
    return this.db
      .prepare<[string], { provider: string; email: string | null; linked_at: string }>(
        'SELECT provider, email, linked_at FROM identity_links WHERE sub = ? ORDER BY linked_at',
      )
      .all(sub);
  }

  // ------------------------------------------------------------------ operator

  async listUsers(input: { query?: string; limit: number; after?: string }) {
    const query = input.query?.trim().toLowerCase() ?? '';
    const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.db
      .prepare<[string, string, string, number], UserRow>(
        `SELECT * FROM identity_users
         WHERE (email LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\') AND email > ?
         ORDER BY email LIMIT ?`,
      )
      .all(`${like.slice(1)}`, like, input.after ?? '', input.limit + 1);
    const users = rows.slice(0, input.limit).map((row) => this.adminRecord(row));
    const last = users.at(-1);
    return rows.length > input.limit && last ? { users, next: last.email } : { users };
  }

  async adminGetUser(sub: string): Promise<AdminUserRecord | undefined> {
    const user = this.userBySub(sub);
    return user ? this.adminRecord(user) : undefined;
  }

  async userSubByEmail(email: string): Promise<string | undefined> {
    return this.userByEmail(normalizeEmail(email))?.sub;
  }

  async setEnabled(sub: string, enabled: boolean): Promise<void> {
    this.db.prepare('UPDATE identity_users SET disabled = ? WHERE sub = ?').run(enabled ? 0 : 1, sub);
  }

  async groupsOf(sub: string): Promise<string[]> {
    return this.groupRows(sub);
  }

  async addToGroup(sub: string, group: string): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO identity_groups (sub, group_name) VALUES (?, ?)').run(sub, group);
  }

  async removeFromGroup(sub: string, group: string): Promise<void> {
    this.db.prepare('DELETE FROM identity_groups WHERE sub = ? AND group_name = ?').run(sub, group);
  }

  async adminDeleteUser(sub: string): Promise<void> {
    this.db.prepare('DELETE FROM identity_users WHERE sub = ?').run(sub);
  }

  private groupRows(sub: string): string[] {
    return this.db
      .prepare<[string], { group_name: string }>(
        'SELECT group_name FROM identity_groups WHERE sub = ? ORDER BY group_name',
      )
      .all(sub)
      .map((row) => row.group_name);
  }

  private adminRecord(row: UserRow): AdminUserRecord {
    return { ...toUserRecord(row), enabled: !row.disabled, groups: this.groupRows(row.sub) };
  }

  // ------------------------------------------------------------------ internals

  /** An account made through a provider has no password (an empty hash) until one is set. */
  private async passwordMatches(user: UserRow | undefined, password: string): Promise<boolean> {
    if (!user?.password_hash) {
      await argon2.verify(await this.dummyHash, password); // the same time as a real check
      return false;
    }
    return argon2.verify(user.password_hash, password);
  }

  private async issueTokens(user: UserRow, family: string, authTime: number): Promise<Tokens> {
    // Every way to tokens ends here: a disabled account gets none (Cognito: "User is disabled").
    if (user.disabled) throw unauthorized('This account is disabled: ask the operator', 'NotAuthorized');
    const groups = this.groupRows(user.sub);
    const inGroups = groups.length > 0 ? { 'cognito:groups': groups } : {};
    // Never before the last sign-out, so a sign-in in the same second as it is not refused.
    const iat = Math.max(epochSeconds(this.clock), user.tokens_valid_after);
    const exp = iat + ACCESS_TOKEN_SECONDS;
    const { issuer, clientId } = this.options;
    const accessToken = await signToken(
      this.options.keys,
      {
        sub: user.sub,
        iss: issuer,
        client_id: clientId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        auth_time: authTime,
        iat,
        exp,
        jti: randomUUID(),
        username: user.sub,
        origin_jti: family,
        ...inGroups,
      },
      this.clock,
    );
    const idToken = await signToken(
      this.options.keys,
      {
        sub: user.sub,
        aud: clientId,
        iss: issuer,
        token_use: 'id',
        email: user.email,
        email_verified: user.email_verified === 1,
        name: user.name,
        'cognito:username': user.sub,
        ...inGroups,
        auth_time: authTime,
        iat,
        exp,
        jti: randomUUID(),
        origin_jti: family,
      },
      this.clock,
    );
    const refreshToken = randomBytes(48).toString('base64url');
    this.db
      .prepare(
        'INSERT INTO identity_refresh_tokens (token_hash, sub, family, auth_time, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(sha256(refreshToken), user.sub, family, authTime, epochSeconds(this.clock) + REFRESH_TOKEN_SECONDS);
    return { idToken, accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS, tokenType: 'Bearer' };
  }

  private async sendCode(sub: string, email: string, purpose: CodePurpose): Promise<void> {
    const now = epochSeconds(this.clock);
    const previous = this.db
      .prepare<[string, string], { sent_in_window: number; window_start: number }>(
        'SELECT sent_in_window, window_start FROM identity_codes WHERE sub = ? AND purpose = ?',
      )
      .get(sub, purpose);
    const inWindow = previous && now - previous.window_start < 3600;
    const sent = inWindow ? previous.sent_in_window + 1 : 1;
    if (inWindow && sent > MAX_CODES_PER_HOUR) {
      throw tooManyRequests(
        'Too many codes were sent to this account: wait before asking for another',
        previous.window_start + 3600 - now,
        'LimitExceeded',
      );
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.db
      .prepare(
        `INSERT INTO identity_codes (sub, purpose, code_hash, expires_at, attempts, sent_in_window, window_start)
         VALUES (?, ?, ?, ?, 0, ?, ?)
         ON CONFLICT (sub, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
           attempts = 0, sent_in_window = excluded.sent_in_window, window_start = excluded.window_start`,
      )
      .run(
        sub,
        purpose,
        sha256(`${sub}:${code}`),
        now + CODE_SECONDS[purpose],
        sent,
        inWindow ? previous.window_start : now,
      );
    const app = this.options.appName ?? 'Stratus';
    const [subject, text] =
      purpose === 'confirm'
        ? [`Your ${app} confirmation code`, `Your ${app} confirmation code is ${code}. It expires in 24 hours.`]
        : [
            `Reset your ${app} password`,
            `Your ${app} password reset code is ${code}. It expires in 1 hour. If you did not ask for it, ignore this mail.`,
          ];
    await this.options.notifier.send({ channel: 'email', to: email, subject, text });
  }

  /** Checks and spends a mailed code; a code survives at most MAX_CODE_ATTEMPTS wrong guesses. */
  private spendCode(sub: string, purpose: CodePurpose, code: string): void {
    const row = this.db
      .prepare<[string, string], { code_hash: string; expires_at: number; attempts: number }>(
        'SELECT code_hash, expires_at, attempts FROM identity_codes WHERE sub = ? AND purpose = ?',
      )
      .get(sub, purpose);
    if (!row || row.attempts >= MAX_CODE_ATTEMPTS || row.expires_at <= epochSeconds(this.clock)) {
      throw badRequest('ExpiredCode', 'This code has expired or was tried too many times: ask for a new code');
    }
    if (!safeEqual(row.code_hash, sha256(`${sub}:${code}`))) {
      this.db
        .prepare('UPDATE identity_codes SET attempts = attempts + 1 WHERE sub = ? AND purpose = ?')
        .run(sub, purpose);
      throw codeMismatch();
    }
    this.db.prepare('DELETE FROM identity_codes WHERE sub = ? AND purpose = ?').run(sub, purpose);
  }

  /** A TOTP code (each time step usable once) or an unused recovery code (spent by this call). */
  private passesSecondFactor(user: UserRow, code: string): boolean {
    if (!user.mfa_secret) return false;
    const step = this.totpStep(user.mfa_secret, user.email, code);
    if (step !== undefined) {
      if (step <= user.mfa_last_step) return false; // a replayed code
      this.db.prepare('UPDATE identity_users SET mfa_last_step = ? WHERE sub = ?').run(step, user.sub);
      return true;
    }
    const hashes = JSON.parse(user.recovery_codes) as string[];
    const hash = sha256(code.trim().toUpperCase());
    if (!hashes.includes(hash)) return false;
    const remaining = hashes.filter((h) => h !== hash);
    this.db
      .prepare('UPDATE identity_users SET recovery_codes = ? WHERE sub = ?')
      .run(JSON.stringify(remaining), user.sub);
    return true;
  }

  /** The time step a valid TOTP code belongs to (one step of clock drift allowed either way). */
  private totpStep(secret: string, email: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const timestamp = this.clock.now();
    const delta = this.totp(secret, email).validate({ token: code, timestamp, window: 1 });
    return delta === null ? undefined : Math.floor(timestamp / 30_000) + delta;
  }

  private totp(secret: string, email: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: this.options.appName ?? 'Stratus',
      label: email,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: OTPAuth.Secret.fromBase32(secret),
    });
  }

  private userByEmail(email: string): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT * FROM identity_users WHERE email = ?').get(email);
  }

  private userBySub(sub: string): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT * FROM identity_users WHERE sub = ?').get(sub);
  }

  private requireUser(caller: Caller): UserRow {
    const user = this.userBySub(caller.sub);
    if (!user) throw unauthorized('The account no longer exists');
    return user;
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUserRecord(row: UserRow): UserRecord {
  return {
    sub: row.sub,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    attributes: JSON.parse(row.attributes) as CustomAttributes,
    mfaEnabled: row.mfa_secret !== null,
    createdAt: row.created_at,
  };
}

function codeMismatch(): AppError {
  return badRequest('CodeMismatch', 'The code is wrong: check it and try again');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Ten characters from an alphabet without look-alikes, shown as XXXXX-XXXXX. */
function recoveryCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}
