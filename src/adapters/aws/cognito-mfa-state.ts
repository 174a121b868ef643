import { createHash, randomBytes } from 'node:crypto';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { ConditionFailedError, type Item, type Key, type Table, when } from '../../platform/table.ts';
import type { SealedSecret } from './cognito-recovery-codes.ts';

/**
 * What the Cognito adapter keeps beside the user pool, in the app table:
 *
 * - **MFA challenge sessions** (`MFASESSION#<sha256 of id>`): the client gets an opaque id;
 *   the table holds Cognito's session, the username it belongs to, wrong attempts and expiry.
 *   So the built-in issuer's rules hold on AWS too (five wrong codes or three minutes end a
 *   session), and Cognito's session and the username never leave the server.
 * - **The user's MFA secrets** (`USER#<sub>` / `IDENTITY#MFA`): the authenticator secret between
 *   setup and enable, then only its copies sealed under the recovery codes
 *   (see `cognito-recovery-codes.ts`). In the user's partition, so deleting the account's data
 *   deletes them too.
 */

/** Cognito's own MFA session lifetime (AuthSessionValidity's default). */
export const MFA_SESSION_SECONDS = 180;
export const MAX_MFA_ATTEMPTS = 5;
/** A secret set up but never enabled is forgotten after a day; setting up again makes a new one. */
const PENDING_SECRET_SECONDS = 24 * 3600;

export interface MfaSession {
  username: string;
  cognitoSession: string;
  attempts: number;
  expiresAt: number;
}

export interface UserMfaSecrets {
  /** The secret from AssociateSoftwareToken, until the first code verifies it. */
  pendingSecret?: string;
  recovery?: SealedSecret;
  /** Bumped on every change, so spending a code is a compare-and-set. */
  version: number;
}

const sessionKey = (id: string): Key => ({
  PK: `MFASESSION#${createHash('sha256').update(id).digest('base64url')}`,
  SK: 'MFASESSION',
});
const secretsKey = (sub: string): Key => ({ PK: `USER#${sub}`, SK: 'IDENTITY#MFA' });

export class MfaState {
  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- challenge sessions

  /** Stores a challenge and returns the opaque id the client answers it with. */
  async startSession(username: string, cognitoSession: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const expiresAt = epochSeconds(this.clock) + MFA_SESSION_SECONDS;
    await this.table.put({
      ...sessionKey(id),
      type: 'mfa-session',
      username,
      cognitoSession,
      attempts: 0,
      expiresAt,
      ttl: expiresAt,
    });
    return id;
  }

  /** The live session with this id, or undefined when there is none or it has expired. */
  async session(id: string): Promise<MfaSession | undefined> {
    const item = await this.table.get(sessionKey(id), { consistent: true });
    if (!item || Number(item.expiresAt) <= epochSeconds(this.clock)) return undefined;
    return {
      username: String(item.username),
      cognitoSession: String(item.cognitoSession),
      attempts: Number(item.attempts),
      expiresAt: Number(item.expiresAt),
    };
  }

  /** Counts a wrong code; the session ends at the limit. Atomic, so parallel guesses all count. */
  async countWrongAttempt(id: string): Promise<void> {
    let item: Item;
    try {
      item = await this.table.update(sessionKey(id), { add: { attempts: 1 } }, { condition: when.exists() });
    } catch (error) {
      if (error instanceof ConditionFailedError) return; // already ended
      throw error;
    }
    if (Number(item.attempts) >= MAX_MFA_ATTEMPTS) await this.endSession(id);
  }

  async endSession(id: string): Promise<void> {
    await this.table.delete(sessionKey(id));
  }

  // ---------------------------------------------------------------- the user's secrets

  async secrets(sub: string): Promise<UserMfaSecrets | undefined> {
    const item = await this.table.get(secretsKey(sub), { consistent: true });
    if (!item) return undefined;
    return {
      ...(typeof item.pendingSecret === 'string' ? { pendingSecret: item.pendingSecret } : {}),
      ...(item.recovery ? { recovery: item.recovery as unknown as SealedSecret } : {}),
      version: Number(item.version ?? 0),
    };
  }

  /** Keeps a new authenticator secret until it is enabled, replacing anything kept before. */
  async savePendingSecret(sub: string, secret: string): Promise<void> {
    await this.table.put({
      ...secretsKey(sub),
      type: 'identity-mfa',
      pendingSecret: secret,
      version: 1,
      ttl: epochSeconds(this.clock) + PENDING_SECRET_SECONDS,
    });
  }

  /**
   * Replaces the pending secret by its sealed copies. Fails (false) when the secrets changed
   * since `version` was read, e.g. a second setup ran meanwhile.
   */
  async saveRecovery(sub: string, recovery: SealedSecret, version: number): Promise<boolean> {
    return this.compareAndSet(version, {
      ...secretsKey(sub),
      type: 'identity-mfa',
      recovery: recovery as unknown as Item[string],
      version: version + 1,
    });
  }

  /** Keeps only the `remaining` sealed copies; false when another request changed them first. */
  async spendRecoveryCode(sub: string, recovery: SealedSecret, remaining: string[], version: number): Promise<boolean> {
    return this.compareAndSet(version, {
      ...secretsKey(sub),
      type: 'identity-mfa',
      recovery: { salt: recovery.salt, sealed: remaining },
      version: version + 1,
    });
  }

  async forget(sub: string): Promise<void> {
    await this.table.delete(secretsKey(sub));
  }

  private async compareAndSet(version: number, item: Item): Promise<boolean> {
    try {
      await this.table.put(item, { condition: when.equals('version', version) });
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }
}
