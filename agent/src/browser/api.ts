/**
 * JSON calls to the agent's local UI server (same origin; its cookie authenticates).
 * Failures become an UiRequestError whose message can be shown as it is.
 */
import type { ApiError } from '@harbour/shared';

export class UiRequestError extends Error {
  constructor(
    readonly status: number,
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
    throw new UiRequestError(0, 'Harbour is not answering. Please ask an adult.');
  }
  const data = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const message = (data as ApiError | undefined)?.error?.message;
    throw new UiRequestError(response.status, message ?? 'Something went wrong. Please ask an adult.');
  }
  return data as T;
}

export const ui = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
};
