/**
 * Whose screens a member of staff may look at. Activity, flags and their screenshots are
 * pupils' personal data: the DSL (and admins, who run the system) may read any room's; a
 * teacher only the rooms they are assigned to supervise (`room_staff`, set on a room's page).
 * Every activity and flag route and the live `activity:watch` channel go through here.
 */
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';
import { roomsOfStaff } from '../devices/index.js';

/** The rooms `user` may read activity of, or null for every room. */
export async function activityRooms(db: Db, user: SessionUser): Promise<string[] | null> {
  if (user.role !== 'teacher') return null;
  return roomsOfStaff(db, user.id);
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

/** Throws 403 unless `user` may read `roomId`'s activity. */
export async function assertActivityRoom(db: Db, user: SessionUser, roomId: string): Promise<void> {
  checkActivityRoom(await activityRooms(db, user), roomId);
}
