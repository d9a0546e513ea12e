/**
 * Incidents: safeguarding records (from pupils' reports, flags, or recorded by staff),
 * who may see which, the DSL's workflow, evidence rules, reports, retention, settings
 * and notifications. Tables `incidents` and `incident_*`, `safeguarding_settings`,
 * `school_settings` (a school's own staff PIN, SMTP server and pupilsMayRelease),
 * `retention_purges`.
 */
import type { Logger } from 'pino';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import type { ServerFeature } from '../../core/feature.js';
import type { Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import type { ActivityFeature } from '../activity/index.js';
import type { EvidenceFeature } from '../evidence/index.js';
import { incidentEvidenceRule } from './evidence.js';
import { flagsBecomeIncidents } from './flags.js';
import type { IncidentRow } from './incidents.js';
import { concernRoutes } from './concerns.routes.js';
import { incidentRoutes } from './incidents.routes.js';
import { IncidentNotifier } from './notify.js';
import { incidentReportRoutes } from './reports.routes.js';
import { runRetention } from './retention.js';
import { safeguardingRoutes } from './settings.routes.js';

export { accessGrantees, grantIncidentAccess, isDsl } from './access.js';
export {
  createIncident,
  incidentById,
  deviceTellId,
  incidentByTell,
  incidentRef,
  scopedTellId,
  tellIdTaken,
  openTellIncidents,
  setPupilSaid,
  setTellStatus,
  visibleIncidentRow,
  type IncidentRow,
} from './incidents.js';
export { effectiveSetting, getSetting } from './settings.js';

export interface IncidentsFeature extends ServerFeature {
  /** After an incident is committed: tell the DSL (live, and by email). */
  created(row: IncidentRow): Promise<void>;
}

export function incidentsFeature(deps: {
  db: Db;
  push: Push;
  log: Logger;
  evidenceDir: string;
  activity: ActivityFeature;
  evidence: EvidenceFeature;
  /** Retention runs on one node of several (default: this one). */
  lease?: Lease;
}): IncidentsFeature {
  const { db, log, evidenceDir } = deps;
  const { rules } = deps.evidence;
  rules.add(incidentEvidenceRule);
  const notifier = new IncidentNotifier(db, deps.push, log.child({ part: 'incidents' }));
  flagsBecomeIncidents(deps.activity, notifier, log.child({ part: 'incidents' }));
  let retentionTimer: NodeJS.Timeout | undefined;
  return {
    name: 'incidents',
    created: (row) => notifier.created(row),
    routes(app) {
      concernRoutes(app, db, notifier);
      incidentRoutes(app, { db, evidenceDir, notifier, rules });
      incidentReportRoutes(app, db, evidenceDir);
      safeguardingRoutes(app, db);
    },
    start() {
      const day = 24 * 3600_000;
      const run = onceAcrossNodes(deps.lease ?? soleNode, 'retention', day, async () => {
        const purged = await runRetention(db, evidenceDir);
        log.info({ purged }, 'retention run');
      });
      const retention = () =>
        void run().catch((error: unknown) => log.error({ err: error }, 'retention purge failed'));
      retention();
      retentionTimer = setInterval(retention, day);
      retentionTimer.unref();
    },
    async stop() {
      clearInterval(retentionTimer);
      await notifier.idle();
    },
  };
}
