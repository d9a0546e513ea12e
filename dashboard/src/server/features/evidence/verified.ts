/**
 * Incidents' view of the evidence store (services/evidence.ts): which files have arrived,
 * and reading one with its hash re-checked, as errors a route can show.
 */
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';
import { EvidenceTampered, readEvidence } from './store.js';

export { evidencePath, sha256Of } from './store.js';

/** The hashes among `sha256s` whose files the server holds. */
export async function receivedEvidence(db: Db, sha256s: string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const rows = await db.selectFrom('evidence').select('sha256').where('sha256', 'in', sha256s).execute();
  return new Set(rows.map((r) => r.sha256));
}

/** Reads an evidence file and checks its hash; refuses a missing or altered file. */
export async function readVerifiedEvidence(db: Db, dataDir: string, sha256: string): Promise<Buffer> {
  let found;
  try {
    found = await readEvidence(db, dataDir, sha256);
  } catch (error) {
    if (error instanceof EvidenceTampered) {
      throw new HarbourError(
        'conflict',
        'This evidence file no longer matches its recorded hash: it has been altered or damaged.',
      );
    }
    throw new HarbourError('not_found', 'This evidence file is missing from the server.');
  }
  if (!found) throw new HarbourError('not_found', 'This evidence has not reached the server yet.');
  return found.bytes;
}
