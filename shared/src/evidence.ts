import { z } from 'zod';

/** A screenshot or attachment, named by the SHA-256 of its bytes (content-addressed, never altered). */
export const sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hash (64 hex digits)' });
export const evidenceMimeSchema = z.enum(['image/png', 'image/jpeg']);
export const evidenceRefSchema = z.strictObject({
  sha256: sha256Schema,
  mime: evidenceMimeSchema,
  bytes: z.number().int().min(1),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;
/** Largest screenshot the server accepts. */
export const maxEvidenceBytes = 8 * 1024 * 1024;
