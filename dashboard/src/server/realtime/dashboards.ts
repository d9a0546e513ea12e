import {
  dashboardRequests,
  type DashboardClientToServer,
  type DashboardServerToClient,
} from '@harbour/shared';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { allows, type Access } from '../core/access.js';
import { sessionCookie, userForSession, type SessionUser } from '../features/accounts/sessions.js';
import type { ServerContext } from '../context.js';
import { notFound } from '../core/errors.js';
import { toRoom } from '../features/devices/rooms.routes.js';
import { maySupervise, runningSessions } from '../features/supervision/supervision.js';
import { activityChannel, watchRoomActivity } from '../features/activity/agent-activity.js';
import { activityRooms, assertActivityRoom, inActivityScope } from '../features/activity/scope.js';
import { dispatch, type Handlers } from './dispatch.js';

export type DashboardNamespace = Namespace<
  DashboardClientToServer,
  DashboardServerToClient,
  Record<string, never>,
  { user: SessionUser }
>;

export const roomChannel = (roomId: string) => `room:${roomId}`;
export const userChannel = (userId: string) => `user:${userId}`;

/** Who may send each dashboard event. The role-matrix test walks this table. */
export const dashboardEventAccess: Record<keyof typeof dashboardRequests, Access> = {
  'room:watch': 'watchRooms',
  'room:unwatch': 'watchRooms',
  'activity:watch': 'readActivity',
};

/** Staff live views: authenticated by the same session cookie as the REST API. */
export function setUpDashboardNamespace(
  nsp: DashboardNamespace,
  app: FastifyInstance,
  ctx: ServerContext,
  log: Logger,
): void {
  nsp.use((socket, next) => {
    const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '');
    userForSession(ctx.db, cookies[sessionCookie])
      .then((user) => {
        if (!user) {
          log.warn({ ip: socket.handshake.address }, 'dashboard connection refused: not signed in');
          return next(Object.assign(new Error('Sign in first.'), { data: { code: 'unauthenticated' } }));
        }
        socket.data.user = user;
        next();
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'dashboard authentication failed');
        next(new Error('Server error'));
      });
  });

  nsp.on('connection', (socket) => {
    const user = socket.data.user;
    void socket.join(userChannel(user.id));
    // The DSL receives every new incident and pupil's report live (realtime/incident-channels.ts).
    if (user.role === 'dsl') void socket.join('role:dsl');
    const handlers: Handlers<typeof dashboardRequests, SessionUser> = {
      'room:watch': async ({ roomId }) => {
        const room = await ctx.db.selectFrom('rooms').selectAll().where('id', '=', roomId).executeTakeFirst();
        if (!room) throw notFound('Room');
        await socket.join(roomChannel(roomId));
        const [supervision] = await runningSessions(ctx.db, { roomId });
        const activityScope = await activityRooms(ctx.db, user);
        return {
          room: toRoom(room),
          devices: await ctx.hub.list({ roomId }),
          supervision: supervision ?? null,
          access: {
            supervise: await maySupervise(ctx.db, user, roomId),
            readActivity: allows('readActivity', user.role) && inActivityScope(activityScope, roomId),
          },
        };
      },
      'room:unwatch': async ({ roomId }) => {
        await socket.leave(roomChannel(roomId));
        return {};
      },
      'activity:watch': async ({ roomId }) => {
        await assertActivityRoom(ctx.db, user, roomId);
        const result = await watchRoomActivity(ctx.db, roomId, user);
        await socket.join(activityChannel(roomId));
        return result;
      },
    };
    dispatch(socket, dashboardRequests, handlers, user, log.child({ userId: user.id }), (event) =>
      allows(dashboardEventAccess[event], user.role),
    );
  });
}
