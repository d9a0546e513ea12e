/**
 * JSON calls to the agent's local UI server (same origin; its cookie authenticates).
 * Failures become a UiRequestError; pages say what happened in their own words (by code),
 * never the server's English message.
 */
import type { ApiError, ErrorCode } from '@harbour/shared';

export class UiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'UiRequestError';
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new UiRequestError(0, 'network', 'Harbour is not answering.');
  }
  const data = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = (data as ApiError | undefined)?.error;
    throw new UiRequestError(response.status, error?.code ?? 'internal', error?.message ?? '');
  }
  return data as T;
}

export const ui = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
};
