/**
 * Evidence: screenshots and attachments, stored once by their SHA-256 (table `evidence`
 * and the files under DATA_DIR/evidence), re-checked on every read. Agents upload them
 * before the events that refer to them; flags and incidents read them through here.
 */
import type { ServerFeature } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { evidenceRoutes } from './evidence.routes.js';

export { EvidenceTampered, evidencePath, readEvidence, sha256Of, storeEvidence } from './store.js';
export { forgetEvidence, holdsEvidence, readVerifiedEvidence, receivedEvidence } from './verified.js';

export function evidenceFeature(deps: { db: Db; dataDir: string }): ServerFeature {
  return {
    name: 'evidence',
    routes: (app) => evidenceRoutes(app, deps.db, deps.dataDir),
  };
}
