/**
 * Who may receive what live. Live pushes carry the same data as the REST routes (a pupil's
 * screen, what they are doing, that they asked for help), so they follow the same rules,
 * checked when a connection joins a channel and again on every push (realtime/socket-push.ts
 * is the only code that joins or emits, and asks here each time):
 *
 * - a teacher watches live only the rooms they are assigned to (`room_staff`);
 * - a technician sees devices (online, who is signed in, as the inventory shows them) and
 *   never pupils' screens, supervision, activity, flags or alerts;
 * - the DSL and admins as their permissions in shared/roles.ts say: admins see rooms,
 *   screens and activity, never records; the DSL everything;
 * - all of it within the member of staff's school (core/tenancy.ts): a room of another
 *   school, or another school's records on the DSL channel, never reach them; trust-level
 *   staff (no school) receive every school's.
 */
import { can, type DashboardServerToClient, type Permission } from '@harbour/shared';
import type { SessionUser } from './identity.js';
import type { StaffChannel } from './ports.js';

export type StaffEvent = keyof DashboardServerToClient;

/** The permission each live push needs, as the REST route that returns the same data. */
export const pushPermission: Record<StaffEvent, Permission | null> = {
  'device:changed': 'viewDevices',
  'device:removed': 'viewDevices',
  'server:error': null,
  'tell:alert': 'viewIncidents',
  'incident:created': 'manageIncidents',
  'concern:new': 'manageIncidents',
  'concern:settled': 'manageIncidents',
  // Only ever sent on the recorder's own channel: their own concern.
  'concern:receipt': 'viewIncidents',
  'device:thumbnail': 'viewSupervision',
  'supervision:changed': 'viewSupervision',
  'control:updated': 'viewSupervision',
  'activity:changes': 'readActivity',
  'flag:raised': 'viewFlags',
};

export interface LiveScope {
  /** Whether `user` may open `to` now. */
  mayJoin(user: SessionUser, to: StaffChannel): Promise<boolean>;
  /** Whether `user`, reached through `to`, may be sent `event` now. */
  mayReceive(user: SessionUser, to: StaffChannel, event: StaffEvent): Promise<boolean>;
}

/**
 * The rules above; `roomsOf` answers which rooms a member of staff is assigned to, and
 * `schoolOfRoom` which school a room is in (undefined: no such room).
 */
export function liveScope(
  roomsOf: (userId: string) => Promise<readonly string[]>,
  schoolOfRoom: (roomId: string) => Promise<number | undefined>,
): LiveScope {
  // A room never changes school (no route moves one), so its school is asked once.
  const schools = new Map<string, number>();
  const roomSchool = async (roomId: string) => {
    const known = schools.get(roomId);
    if (known !== undefined) return known;
    const found = await schoolOfRoom(roomId);
    if (found !== undefined) schools.set(roomId, found);
    return found;
  };
  const inUsersSchool = async (user: SessionUser, roomId: string) =>
    user.schoolId === null || (await roomSchool(roomId)) === user.schoolId;
  const assigned = async (user: SessionUser, roomId: string) =>
    (await inUsersSchool(user, roomId)) &&
    (user.role !== 'teacher' || (await roomsOf(user.id)).includes(roomId));
  const mayJoin = async (user: SessionUser, to: StaffChannel): Promise<boolean> => {
    switch (to.kind) {
      case 'room':
        return can(user.role, 'watchRooms') && (await assigned(user, to.roomId));
      case 'activity':
        return can(user.role, 'readActivity') && (await assigned(user, to.roomId));
      case 'user':
        return to.userId === user.id;
      case 'session':
        // Only the dashboard transport joins a connection to its own session's channel.
        return true;
      case 'dsl':
        // A school's DSL hears their school's records only; a trust-level DSL every school's.
        return user.role === 'dsl' && (user.schoolId === null || user.schoolId === to.schoolId);
    }
  };
  return {
    mayJoin,
    async mayReceive(user, to, event) {
      const permission = pushPermission[event];
      if (permission !== null && !can(user.role, permission)) return false;
      return mayJoin(user, to);
    },
  };
}
