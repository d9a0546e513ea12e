import type { ErrorCode, Issue } from '@harbour/shared';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unsupported_media_type: 415,
  validation_failed: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unknown_event: 400,
  revoked: 401,
  password_change_required: 403,
  second_factor_required: 403,
  internal: 500,
};

/** An error a handler throws on purpose: it reaches the caller as `{ error: { code, message } }`. */
export class HarbourError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

export const notFound = (what: string) => new HarbourError('not_found', `${what} not found`);
