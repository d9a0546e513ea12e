/**
 * Supervision: a teacher supervising a room for a lesson, the live room view, the
 * controls (eyes on me, release, a message) and thumbnails. Tables `supervision_sessions`,
 * `supervision_settings`, `control_actions`, `control_targets`.
 */
import type { UiLanguage } from '@harbour/shared';
import type { Logger } from 'pino';
import { allows } from '../../core/access.js';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import { inSchool } from '../../core/tenancy.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { ServerFeature } from '../../core/feature.js';
import { channel, type Push } from '../../core/ports.js';
import { speechAnswer, type SpeechStore } from '../../core/speech.js';
import type { Db } from '../../db/database.js';
import { activityRooms, inActivityScope } from '../activity/index.js';
import { devicePlace, roomById, toRoom, type DevicesFeature } from '../devices/index.js';
import {
  acknowledgeControl,
  controlForDevice,
  controlSpeech,
  endExpiredSessions,
  markStaleControls,
  maySupervise,
  runningSessions,
  stateForRoom,
  type SupervisionPorts,
} from './supervision.js';
import { roomOverviewRoutes } from './overview.js';
import { supervisionRoutes } from './supervision.routes.js';

export { lessonEndAt, supervisorsAt } from './supervision.js';

export interface SupervisionFeature extends ServerFeature {
  /** Ends the sessions whose time is up (a timer runs it every 10 seconds); returns how many. */
  endExpiredSessions(): Promise<number>;
}

export function supervisionFeature(deps: {
  db: Db;
  push: Push;
  log: Logger;
  devices: DevicesFeature;
  /** Each tick of the lesson bell runs on one node of several. */
  lease?: Lease;
  /** Teachers' messages read aloud on the pupils' screens. */
  speech: SpeechStore;
  /** The school's language: the voice that reads a teacher's message unless it says its own. */
  language: () => Promise<UiLanguage>;
}): SupervisionFeature {
  const { db, push, log, speech } = deps;
  const ports: SupervisionPorts = {
    db,
    push,
    hub: deps.devices.hub,
    ackTimers: new Set(),
    // Made when the teacher sends it, so the audio is (nearly) ready when the pupil's screen asks.
    speak: (action) =>
      void deps.language().then(
        (school) => {
          const said = controlSpeech(action, school);
          if (said) void speech.prepare(said.text, said.language);
        },
        (error: unknown) => log.warn({ err: error }, 'speech: could not read the school language'),
      ),
  };
  let lessonBell: NodeJS.Timeout | undefined;
  return {
    name: 'supervision',
    endExpiredSessions: () => endExpiredSessions(ports),
    async start() {
      await markStaleControls(ports);
      // Supervised sessions end by themselves at the time the teacher set.
      const bell = onceAcrossNodes(deps.lease ?? soleNode, 'lesson-bell', 10_000, () =>
        endExpiredSessions(ports).then(() => undefined),
      );
      lessonBell = setInterval(
        () => void bell().catch((error: unknown) => log.error({ err: error }, 'ending sessions failed')),
        10_000,
      );
      lessonBell.unref();
    },
    stop() {
      clearInterval(lessonBell);
      for (const timer of ports.ackTimers ?? []) clearTimeout(timer);
      ports.ackTimers?.clear();
    },
    routes(app) {
      supervisionRoutes(app, ports);
      roomOverviewRoutes(app, ports);
    },
    /** A computer that connects learns at once whether its room is supervised. */
    async agentConnected(connection) {
      try {
        const place = await devicePlace(db, connection.deviceId);
        if (place) push.toConnection(connection, 'supervision:state', await stateForRoom(db, place.roomId));
      } catch (error) {
        log
          .child({ deviceId: connection.deviceId })
          .error({ err: error }, 'could not send supervision state');
      }
    },
    agentRequests: {
      'agent:control-ack': async ({ actionId }, { deviceId }) => {
        await acknowledgeControl(ports, deviceId, actionId);
        return {};
      },
      'speech:control': async ({ actionId }, { deviceId }) => {
        const action = await controlForDevice(db, actionId, deviceId);
        const said = controlSpeech(action, await deps.language());
        if (!said) throw notFound('Message');
        return speechAnswer(speech.get(said.text, said.language));
      },
      'agent:thumbnail': async (thumbnail, { deviceId }) => {
        const place = await devicePlace(db, deviceId);
        if (!place) throw new Error(`device ${deviceId} is not enrolled`);
        // Thumbnails exist only while a teacher supervises the room and the school allows them;
        // they are relayed to the live view and never stored.
        const state = await stateForRoom(db, place.roomId);
        if (!state.thumbnails)
          throw new HarbourError('forbidden', 'This room is not supervised with thumbnails now.');
        push.toStaff(channel.room(place.roomId), 'device:thumbnail', {
          ...thumbnail,
          deviceId,
          roomId: place.roomId,
        });
        return {};
      },
    },
    dashboardRequests: {
      'room:watch': {
        access: 'watchRooms',
        handle: async ({ roomId }, connection) => {
          const { user } = connection;
          const room = await roomById(db, roomId);
          // Another school's room answers as one that does not exist (core/tenancy.ts).
          if (!room || !inSchool(user, room.school_id)) throw notFound('Room');
          await push.join(connection, channel.room(roomId));
          // Supervision names the teacher and the lesson: as GET /api/supervision, not for technicians.
          const [supervision] = allows('viewSupervision', user.role)
            ? await runningSessions(db, { roomId })
            : [];
          const activityScope = await activityRooms(db, user);
          return {
            room: toRoom(room),
            devices: await deps.devices.hub.list({ roomId }),
            supervision: supervision ?? null,
            access: {
              supervise: await maySupervise(db, user, roomId),
              readActivity: allows('readActivity', user.role) && inActivityScope(activityScope, roomId),
            },
          };
        },
      },
      'room:unwatch': {
        access: 'watchRooms',
        handle: async ({ roomId }, connection) => {
          await push.leave(connection, channel.room(roomId));
          return {};
        },
      },
    },
  };
}
