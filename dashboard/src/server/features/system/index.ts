/** The server itself: its health check and the audit trail's verification. */
import type { ServerFeature } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { systemRoutes } from './system.routes.js';

export function systemFeature(deps: { db: Db; version: string }): ServerFeature {
  return { name: 'system', routes: (app) => systemRoutes(app, deps.db, deps.version) };
}
