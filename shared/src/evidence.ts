import { z } from 'zod';

/** Screenshots and other evidence: immutable, content-addressed by SHA-256. */
export const evidenceMimeTypes = ['image/png', 'image/jpeg'] as const;
export const evidenceMimeSchema = z.enum(evidenceMimeTypes);
export type EvidenceMime = z.infer<typeof evidenceMimeSchema>;

/** Largest single evidence file, in bytes: a 4K PNG screenshot fits comfortably. */
export const maxEvidenceBytes = 8 * 1024 * 1024;

export const sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hash (64 lowercase hex digits)' });

/** How an event refers to a piece of evidence it carries. */
export const evidenceRefSchema = z.strictObject({
  sha256: sha256Schema,
  mime: evidenceMimeSchema,
  bytes: z.number().int().min(1).max(maxEvidenceBytes),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const evidenceUploadQuerySchema = z.strictObject({ sha256: sha256Schema });
export const evidenceUploadResponseSchema = z.object({
  sha256: sha256Schema,
  bytes: z.number().int(),
  duplicate: z.boolean(),
});

/** The magic bytes each evidence type must start with. */
export function sniffEvidenceMime(bytes: Uint8Array): EvidenceMime | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}
