/**
 * Tell: a pupil's "turn the screen off and tell". The agent's report becomes an incident
 * in the same transaction as the event that carried it; the DSL and the room's teachers
 * are alerted; a teacher's acknowledgement and release go back to the pupil's computer.
 * Its state lives in the incident (features/incidents), reached through that feature's index.
 */
import { agentEvent, type ServerFeature } from '../../core/feature.js';
import type { Push } from '../../core/ports.js';
import type { CounterStore } from '../../core/rate-limit.js';
import type { Db } from '../../db/database.js';
import type { IncidentsFeature } from '../incidents/index.js';
import { TellAlerts } from './alerts.js';
import { storeTellDetails, storeTellReported } from './tell.js';
import { tellAgentHandlers } from './tell.agent.js';
import { tellRoutes } from './tell.routes.js';

export function tellFeature(deps: {
  db: Db;
  push: Push;
  incidents: IncidentsFeature;
  /** Where wrong PINs are counted (shared by every node). */
  counters: CounterStore;
}): ServerFeature {
  const { db } = deps;
  const alerts = new TellAlerts(db, deps.push, deps.incidents);
  return {
    name: 'tell',
    routes: (app) => tellRoutes(app, db, alerts),
    agentEvents: [
      agentEvent({
        type: 'tell.reported',
        store: (trx, deviceId, event) => storeTellReported(trx, deviceId, event, event.body),
        afterCommit: async (row) => {
          if (row) await alerts.reported(row);
        },
      }),
      agentEvent({
        type: 'tell.details',
        store: (trx, deviceId, event) => storeTellDetails(trx, deviceId, event, event.body),
      }),
    ],
    agentRequests: tellAgentHandlers(db, alerts, deps.counters),
  };
}
