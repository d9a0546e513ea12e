/**
 * The socket.io side of incident notifications. Incidents name pupils, so they never go
 * to a room's general channel (technicians and admins watch rooms too): only to the DSL
 * channel, to teachers' own sockets, and to the pupil's computer.
 */
import type { TellAlert } from '@harbour/shared';
import type { IncidentChannels } from '../features/incidents/notify.js';
import { deviceRoom, type AgentNamespace } from './agents.js';
import { roomChannel, userChannel, type DashboardNamespace } from './dashboards.js';

/** Every DSL's dashboard sockets join this channel on connection. */
export const dslChannel = 'role:dsl';

export function incidentChannels(dashboards: DashboardNamespace, agents: AgentNamespace): IncidentChannels {
  return {
    incidentToDsl: (summary) => dashboards.to(dslChannel).emit('incident:created', summary),
    alertToDsl: (alert) => dashboards.to(dslChannel).emit('tell:alert', alert),
    alertToRoomTeachers: async (roomId: string, alert: TellAlert) => {
      const sockets = await dashboards.in(roomChannel(roomId)).fetchSockets();
      const teachers = new Set<string>();
      for (const socket of sockets) {
        if (socket.data.user.role !== 'teacher') continue;
        teachers.add(socket.data.user.id);
      }
      for (const id of teachers) dashboards.to(userChannel(id)).emit('tell:alert', alert);
      return [...teachers];
    },
    alertToUsers: (userIds, alert) => {
      if (userIds.length > 0)
        dashboards.to(userIds.map(userChannel)).except(dslChannel).emit('tell:alert', alert);
    },
    toDevice: (deviceId, update) => agents.to(deviceRoom(deviceId)).emit('server:tell-update', update),
  };
}
