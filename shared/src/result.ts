import { z } from 'zod';

/** Machine-readable error codes, shared by REST responses and socket acknowledgements. */
export const errorCodes = [
  'bad_request',
  'unsupported_media_type',
  'validation_failed',
  'payload_too_large',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'unknown_event',
  'revoked',
  'password_change_required',
  'second_factor_required',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const issueSchema = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof issueSchema>;

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    issues: z.array(issueSchema).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** What every socket acknowledgement carries: the data, or an error the sender can show. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError['error'] };
