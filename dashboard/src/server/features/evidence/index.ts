/**
 * Evidence: screenshots and attachments, stored once by their SHA-256 (table `evidence`
 * and the files under DATA_DIR/evidence), re-checked on every read, with the devices that
 * uploaded each (`evidence_holders`). Agents upload them before the events that refer to
 * them; every route that shows one goes through the evidence rules (rules.ts).
 */
import type { ServerFeature } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { evidenceRoutes } from './evidence.routes.js';
import { EvidenceRules } from './rules.js';

export { EvidenceTampered, evidencePath, readEvidence, sha256Of, storeEvidence } from './store.js';
export { forgetEvidence, holdsEvidence, readVerifiedEvidence, receivedEvidence } from './verified.js';
export { deviceHolds, type EvidenceRule, type EvidenceRules, type EvidenceUse } from './rules.js';

export interface EvidenceFeature extends ServerFeature {
  readonly rules: EvidenceRules;
}

export function evidenceFeature(deps: { db: Db; evidenceDir: string }): EvidenceFeature {
  return {
    name: 'evidence',
    rules: new EvidenceRules(deps.db, deps.evidenceDir),
    routes: (app) => evidenceRoutes(app, deps.db, deps.evidenceDir),
  };
}
