/**
 * A small typed wrapper around fetch for Harbour's REST API (same origin, JSON,
 * session cookie). Every failure becomes an ApiRequestError with a message that
 * can be shown to staff as it is.
 */
import { apiErrorSchema, type ErrorCode, type Issue } from '@harbour/shared';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** Paths where a 401 means "wrong details" (password, code, reset link), not "your session has ended". */
const signInPaths = new Set([
  '/api/auth/login',
  '/api/auth/mfa',
  '/api/auth/logout',
  '/api/auth/password-reset',
  '/api/setup',
]);

let onSessionEnded: (() => void) | undefined;

/** Called (by the auth provider) when any request finds the session has expired. */
export function setSessionEndedHandler(handler: (() => void) | undefined): void {
  onSessionEnded = handler;
}

async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // Every change says JSON, even with no body: the server refuses anything else (no HTML form can send it).
  if (method !== 'GET') headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(
      0,
      'network',
      'Harbour could not reach the server. Check the network connection and try again.',
    );
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text !== '') {
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      data = undefined;
    }
  }

  if (!response.ok) {
    const parsed = apiErrorSchema.safeParse(data);
    const error = parsed.success
      ? new ApiRequestError(
          response.status,
          parsed.data.error.code,
          parsed.data.error.message,
          parsed.data.error.issues,
        )
      : new ApiRequestError(
          response.status,
          response.status >= 500 ? 'internal' : 'bad_request',
          `The server answered with an unexpected error (HTTP ${response.status}). Try again.`,
        );
    if (response.status === 401 && !signInPaths.has(path)) onSessionEnded?.();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: (path: string) => request<undefined>('DELETE', path),
};

/** A message to show for anything thrown by an API call or other async work. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}

/** Builds a query string, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, value);
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}
