import type { Clock } from '../../platform/clock.ts';
import { badRequest, conflict, unauthorized } from '../../platform/errors.ts';
import type {
  AccessClaims,
  Caller,
  CustomAttributes,
  Identity,
  SignInResult,
  Tokens,
} from '../../platform/identity.ts';
import {
  ConditionFailedError,
  type Item,
  type Table,
  TransactionCanceledError,
  type WriteOp,
  when,
} from '../../platform/table.ts';
import { type ProfileView, profileKey, profileView, usernameKey } from './profile.ts';
import { AuthThrottle, defaultThrottleLimits } from './throttle.ts';

/** Where an attempt comes from, for the guess throttle. */
export interface Origin {
  address: string;
}

/**
 * The accounts use cases. Identity flows go to the Identity port (Cognito or the built-in
 * issuer); what the apps need on every request (the profile, and when the user last signed
 * out everywhere) lives in the table, so checking a session is one key read on both.
 */
export class AccountsService {
  constructor(
    private readonly identity: Identity,
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly throttle: AuthThrottle = new AuthThrottle(defaultThrottleLimits, clock),
  ) {}

  async signUp(input: { email: string; password: string; name: string }, origin: Origin): Promise<{ sub: string }> {
    return this.throttle.attempt(input.email, origin.address, () => this.identity.signUp(input));
  }

  confirm(email: string, code: string, origin: Origin): Promise<void> {
    return this.throttle.attempt(email, origin.address, () => this.identity.confirmSignUp(email, code));
  }

  resendCode(email: string): Promise<void> {
    return this.identity.resendCode(email);
  }

  signIn(email: string, password: string, origin: Origin): Promise<SignInResult> {
    return this.throttle.attempt(email, origin.address, () => this.identity.signIn(email, password));
  }

  answerMfaChallenge(session: string, code: string, origin: Origin): Promise<Tokens> {
    return this.throttle.attempt(`session:${session}`, origin.address, () =>
      this.identity.respondToMfaChallenge(session, code),
    );
  }

  refresh(refreshToken: string): Promise<Tokens> {
    return this.identity.refresh(refreshToken);
  }

  /** Revokes every refresh token and refuses every access token issued before now. */
  async signOutEverywhere(sub: string): Promise<void> {
    await this.identity.signOutEverywhere(sub);
    await this.table.update(profileKey(sub), { set: { tokensValidAfter: Math.ceil(this.clock.now() / 1000) } });
  }

  forgotPassword(email: string): Promise<void> {
    return this.identity.forgotPassword(email);
  }

  async resetPassword(email: string, code: string, newPassword: string, origin: Origin): Promise<void> {
    const { sub } = await this.throttle.attempt(email, origin.address, () =>
      this.identity.resetPassword(email, code, newPassword),
    );
    // Whoever knew the old password may hold sessions: end them all.
    await this.signOutEverywhere(sub);
  }

  async changePassword(caller: Caller, oldPassword: string, newPassword: string, origin: Origin): Promise<void> {
    if (oldPassword === newPassword) {
      throw badRequest('InvalidPassword', 'The new password must differ from the current one');
    }
    await this.throttle.attempt(caller.sub, origin.address, () =>
      this.identity.changePassword(caller, oldPassword, newPassword),
    );
  }

  setupMfa(caller: Caller): Promise<{ secret: string; otpauthUri: string }> {
    return this.identity.setupMfa(caller);
  }

  async enableMfa(caller: Caller, code: string, origin: Origin): Promise<{ recoveryCodes: string[] }> {
    const result = await this.throttle.attempt(caller.sub, origin.address, () => this.identity.enableMfa(caller, code));
    await this.table.update(profileKey(caller.sub), { set: { mfaEnabled: true, updatedAt: this.now() } });
    return result;
  }

  async disableMfa(caller: Caller, code: string, origin: Origin): Promise<void> {
    await this.throttle.attempt(caller.sub, origin.address, () => this.identity.disableMfa(caller, code));
    await this.table.update(profileKey(caller.sub), { set: { mfaEnabled: false, updatedAt: this.now() } });
  }

  async updateMe(
    caller: Caller,
    changes: { name?: string; username?: string; attributes?: CustomAttributes },
  ): Promise<ProfileView> {
    const { username, ...identityChanges } = changes;
    if (username !== undefined) await this.claimUsername(caller.sub, username);
    if (identityChanges.name === undefined && identityChanges.attributes === undefined) {
      return profileView(await this.requireProfile(caller.sub));
    }
    const user = await this.identity.updateUser(caller, identityChanges);
    const item = await this.table.update(
      profileKey(caller.sub),
      { set: { name: user.name, attributes: user.attributes, updatedAt: this.now() } },
      { condition: when.exists() },
    );
    return profileView(item);
  }

  /**
   * Sets the profile picture (a processed avatar's public URL; null removes it) on the
   * server's authority: it runs when processing finishes, after the request that started it.
   */
  async setPicture(sub: string, url: string | null): Promise<void> {
    await this.identity.setAttributes(sub, { profile_picture_url: url ?? '' });
    const profile = await this.table.get(profileKey(sub), { consistent: true });
    if (!profile) return; // the account went meanwhile
    const attributes = { ...(profile.attributes as Record<string, string>) };
    if (url) attributes.profile_picture_url = url;
    else delete attributes.profile_picture_url;
    try {
      await this.table.update(
        profileKey(sub),
        { set: { attributes, updatedAt: this.now() } },
        { condition: when.exists() },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  /**
   * Takes `username` for the user and frees their previous one, in one transaction whose
   * condition makes the name unique: two users asking at once cannot both get it.
   */
  private async claimUsername(sub: string, username: string): Promise<void> {
    const profile = await this.requireProfile(sub);
    const previous = profile.username as string | undefined;
    if (previous === username) return;
    const ops: WriteOp[] = [
      { put: { ...usernameKey(username), type: 'claim', holderId: sub }, condition: when.notExists() },
      { update: profileKey(sub), changes: { set: { username, updatedAt: this.now() } }, condition: when.exists() },
    ];
    if (previous) ops.push({ delete: usernameKey(previous), condition: when.equals('holderId', sub) });
    try {
      await this.table.transact(ops);
    } catch (error) {
      if (error instanceof TransactionCanceledError && error.reasons[0] === 'ConditionalCheckFailed') {
        throw conflict('UsernameTaken', `The username ${username} is taken: choose another`);
      }
      throw error;
    }
  }

  private async requireProfile(sub: string): Promise<Item> {
    const profile = await this.table.get(profileKey(sub));
    if (!profile) throw unauthorized('The account no longer exists');
    return profile;
  }

  /**
   * Deletes the account, then the profile item; the profile's REMOVE on the change stream
   * deletes everything else the user owns (see events.ts).
   */
  async deleteMe(caller: Caller): Promise<void> {
    await this.identity.deleteUser(caller);
    await this.table.delete(profileKey(caller.sub));
  }

  /**
   * Verifies an access token and that its session is still current: the account exists
   * and the token was issued after the user last signed out everywhere.
   */
  async authenticate(accessToken: string): Promise<{ claims: AccessClaims; profile: Item }> {
    const claims = await this.identity.verifyAccessToken(accessToken);
    const profile = await this.table.get(profileKey(claims.sub));
    if (!profile) throw unauthorized('The account no longer exists');
    if (claims.iat < Number(profile.tokensValidAfter ?? 0)) {
      throw unauthorized('This session was signed out: sign in again');
    }
    return { claims, profile };
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
