/**
 * The `Push` port on socket.io: the only code that emits to, joins, leaves or disconnects
 * live connections. Channels become socket.io rooms here and nowhere else, and the live
 * scope (core/live-scope.ts) is asked here: when a member of staff joins a channel, and
 * again for every recipient of every push, so a teacher taken off a room (or anyone whose
 * rules changed) stops receiving its pushes at once.
 */
import type {
  AgentClientToServer,
  AgentServerToClient,
  DashboardClientToServer,
  DashboardServerToClient,
} from '@harbour/shared';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { HarbourError } from '../core/errors.js';
import type { SessionUser } from '../core/identity.js';
import type { LiveScope, StaffEvent } from '../core/live-scope.js';
import type { AgentChannel, AgentConnection, Connection, Push, StaffChannel } from '../core/ports.js';

export type AgentNamespace = Namespace<
  AgentClientToServer,
  AgentServerToClient,
  Record<string, never>,
  { deviceId: string }
>;
export type DashboardNamespace = Namespace<
  DashboardClientToServer,
  DashboardServerToClient,
  Record<string, never>,
  { user: SessionUser; sessionId: string }
>;

/** Every agent socket is in the namespace itself; `null` means "all of them". */
function agentRoom(to: AgentChannel): string | null {
  switch (to.kind) {
    case 'device':
      return `device:${to.deviceId}`;
    case 'everyAgent':
      return null;
  }
}

function staffRoom(to: StaffChannel): string {
  switch (to.kind) {
    case 'room':
      return `room:${to.roomId}`;
    case 'activity':
      return `activity:${to.roomId}`;
    case 'user':
      return `user:${to.userId}`;
    case 'session':
      return `session:${to.sessionId}`;
    case 'dsl':
      return 'role:dsl';
  }
}

const isAgentChannel = (to: AgentChannel | StaffChannel): to is AgentChannel =>
  to.kind === 'device' || to.kind === 'everyAgent';

export function socketPush(
  agents: AgentNamespace,
  dashboards: DashboardNamespace,
  deps: { scope: LiveScope; log: Logger },
): Push {
  const { scope, log } = deps;
  const agentsIn = (to: AgentChannel) => {
    const room = agentRoom(to);
    return room === null ? agents : agents.to(room);
  };

  /** Sends to each connection in `channels` that the live scope allows, through any channel it is in. */
  async function deliver(
    channels: readonly StaffChannel[],
    event: StaffEvent,
    payload: unknown,
    except: StaffChannel | undefined,
  ): Promise<void> {
    let target = dashboards.in(channels.map(staffRoom));
    if (except) target = target.except(staffRoom(except));
    for (const socket of await target.fetchSockets()) {
      const user = socket.data.user;
      let allowed = false;
      for (const c of channels) {
        if (socket.rooms.has(staffRoom(c)) && (await scope.mayReceive(user, c, event))) {
          allowed = true;
          break;
        }
      }
      if (allowed) socket.emit(event, ...([payload] as Parameters<DashboardServerToClient[typeof event]>));
    }
  }
  // Pushes are checked asynchronously, so they go out one after another in the order sent.
  let queue: Promise<void> = Promise.resolve();

  return {
    toAgents(to, event, payload) {
      agentsIn(to).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    toStaff(to, event, payload, options) {
      const channels = Array.isArray(to) ? to : [to as StaffChannel];
      if (channels.length === 0) return;
      queue = queue
        .then(() => deliver(channels, event, payload, options?.except))
        .catch((error: unknown) => log.error({ err: error, event }, 'live push failed'));
    },
    toConnection(connection: AgentConnection, event, payload) {
      agents.to(connection.id).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    async staffIn(to) {
      const sockets = await dashboards.in(staffRoom(to)).fetchSockets();
      const users: SessionUser[] = [];
      for (const s of sockets) if (await scope.mayJoin(s.data.user, to)) users.push(s.data.user);
      return users;
    },
    async join(connection: Connection, to: AgentChannel | StaffChannel): Promise<void> {
      if (connection.kind === 'agent' && isAgentChannel(to)) {
        const room = agentRoom(to);
        if (room !== null) agents.in(connection.id).socketsJoin(room);
      } else if (connection.kind === 'staff' && !isAgentChannel(to)) {
        if (!(await scope.mayJoin(connection.user, to))) {
          throw new HarbourError(
            'forbidden',
            to.kind === 'room' || to.kind === 'activity'
              ? 'You can only watch rooms you are assigned to.'
              : 'You may not open this live channel.',
          );
        }
        dashboards.in(connection.id).socketsJoin(staffRoom(to));
      } else {
        throw new Error(`a ${connection.kind} connection cannot join ${to.kind}`);
      }
    },
    leave(connection, to) {
      dashboards.in(connection.id).socketsLeave(staffRoom(to));
      return Promise.resolve();
    },
    disconnect(to) {
      if (isAgentChannel(to)) agentsIn(to).disconnectSockets(true);
      else dashboards.in(staffRoom(to)).disconnectSockets(true);
    },
  };
}
