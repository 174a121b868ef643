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

/** Who an outside provider says signed in, after Stratus checked its ID token. */
export interface ExternalIdentity {
  /** The provider's id in Stratus's registry (`google`, `acme-sso`, ...). */
  provider: string;
  /** The provider's `sub`: stable for the person at that provider. */
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

export interface LinkedIdentity {
  provider: string;
  email?: string;
  linkedAt: string;
}

/**
 * Sign-in through an outside OpenID Connect provider (Cognito's federated identities). Stratus
 * runs the provider's code flow itself and checks its ID token (`src/apps/users/federation.ts`);
 * this port keeps the links between outside identities and accounts, and signs a linked
 * account in as a password would, MFA included.
 */
export interface Federation {
  /** The account this outside identity is linked to, if any. */
  linkedAccount(provider: string, subject: string): Promise<string | undefined>;
  /** The confirmed account that uses this email, if any. */
  accountWithEmail(email: string): Promise<string | undefined>;
  /**
   * A new, confirmed account without a password, linked to the identity (the post-confirmation
   * hook runs, as for a confirmed sign-up). A password can be set later with "forgot password".
   */
  createLinkedAccount(identity: ExternalIdentity & { email: string; name: string }): Promise<{ sub: string }>;
  /** Links an identity to an account; `Conflict` if it is linked to another, or the account already has one from this provider. */
  link(sub: string, identity: ExternalIdentity): Promise<void>;
  /** `Conflict` when it is the account's last way to sign in (no password, no other identity). */
  unlink(sub: string, provider: string): Promise<void>;
  identities(sub: string): Promise<LinkedIdentity[]>;
  /** Tokens for a linked account, or its MFA challenge, as `signIn` answers. */
  signInLinked(sub: string): Promise<SignInResult>;
}

/** A user as the operator console shows one. */
export interface AdminUserRecord extends UserRecord {
  enabled: boolean;
  groups: string[];
}

/** The group whose members may use the operator console (carried in `cognito:groups`). */
export const ADMINS_GROUP = 'admins';

/**
 * The operator's side of the user pool (Cognito's Admin* calls): find users, disable and enable
 * them, manage groups, delete. A disabled user cannot sign in or refresh.
 */
export interface IdentityAdmin {
  /** By email prefix or a part of the name, in email order; `after` is the last email of the previous page. */
  listUsers(input: {
    query?: string;
    limit: number;
    after?: string;
  }): Promise<{ users: AdminUserRecord[]; next?: string }>;
  adminGetUser(sub: string): Promise<AdminUserRecord | undefined>;
  userSubByEmail(email: string): Promise<string | undefined>;
  setEnabled(sub: string, enabled: boolean): Promise<void>;
  groupsOf(sub: string): Promise<string[]>;
  addToGroup(sub: string, group: string): Promise<void>;
  removeFromGroup(sub: string, group: string): Promise<void>;
  /** Deletes the account on the operator's authority (Cognito's AdminDeleteUser). */
  adminDeleteUser(sub: string): Promise<void>;
}
