/**
 * Other features' view of the evidence store (store.ts): which files have arrived, reading
 * one with its hash re-checked (as errors a route can show), and forgetting one.
 */
import { HarbourError } from '../../core/errors.js';
import type { Db } from '../../db/database.js';
import fs from 'node:fs';
import type { EvidenceMime } from '@harbour/shared';
import { EvidenceTampered, evidencePath, readEvidence } from './store.js';

/** The hashes among `sha256s` whose files the server holds. */
export async function receivedEvidence(db: Db, sha256s: string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const rows = await db.selectFrom('evidence').select('sha256').where('sha256', 'in', sha256s).execute();
  return new Set(rows.map((r) => r.sha256));
}

/** Reads an evidence file and checks its hash; refuses a missing or altered file. */
export async function readVerifiedEvidence(db: Db, evidenceDir: string, sha256: string): Promise<Buffer> {
  let found;
  try {
    found = await readEvidence(db, evidenceDir, sha256);
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

/** Whether the server holds the file with this hash. */
export async function holdsEvidence(db: Db, sha256: string): Promise<boolean> {
  return (
    (await db.selectFrom('evidence').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !==
    undefined
  );
}

/** Deletes an evidence file and its register entry (once nothing refers to it any more). */
export async function forgetEvidence(db: Db, evidenceDir: string, sha256: string): Promise<void> {
  const row = await db.selectFrom('evidence').select('mime').where('sha256', '=', sha256).executeTakeFirst();
  if (!row) return;
  fs.rmSync(evidencePath(evidenceDir, sha256, row.mime as EvidenceMime), { force: true });
  await db.deleteFrom('evidence').where('sha256', '=', sha256).execute();
}
