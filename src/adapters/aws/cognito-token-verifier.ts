import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { CognitoJwtInvalidClientIdError, CognitoJwtInvalidTokenUseError } from 'aws-jwt-verify/error';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { unauthorized } from '../../platform/errors.ts';
import type { AccessClaims } from '../../platform/identity.ts';

/** Where access tokens come from, when not from Cognito itself. */
export interface TokenIssuerOptions {
  /**
   * The `iss` of the tokens, for a Cognito-compatible peer such as cognito-local
   * (`http://127.0.0.1:<port>/<pool id>`). Absent on AWS: the issuer follows from the pool id.
   */
  issuer?: string;
  /** The issuer's JWKS; `<issuer>/.well-known/jwks.json` when absent, as on Cognito. */
  jwksUri?: string;
  /** Fetches and caches the keys; aws-jwt-verify's own fetches over HTTPS only. */
  jwksCache?: JwksCache;
}

export interface AccessTokenVerifierOptions extends TokenIssuerOptions {
  userPoolId: string;
  clientId: string;
}

/**
 * Checks an access token the way API Gateway's Cognito authorizer does: RS256 signature by
 * the pool's key, issuer, expiry, `token_use: access` and the app client id (access tokens
 * carry `client_id`, not `aud`). Every failure is `NotAuthorized`, worded as the built-in
 * issuer words it. Revocation is not a property of the token: the app checks it per request.
 */
export function accessTokenVerifier(options: AccessTokenVerifierOptions): (token: string) => Promise<AccessClaims> {
  const verify = options.issuer ? peerVerifier(options, options.issuer) : cognitoVerifier(options);
  return async (token) => {
    try {
      return (await verify(token)) as unknown as AccessClaims;
    } catch (error) {
      if (error instanceof CognitoJwtInvalidTokenUseError) {
        throw unauthorized('This is not an access token: send the accessToken');
      }
      if (error instanceof CognitoJwtInvalidClientIdError) {
        throw unauthorized('The access token was issued to another client');
      }
      throw unauthorized('The access token is invalid or has expired: sign in again or refresh it');
    }
  };
}

type Verify = (token: string) => Promise<unknown>;

function cognitoVerifier(options: AccessTokenVerifierOptions): Verify {
  const properties = { userPoolId: options.userPoolId, tokenUse: 'access', clientId: options.clientId } as const;
  const verifier = options.jwksCache
    ? CognitoJwtVerifier.create(properties, { jwksCache: options.jwksCache })
    : CognitoJwtVerifier.create(properties);
  return (token) => verifier.verify(token);
}

/** A generic JWT verifier with Cognito's access-token checks added, for a peer whose issuer is not Cognito's URL. */
function peerVerifier(options: AccessTokenVerifierOptions, issuer: string): Verify {
  const properties = {
    issuer,
    jwksUri: options.jwksUri ?? `${issuer}/.well-known/jwks.json`,
    audience: null,
    customJwtCheck: ({ payload }: { payload: Parameters<typeof validateCognitoJwtFields>[0] }) =>
      validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: options.clientId }),
  };
  const verifier = options.jwksCache
    ? JwtVerifier.create(properties, { jwksCache: options.jwksCache })
    : JwtVerifier.create(properties);
  return (token) => verifier.verify(token);
}
