/** The server itself: its health check and the audit trail's verification. */
import type { AuditTrail } from '../../core/audit.js';
import type { ServerFeature } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { systemRoutes } from './system.routes.js';

export function systemFeature(deps: { db: Db; trail: AuditTrail; version: string }): ServerFeature {
  return {
    name: 'system',
    routes: (app) => systemRoutes(app, deps.db, deps.trail, deps.version),
    start: async () => {
      await deps.trail.prepare();
      deps.trail.start();
    },
    stop: () => deps.trail.stop(),
  };
}
