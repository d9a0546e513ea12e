/**
 * The rooms list as staff read it at a glance (issue 16 item 6): each room's computers
 * online now and who is supervising it. Supervision is shown only to roles that may see it
 * (a technician sees computers, never who teaches where).
 */
import { can, roomOverviewListSchema, type RoomOverview } from '@harbour/shared';
import type { App } from '../../core/feature.js';
import { currentUser } from '../../http/plumbing.js';
import { deviceIdsInRoom, listRooms, roomsOfStaff } from '../devices/index.js';
import { runningSessions, type SupervisionPorts } from './supervision.js';

export function roomOverviewRoutes(app: App, ports: SupervisionPorts): void {
  const { db, hub } = ports;
  app.get(
    '/api/rooms/overview',
    {
      config: { access: 'viewRooms' },
      schema: {
        summary: 'Every room with its computers online and who is supervising it now',
        tags: ['rooms'],
        response: { 200: roomOverviewListSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      // A school's staff see their school's rooms only (core/tenancy.ts).
      const rooms = await listRooms(db, user.schoolId);
      const mine = new Set(await roomsOfStaff(db, user.id));
      const sessions = can(user.role, 'viewSupervision')
        ? await runningSessions(db, { schoolId: user.schoolId })
        : [];
      const out: RoomOverview[] = [];
      for (const room of rooms) {
        const ids = await deviceIdsInRoom(db, room.id, { includeRevoked: false });
        const session = sessions.find((s) => s.roomId === room.id);
        out.push({
          id: room.id,
          name: room.name,
          schoolId: room.school_id,
          computers: ids.length,
          online: (await hub.onlineOf(ids)).size,
          supervising: session ? { teacherName: session.teacherName, endsAt: session.endsAt } : null,
          mine: mine.has(room.id),
        });
      }
      return { rooms: out };
    },
  );
}
