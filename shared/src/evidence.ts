// TEMPORARY stand-in for the lead's shared/src/evidence.ts (same contract); replaced on `git merge main`.
import { z } from 'zod';

export const evidenceRefSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.enum(['image/png', 'image/jpeg']),
  bytes: z.number().int().positive(),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;
