// The API client: JSON in and out, errors as the API's problem details (RFC 9457).

export interface FieldProblem {
  /** Dotted path of the failing field, e.g. `body.password`. */
  field: string;
  message: string;
}

export interface Problem {
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
}

/** A refused request, carrying what the API said; `message` is fit to show to the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(describe(problem));
  }
}

/** Field problems read as sentences ("Password must be at least 8 characters"); else the detail. */
function describe(problem: Problem): string {
  const sentences = (problem.errors ?? []).map((error) => {
    const name = error.field.split('.').at(-1) ?? error.field;
    return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${error.message}`;
  });
  return sentences.length > 0 ? `${sentences.join('. ')}.` : problem.detail;
}

/** The failure of a request that never reached Stratus (status 0): the device is offline. */
export const offlineError = () =>
  new ApiError(0, {
    title: 'Offline',
    status: 0,
    detail: 'Stratus cannot be reached: check your connection and try again',
    code: 'Offline',
  });

/** What to tell the user about any failure: the API's words when it answered, else a generic line. */
export const errorText = (caught: unknown): string =>
  caught instanceof ApiError ? caught.message : 'Something went wrong: try again';

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The API's base URL: this origin on one machine; on AWS, the address the deploy wrote into the page. */
const API_BASE = (document.querySelector<HTMLMetaElement>('meta[name="stratus-api"]')?.content ?? '').replace(
  /\/$/,
  '',
);

/** Calls the API; resolves with the JSON body (undefined for 204), rejects with ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw offlineError();
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const problem = (body as Problem | undefined) ?? {
      title: response.statusText,
      status: response.status,
      detail: `The request failed (${response.status})`,
      code: 'Unknown',
    };
    throw new ApiError(response.status, problem);
  }
  return body as T;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface MfaChallenge {
  challenge: 'SOFTWARE_TOKEN_MFA';
  session: string;
}

export interface Profile {
  sub: string;
  email: string;
  name: string;
  username?: string;
  mfaEnabled: boolean;
}

export interface Todo {
  id: string;
  version: number;
  title: string;
  notes?: string;
  done: boolean;
  dueDate?: string;
  tags: string[];
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
