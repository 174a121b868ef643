/**
 * The one error type a user can cause. It becomes an `application/problem+json` response
 * (RFC 9457) with `detail` saying what to fix; anything else that escapes is a bug (500)
 * and its message never reaches the client.
 */
export interface FieldProblem {
  /** Dotted path of the failing field, e.g. `body.email`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  fields?: FieldProblem[];
  /** Seconds until retrying may succeed (429), sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra members of the problem document (RFC 9457 extensions), e.g. the id of a conflicting item. */
  extensions?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly fields?: FieldProblem[];
  readonly retryAfterSeconds?: number;
  readonly extensions?: Record<string, string>;

  constructor(
    readonly status: number,
    /** Stable, machine-readable: `CodeMismatch`, `UsernameExists`, ... (Cognito's names where they exist). */
    readonly code: string,
    /** What happened and what to do, for a person. */
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    if (options.fields) this.fields = options.fields;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.extensions) this.extensions = options.extensions;
  }
}

export const badRequest = (code: string, detail: string, options?: AppErrorOptions) =>
  new AppError(400, code, detail, options);
export const unauthorized = (detail: string, code = 'NotAuthorized') => new AppError(401, code, detail);
export const forbidden = (detail: string, code = 'Forbidden') => new AppError(403, code, detail);
/**
 * A wrong current password from a signed-in caller: 403, not 401, because the caller's token is
 * good (a 401 tells a client its session has ended). Still `NotAuthorized`: the guess throttle counts it.
 */
export const wrongCurrentPassword = () => forbidden('The current password is incorrect', 'NotAuthorized');
export const notFound = (detail: string) => new AppError(404, 'NotFound', detail);
export const conflict = (code: string, detail: string, options?: AppErrorOptions) =>
  new AppError(409, code, detail, options);
export const preconditionFailed = (detail: string) => new AppError(412, 'PreconditionFailed', detail);
export const preconditionRequired = (detail: string) => new AppError(428, 'PreconditionRequired', detail);
export const unprocessable = (code: string, detail: string) => new AppError(422, code, detail);
export const tooManyRequests = (detail: string, retryAfterSeconds: number, code = 'TooManyRequests') =>
  new AppError(429, code, detail, { retryAfterSeconds });
