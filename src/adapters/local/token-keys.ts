import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { type Clock, epochSeconds } from '../../platform/clock.ts';
import { unauthorized } from '../../platform/errors.ts';
import { writeFileAtomic } from './files.ts';

export interface SigningKeys {
  kid: string;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  /** The public half, as published at `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

/**
 * The installation's token-signing key: made on first start and kept in `DATA_DIR/keys`
 * (readable by the owner only), never shipped with the code.
 */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<SigningKeys> {
  const path = join(dataDir, 'keys', 'token-signing-key.json');
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    privateJwk = await exportJWK(privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    await writeFileAtomic(path, JSON.stringify(privateJwk), 0o600);
  }
  const kid = privateJwk.kid as string;
  const { n, e, kty } = privateJwk;
  const publicJwk: JWK = { kty, n, e, kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    privateKey: await importJWK({ ...privateJwk, alg: 'RS256' }, 'RS256'),
    jwks: { keys: [publicJwk] },
  };
}

export async function signToken(keys: SigningKeys, claims: JWTPayload, clock: Clock): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : epochSeconds(clock))
    .sign(keys.privateKey);
}

export interface VerifierOptions {
  issuer: string;
  clientId: string;
  jwks: { keys: JWK[] };
  clock: Clock;
}

/** Verified tokens kept, so a busy client's token is checked by signature once, not per request. */
const VERIFIED_TOKENS = 10_000;

/**
 * Verifies a Cognito-shaped access token: RS256 only (so `alg: none` and HS256-with-the-
 * public-key are refused by construction), the issuer, expiry, `token_use: access` and the
 * app client id (Cognito access tokens carry `client_id`, not `aud`).
 *
 * An RS256 check costs about 250 µs, most of a request, so a token that passed is remembered
 * (by its exact text, which the signature covers) until it expires; expiry is still checked
 * on every use. Revocation is not a property of the token and is checked per request elsewhere.
 */
export function accessTokenVerifier(options: VerifierOptions) {
  const keySet = createLocalJWKSet(options.jwks);
  const verified = new LRUCache<string, JWTPayload>({ max: VERIFIED_TOKENS });
  return async (token: string): Promise<JWTPayload> => {
    const known = verified.get(token);
    if (known) {
      if ((known.exp ?? 0) > epochSeconds(options.clock)) return known;
      verified.delete(token);
    }
    const payload = await verifySignatureAndClaims(token);
    verified.set(token, payload);
    return payload;
  };

  async function verifySignatureAndClaims(token: string): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: ['RS256'],
        issuer: options.issuer,
        currentDate: new Date(options.clock.now()),
        requiredClaims: ['sub', 'exp', 'iat', 'token_use', 'client_id'],
      }));
    } catch {
      throw unauthorized('The access token is invalid or has expired: sign in again or refresh it');
    }
    if (payload.token_use !== 'access') throw unauthorized('This is not an access token: send the accessToken');
    if (payload.client_id !== options.clientId) throw unauthorized('The access token was issued to another client');
    return payload;
  }
}
