/** The agent's tell requests: release at the computer, settings, and status after a reconnection. */
import type { AgentRequestHandlers } from '../../core/feature.js';
import type { CounterStore } from '../../core/rate-limit.js';
import type { Db } from '../../db/database.js';
import { deviceWithRoom } from '../devices/index.js';
import { effectiveSetting, incidentByTell } from '../incidents/index.js';
import type { TellAlerts } from './alerts.js';
import { releaseAtComputer } from './tell.js';

export function tellAgentHandlers(
  db: Db,
  alerts: TellAlerts,
  pinFailures: CounterStore,
): AgentRequestHandlers {
  return {
    'agent:tell-release': async ({ tellId, pin }, { deviceId }) => {
      const result = await releaseAtComputer(db, deviceId, tellId, pin, pinFailures);
      if (result.released && result.row) await alerts.changed(result.row);
      return { released: result.released, message: result.message };
    },
    // The values of the school whose room the computer is in (its own, else the trust's).
    'agent:tell-settings': async (_request, { deviceId }) => {
      const school = (await deviceWithRoom(db, deviceId))?.schoolId ?? null;
      return {
        pupilsMayRelease: await effectiveSetting(db, school, 'pupilsMayRelease'),
        staffPinSet: (await effectiveSetting(db, school, 'staffPinHash')) !== null,
      };
    },
    'agent:tell-status': async ({ tellId }, { deviceId }) => {
      const row = await incidentByTell(db, tellId, deviceId);
      return { status: row?.tell_status ?? 'pending', by: row?.tell_acknowledged_by ?? null };
    },
  };
}
