import {
  AppError,
  badRequest,
  conflict,
  tooManyRequests,
  unauthorized,
  wrongCurrentPassword,
} from '../../platform/errors.ts';

/**
 * Cognito's exceptions as the port's `AppError`s. Each failure a user can cause becomes the
 * same status, code and detail the built-in issuer (`local-identity.ts`) answers, so both
 * adapters fail alike and neither tells more about who has an account than the other.
 */

/** The exception name of an AWS SDK v3 error (`NotAuthorizedException`, ...), if it is one. */
export function exceptionName(error: unknown): string | undefined {
  if (error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object') return error.name;
  return undefined;
}

/** Whether `error` is one of the named Cognito exceptions. */
export function isException(error: unknown, ...names: string[]): boolean {
  const name = exceptionName(error);
  return name !== undefined && names.includes(name);
}

// The built-in issuer's answers, word for word.
export const failures = {
  codeMismatch: () => badRequest('CodeMismatch', 'The code is wrong: check it and try again'),
  expiredCode: () => badRequest('ExpiredCode', 'This code has expired or was tried too many times: ask for a new code'),
  usernameExists: () => conflict('UsernameExists', 'An account with this email already exists: sign in instead'),
  wrongCredentials: () => unauthorized('Incorrect email or password'),
  userNotConfirmed: () =>
    new AppError(403, 'UserNotConfirmed', 'Confirm your email first: enter the code we sent, or ask for a new one'),
  expiredSession: () => unauthorized('The sign-in session has expired: sign in again', 'ExpiredSession'),
  badRefreshToken: () => unauthorized('The refresh token is invalid, expired or revoked: sign in again'),
  accountGone: () => unauthorized('The account no longer exists'),
  wrongCurrentPassword,
  mfaAlreadyOnForSetup: () =>
    conflict('MfaAlreadyEnabled', 'MFA is already on: turn it off first to set up a new authenticator'),
  mfaAlreadyOn: () => conflict('MfaAlreadyEnabled', 'MFA is already on'),
  mfaNotSetUp: () =>
    badRequest('MfaNotSetUp', 'Call /v1/auth/mfa/setup first, then send a code from the authenticator'),
  mfaNotOn: () => badRequest('MfaNotEnabled', 'MFA is not on'),
  tooManyCodes: () =>
    tooManyRequests(
      'Too many codes were sent to this account: wait before asking for another',
      CODE_LIMIT_RETRY_SECONDS,
      'LimitExceeded',
    ),
} as const;

/** Cognito does not say when a limit lifts; this is a polite first wait, not a promise. */
const CODE_LIMIT_RETRY_SECONDS = 15 * 60;
const ATTEMPT_LIMIT_RETRY_SECONDS = 60;
const REQUEST_RATE_RETRY_SECONDS = 1;

/** What an exception means in the call at hand, where that differs from `toAppError`'s default. */
export type ExceptionMeaning = Partial<Record<string, () => AppError>>;

/**
 * Maps a Cognito exception to an `AppError`: first by the call's own `meaning` (the same
 * exception means different things in different calls), then by the defaults below. Anything
 * else (a misconfigured pool, missing IAM permission, Cognito's own fault) is returned
 * unchanged: a bug or an outage, never the user's to fix, so its message stays in the logs.
 */
export function toAppError(error: unknown, meaning: ExceptionMeaning = {}): unknown {
  const name = exceptionName(error);
  if (name === undefined) return error;
  const specific = meaning[name];
  if (specific) return withCause(specific(), error);
  const message = (error as Error).message;
  switch (name) {
    case 'CodeMismatchException':
      return withCause(failures.codeMismatch(), error);
    case 'ExpiredCodeException':
    case 'TooManyFailedAttemptsException':
      return withCause(failures.expiredCode(), error);
    case 'UsernameExistsException':
      return withCause(failures.usernameExists(), error);
    case 'UserNotConfirmedException':
      return withCause(failures.userNotConfirmed(), error);
    case 'InvalidPasswordException':
      return badRequest('InvalidPassword', `The password does not meet the password policy: ${message}`, {
        cause: error,
      });
    case 'PasswordHistoryPolicyViolationException':
      return badRequest('InvalidPassword', 'This password was used recently: choose another', { cause: error });
    case 'PasswordResetRequiredException':
      return new AppError(403, 'PasswordResetRequired', 'Reset your password: ask for a code with "forgot password"', {
        cause: error,
      });
    case 'LimitExceededException':
      return tooManyRequestsWithCause(
        'Too many attempts: wait a while and try again',
        ATTEMPT_LIMIT_RETRY_SECONDS,
        'LimitExceeded',
        error,
      );
    case 'TooManyRequestsException':
      return tooManyRequestsWithCause(
        'Too many requests right now: try again in a moment',
        REQUEST_RATE_RETRY_SECONDS,
        'TooManyRequests',
        error,
      );
    case 'UserNotFoundException':
      return withCause(failures.accountGone(), error);
    case 'NotAuthorizedException':
      return withCause(unauthorized('Not authorized: sign in again'), error);
    case 'InvalidParameterException':
      // Cognito's own words here name the field at fault ("Invalid email address format.").
      return badRequest('InvalidParameter', message, { cause: error });
    case 'AliasExistsException':
      return conflict('AliasExists', 'Another account already uses this email', { cause: error });
    case 'UserLambdaValidationException':
      return refusalOf(message) ?? error;
    default:
      return error;
  }
}

function withCause(appError: AppError, cause: unknown): AppError {
  return new AppError(appError.status, appError.code, appError.detail, {
    cause,
    ...(appError.retryAfterSeconds !== undefined ? { retryAfterSeconds: appError.retryAfterSeconds } : {}),
  });
}

function tooManyRequestsWithCause(detail: string, seconds: number, code: string, cause: unknown): AppError {
  return new AppError(429, code, detail, { retryAfterSeconds: seconds, cause });
}

// ---------------------------------------------------------------- hook refusals through Cognito

/**
 * A hook refuses with an `AppError`; as a Cognito trigger it can only throw, and Cognito hands
 * the caller `UserLambdaValidationException: PreSignUp failed with error <message>.` So the
 * trigger writes the refusal's status and code in front of its detail, and the adapter reads
 * them back: the same `AppError` reaches the user on both adapters.
 */
export function refusalMessage(error: AppError): string {
  return `[${error.status} ${error.code}] ${error.detail}`;
}

const REFUSAL = /\[(4\d\d) ([A-Za-z][\w.-]*)\] ([\s\S]*?)\.?$/;

/** The refusal in a `UserLambdaValidationException` message, or undefined when it holds none (a bug in the trigger). */
export function refusalOf(message: string): AppError | undefined {
  const match = REFUSAL.exec(message);
  if (!match) return undefined;
  const [, status, code, detail] = match as unknown as [string, string, string, string];
  return new AppError(Number(status), code, detail);
}
