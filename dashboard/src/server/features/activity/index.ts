/**
 * Activity and flags: the timeline of what each computer shows, its settings, watch lists,
 * and the flags raised when something matches one, pushed live to the staff allowed to
 * read the room. Tables `activity_intervals`, `activity_settings`, `watchlist_entries`, `flags`.
 */
import type { Logger } from 'pino';
import { agentEvent, type ServerFeature } from '../../core/feature.js';
import { channel, type Push } from '../../core/ports.js';
import type { Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import type { DevicesFeature } from '../devices/index.js';
import type { EvidenceFeature } from '../evidence/index.js';
import { extensionReports, recordActivityChange, recordActivityChanges } from './activity.js';
import { activityRoutes } from './activity.routes.js';
import { noPeople, type People } from './people.js';
import { agentActivityConfig, watchRoomActivity } from './agent-activity.js';
import { recordFlag, type LessonEnd } from './flags.js';
import { flagRoutes } from './flags.routes.js';
import { ActivityHub, type FlagIncidents, type FlagStoredHook } from './hub.js';
import { assertActivityRoom } from './scope.js';
import { watchlistRoutes } from './watchlists.routes.js';

export type { FlagIncidents, FlagStoredHook } from './hub.js';
export { purgeOldActivity } from './activity.js';
export { activityRooms, inActivityScope } from './scope.js';

export interface ActivityFeature extends ServerFeature {
  /** For other features (incidents): run `hook` in the transaction that stores each flag. */
  onFlagStored(hook: FlagStoredHook): void;
  /** For the incidents feature: what a flag's occurrences and triage do to its incident. */
  provideFlagIncidents(incidents: FlagIncidents): void;
  /** For supervision: when the lesson in a room at a moment ends (repeats join a flag until then). */
  provideLessonEnd(lessonEnd: LessonEnd): void;
}

export function activityFeature(deps: {
  db: Db;
  push: Push;
  log: Logger;
  dataDir: string;
  devices: DevicesFeature;
  evidence: EvidenceFeature;
  lease?: Lease;
  /** The roster's pupil behind each login (timelines and flag lists show names, not logins). */
  people?: People;
}): ActivityFeature {
  const { db, push } = deps;
  const people: People = deps.people ?? noPeople;
  const hub = new ActivityHub(db, push, deps.log, deps.lease, people);
  let lessonEnd: LessonEnd | undefined;
  deps.devices.provide({ extensionReports: (ids) => extensionReports(db, ids) });
  return {
    name: 'activity',
    onFlagStored: (hook) => hub.onFlagStored(hook),
    provideFlagIncidents: (incidents) => {
      hub.incidents = incidents;
    },
    provideLessonEnd: (fn) => {
      lessonEnd = fn;
    },
    start: () => hub.start(),
    stop: () => hub.stop(),
    routes(app) {
      activityRoutes(app, db, hub, people);
      watchlistRoutes(app, db, hub);
      flagRoutes(app, db, deps.evidence.rules, hub, people);
    },
    agentEvents: [
      agentEvent({
        type: 'activity.changed',
        // Intervals only: nothing in memory changes until afterCommit.
        rerunnable: true,
        store: (trx, deviceId, event) => recordActivityChange(trx, deviceId, event.occurredAt, event.body),
        storeMany: (trx, events) =>
          recordActivityChanges(
            trx,
            events.map(({ deviceId, event }) => ({
              deviceId,
              occurredAt: event.occurredAt,
              body: event.body,
            })),
          ),
        afterCommit: (current) => {
          if (current) hub.activityChanged(current);
        },
      }),
      agentEvent({
        type: 'activity.flag',
        store: async (trx, deviceId, event) => {
          const stored = await recordFlag(trx, deviceId, event, event.body, lessonEnd);
          if (stored.kind === 'repeat') {
            // One concern, one incident: the repeat's screenshots join it, and nobody is alerted again.
            await hub.incidents?.occurrence(trx, stored.flag, stored.occurrence);
            return { flag: stored.flag, effects: null };
          }
          return { flag: stored.flag, effects: await hub.flagStored(trx, stored.flag) };
        },
        afterCommit: ({ flag, effects }) =>
          effects === null ? hub.flagRepeated(flag) : hub.flagRaised(flag, effects),
      }),
    ],
    agentRequests: {
      'agent:activity-config': async () => agentActivityConfig(db),
    },
    dashboardRequests: {
      'activity:watch': {
        access: 'readActivity',
        handle: async ({ roomId }, connection) => {
          await assertActivityRoom(db, connection.user, roomId);
          const result = await watchRoomActivity(db, roomId, connection.user);
          await push.join(connection, channel.activity(roomId));
          return result;
        },
      },
    },
  };
}
