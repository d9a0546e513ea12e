/**
 * Whose screens a member of staff may look at. Activity, flags and their screenshots are
 * pupils' personal data: the DSL (and admins, who run the system) may read any room's of their
 * school (trust-level: every school's, core/tenancy.ts); a
 * teacher only the rooms they are assigned to supervise (`room_staff`, set on a room's page).
 * Every activity and flag route and the live `activity:watch` channel go through here.
 */
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { roomIdsOfSchool, roomsOfStaff, roomVisibleTo } from '../devices/index.js';

/** The rooms `user` may read activity of, or null for every room. */
export async function activityRooms(db: Db, user: SessionUser): Promise<string[] | null> {
  // A school's staff read their school's rooms only, whatever their role (core/tenancy.ts).
  const school = await roomIdsOfSchool(db, user.schoolId);
  if (user.role !== 'teacher') return school;
  const assigned = await roomsOfStaff(db, user.id);
  return school === null ? assigned : assigned.filter((r) => school.includes(r));
}

export const notYourRoom = () =>
  new HarbourError('forbidden', 'You can only see the activity of rooms you are assigned to supervise.');

/** Whether `roomId` is among `rooms` (from activityRooms; null: every room). */
export const inActivityScope = (rooms: string[] | null, roomId: string): boolean =>
  rooms === null || rooms.includes(roomId);

/** Throws 403 unless `roomId` is among `rooms` (from activityRooms). */
export function checkActivityRoom(rooms: string[] | null, roomId: string): void {
  if (!inActivityScope(rooms, roomId)) throw notYourRoom();
}

/**
 * Throws unless `user` may read `roomId`'s activity: 404 (naming `what`) for another school's
 * room, as if it did not exist (core/tenancy.ts); 403 for a room of their school they are not
 * assigned to.
 */
export async function assertActivityRoom(
  db: Db,
  user: SessionUser,
  roomId: string,
  what = 'Room',
): Promise<void> {
  if (user.schoolId !== null && !(await roomVisibleTo(db, user, roomId))) throw notFound(what);
  checkActivityRoom(await activityRooms(db, user), roomId);
}
