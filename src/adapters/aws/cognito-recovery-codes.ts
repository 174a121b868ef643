import { createCipheriv, createDecipheriv, randomBytes, randomInt, scrypt } from 'node:crypto';

/**
 * MFA recovery codes for Cognito, which has none of its own.
 *
 * A recovery code must let its holder through a `SOFTWARE_TOKEN_MFA` challenge, and Cognito
 * passes that challenge only for a valid TOTP code. So when MFA is turned on, the adapter
 * seals the authenticator's secret once under each recovery code (AES-256-GCM, with a key
 * stretched from the code by scrypt) and keeps only the sealed copies. A recovery code
 * opens its copy, the adapter computes the current TOTP code from the secret and answers the
 * challenge with it, and the copy is deleted: the code is spent.
 *
 * Nothing stored opens without a code: a leaked table holds no secret and no code, and
 * guessing a 50-bit code through scrypt is out of reach. MFA stays on throughout, with no
 * window in which the account has a single factor, and no admin call is needed.
 */

export const RECOVERY_CODE_COUNT = 10;

/** The authenticator's secret sealed under each recovery code, as stored in the table. */
export interface SealedSecret {
  /** Base64url; one salt for the user's codes, so trying a code costs one key derivation. */
  salt: string;
  /** Base64url `iv | ciphertext | tag`, one per unspent code. */
  sealed: string[];
}

/** Ten characters from an alphabet without look-alikes (no 0/O, 1/I), shown as XXXXX-XXXXX. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
/** scrypt at N=2^14, r=8: 16 MiB and tens of milliseconds per code, per OWASP's minimum. */
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Makes fresh recovery codes and seals `secret` under each; `context` (the user's sub) binds the copies to their owner. */
export async function sealUnderRecoveryCodes(
  secret: string,
  context: string,
): Promise<{ codes: string[]; sealed: SealedSecret }> {
  const salt = randomBytes(16);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const sealed = await Promise.all(codes.map(async (code) => seal(secret, await deriveKey(code, salt), context)));
  return { codes, sealed: { salt: salt.toString('base64url'), sealed } };
}

/**
 * Opens the secret with a recovery code. Returns the secret and the sealed copies left once
 * this code is spent, or undefined when the code opens none (wrong, or already spent).
 */
export async function openWithRecoveryCode(
  stored: SealedSecret,
  code: string,
  context: string,
): Promise<{ secret: string; remaining: string[] } | undefined> {
  if (!looksLikeRecoveryCode(code)) return undefined;
  const key = await deriveKey(code, Buffer.from(stored.salt, 'base64url'));
  for (const copy of stored.sealed) {
    const secret = open(copy, key, context);
    if (secret !== undefined) return { secret, remaining: stored.sealed.filter((c) => c !== copy) };
  }
  return undefined;
}

/** Whether `code` has a recovery code's shape (never a TOTP code's six digits). */
export function looksLikeRecoveryCode(code: string): boolean {
  const normalized = normalize(code);
  return normalized.length === CODE_LENGTH && [...normalized].every((c) => ALPHABET.includes(c));
}

function newCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case, spaces and the dash do not matter: people retype these. */
function normalize(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

function deriveKey(code: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(normalize(code), salt, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function seal(secret: string, key: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

function open(copy: string, key: Buffer, context: string): string | undefined {
  const bytes = Buffer.from(copy, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined; // another code's copy: the tag does not verify under this key
  }
}
