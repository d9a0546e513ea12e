/**
 * The `Push` port on socket.io: the only code that emits to, joins, leaves or disconnects
 * live connections. Channels become socket.io rooms here and nowhere else.
 */
import type {
  AgentClientToServer,
  AgentServerToClient,
  DashboardClientToServer,
  DashboardServerToClient,
} from '@harbour/shared';
import type { Namespace } from 'socket.io';
import type { SessionUser } from '../core/identity.js';
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
  { user: SessionUser }
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
    case 'dsl':
      return 'role:dsl';
  }
}

const isAgentChannel = (to: AgentChannel | StaffChannel): to is AgentChannel =>
  to.kind === 'device' || to.kind === 'everyAgent';

export function socketPush(agents: AgentNamespace, dashboards: DashboardNamespace): Push {
  const agentsIn = (to: AgentChannel) => {
    const room = agentRoom(to);
    return room === null ? agents : agents.to(room);
  };
  return {
    toAgents(to, event, payload) {
      agentsIn(to).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    toStaff(to, event, payload, options) {
      const rooms = (Array.isArray(to) ? to : [to]).map(staffRoom);
      if (rooms.length === 0) return;
      let target = dashboards.to(rooms);
      if (options?.except) target = target.except(staffRoom(options.except));
      target.emit(event, ...([payload] as Parameters<DashboardServerToClient[typeof event]>));
    },
    toConnection(connection: AgentConnection, event, payload) {
      agents.to(connection.id).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    async staffIn(to) {
      const sockets = await dashboards.in(staffRoom(to)).fetchSockets();
      return sockets.map((s) => s.data.user);
    },
    join(connection: Connection, to: AgentChannel | StaffChannel): Promise<void> {
      if (connection.kind === 'agent' && isAgentChannel(to)) {
        const room = agentRoom(to);
        if (room !== null) agents.in(connection.id).socketsJoin(room);
      } else if (connection.kind === 'staff' && !isAgentChannel(to)) {
        dashboards.in(connection.id).socketsJoin(staffRoom(to));
      } else {
        throw new Error(`a ${connection.kind} connection cannot join ${to.kind}`);
      }
      return Promise.resolve();
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
