import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, type FieldProblem } from '../platform/errors.ts';
import { ConditionFailedError, TableValidationError, TransactionCanceledError } from '../platform/table.ts';
import { setHeader } from './headers.ts';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
  /** Extension members (RFC 9457 §3.2), e.g. `existingId` on a conflict. */
  [extension: string]: unknown;
}

export function problemResponse(c: Context, error: AppError): Response {
  const body: Problem = {
    ...error.extensions,
    type: `urn:stratus:problem:${error.code}`,
    title: titles[error.status] ?? 'Error',
    status: error.status,
    detail: error.detail,
    code: error.code,
    instance: c.req.path,
  };
  if (error.fields) body.errors = error.fields;
  if (error.retryAfterSeconds !== undefined)
    setHeader(c, 'Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  if (error.status === 401) setHeader(c, 'WWW-Authenticate', 'Bearer');
  return c.body(JSON.stringify(body), error.status as 400, { 'Content-Type': 'application/problem+json' });
}

/** Maps what escapes a handler to a problem. Only `AppError`s (and known table refusals) say why. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const detail =
      error.status === 413
        ? 'The request body is too large: the limit is 1 MB'
        : error.status === 400 && /json/i.test(error.message)
          ? 'The request body is not valid JSON'
          : error.message || (titles[error.status] ?? 'Request refused');
    return new AppError(error.status, error.status === 413 ? 'PayloadTooLarge' : 'BadRequest', detail);
  }
  if (error instanceof TableValidationError) return new AppError(400, 'ValidationError', error.message);
  if (error instanceof ConditionFailedError || error instanceof TransactionCanceledError) {
    return new AppError(409, 'Conflict', 'The item changed while this request ran: read it again and retry');
  }
  return new AppError(500, 'InternalError', 'Something went wrong on our side; it has been logged');
}

/** Where a validation target appears to the client: `json` is the body. */
const targetNames: Record<string, string> = { json: 'body', param: 'path' };

export function validationError(error: ZodError, target: string): AppError {
  const fields = error.issues.map((issue) => ({
    field: [targetNames[target] ?? target, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new AppError(400, 'ValidationError', `The request is not valid: ${summary}`, { fields });
}
