/**
 * The Identity port: Cognito user pools' flows, in the app's words. On AWS the adapter maps
 * each call onto one Cognito API call; on one machine a built-in issuer implements the same
 * flows and issues Cognito-shaped RS256 tokens, so one verifier checks both.
 *
 * Failures are `AppError`s with Cognito's exception names as codes (`UsernameExists`,
 * `CodeMismatch`, `ExpiredCode`, `NotAuthorized`, `UserNotConfirmed`, `InvalidPassword`,
 * `LimitExceeded`, ...), so both adapters fail the same way.
 */

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access and id tokens expire. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export type SignInResult = { tokens: Tokens } | { challenge: 'SOFTWARE_TOKEN_MFA'; session: string };

/** The attributes a user may set beside `name`; the AWS user pool declares the same list. */
export const customAttributeNames = [
  'preferred_username',
  'profile_picture_url',
  'bio',
  'website',
  'locale',
  'zoneinfo',
] as const;
export type CustomAttributeName = (typeof customAttributeNames)[number];
export type CustomAttributes = Partial<Record<CustomAttributeName, string>>;

export interface UserRecord {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  attributes: CustomAttributes;
  mfaEnabled: boolean;
  createdAt: string;
}

/** The verified caller: what a handler may act on behalf of. */
export interface Caller {
  sub: string;
  /** The raw access token, which Cognito's user-scoped calls take. */
  accessToken: string;
}

export interface AccessClaims {
  sub: string;
  iss: string;
  client_id: string;
  token_use: 'access';
  scope: string;
  auth_time: number;
  iat: number;
  exp: number;
  jti: string;
  username: string;
  'cognito:groups'?: string[];
}

/** Cognito's triggers: the same code runs here and as Lambda triggers on AWS. */
export interface SignUpEvent {
  email: string;
  name: string;
  attributes: CustomAttributes;
}
export interface ConfirmedEvent extends SignUpEvent {
  sub: string;
}
export interface IdentityHooks {
  /** Throw an `AppError` to refuse the sign-up with its message. */
  preSignUp?(event: SignUpEvent): Promise<void>;
  postConfirmation?(event: ConfirmedEvent): Promise<void>;
}

export interface Identity {
  signUp(input: {
    email: string;
    password: string;
    name: string;
    attributes?: CustomAttributes;
  }): Promise<{ sub: string }>;
  confirmSignUp(email: string, code: string): Promise<void>;
  resendCode(email: string): Promise<void>;
  signIn(email: string, password: string): Promise<SignInResult>;
  respondToMfaChallenge(session: string, code: string): Promise<Tokens>;
  refresh(refreshToken: string): Promise<Tokens>;
  /** Revokes every refresh token of the user (Cognito's AdminUserGlobalSignOut). */
  signOutEverywhere(sub: string): Promise<void>;
  forgotPassword(email: string): Promise<void>;
  /** Returns the user's sub, so the caller can end the user's sessions. */
  resetPassword(email: string, code: string, newPassword: string): Promise<{ sub: string }>;
  changePassword(caller: Caller, oldPassword: string, newPassword: string): Promise<void>;
  setupMfa(caller: Caller): Promise<{ secret: string; otpauthUri: string }>;
  /** Verifies a first code from the authenticator; returns one-time recovery codes. */
  enableMfa(caller: Caller, code: string): Promise<{ recoveryCodes: string[] }>;
  disableMfa(caller: Caller, code: string): Promise<void>;
  getUser(caller: Caller): Promise<UserRecord>;
  updateUser(caller: Caller, changes: { name?: string; attributes?: CustomAttributes }): Promise<UserRecord>;
  /**
   * Sets attributes on the server's authority, without the user's token (Cognito's
   * AdminUpdateUserAttributes): for work done after the request, such as a processed profile
   * picture. An empty value removes the attribute. A deleted account is left alone.
   */
  setAttributes(sub: string, attributes: CustomAttributes): Promise<void>;
  deleteUser(caller: Caller): Promise<void>;
  /** Checks signature, issuer, client id, `token_use` and expiry. Throws `NotAuthorized`. */
  verifyAccessToken(token: string): Promise<AccessClaims>;
}
