/** The `rooms` and `room_staff` tables: rooms, and the staff assigned to supervise each. */
import { randomUUID } from 'node:crypto';
import type { Room } from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { RoomsTable } from '../../db/schema.js';

export const toRoom = (row: Selectable<RoomsTable>): Room => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  schoolId: row.school_id,
});

/** Every room, or (`schoolId` a number) one school's (core/tenancy.ts). */
export function listRooms(db: Db, schoolId: number | null = null) {
  let q = db.selectFrom('rooms').selectAll();
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  return q.orderBy('name').execute();
}

/** The ids of one school's rooms, or null (trust-level: `schoolId` null) for every room. */
export async function roomIdsOfSchool(db: Db, schoolId: number | null): Promise<string[] | null> {
  if (schoolId === null) return null;
  const rows = await db.selectFrom('rooms').select('id').where('school_id', '=', schoolId).execute();
  return rows.map((r) => r.id);
}

/** The school a room is in (undefined: no such room). */
export async function schoolOfRoom(db: Db, roomId: string): Promise<number | undefined> {
  const row = await db.selectFrom('rooms').select('school_id').where('id', '=', roomId).executeTakeFirst();
  return row?.school_id;
}

/** Whether the room exists and `user` may see it: their school's, or any for trust-level staff. */
export async function roomVisibleTo(
  db: Db,
  user: { schoolId: number | null },
  roomId: string,
): Promise<boolean> {
  const school = await schoolOfRoom(db, roomId);
  return school !== undefined && (user.schoolId === null || user.schoolId === school);
}

export function roomById(db: Db, id: string) {
  return db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function roomExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('rooms').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/**
 * Whether any room is called `name`. Room names are unique across the trust (migration 0001's
 * constraint, which SQLite cannot drop without rebuilding the table): two schools name their
 * rooms apart, e.g. "Brook Year 3".
 */
export async function roomNamed(db: Db, name: string): Promise<boolean> {
  return (
    (await db.selectFrom('rooms').select('id').where('name', '=', name).executeTakeFirst()) !== undefined
  );
}

export async function insertRoom(db: Db, name: string, schoolId: number): Promise<Selectable<RoomsTable>> {
  const row = { id: randomUUID(), name, created_at: new Date().toISOString(), school_id: schoolId };
  await db.insertInto('rooms').values(row).execute();
  return row;
}

/** The staff assigned to supervise a room. */
export async function roomStaff(db: Db, roomId: string): Promise<string[]> {
  const rows = await db.selectFrom('room_staff').select('user_id').where('room_id', '=', roomId).execute();
  return rows.map((r) => r.user_id);
}

export async function setRoomStaff(db: Db, roomId: string, userIds: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('room_staff').where('room_id', '=', roomId).execute();
    if (userIds.length > 0) {
      await trx
        .insertInto('room_staff')
        .values(userIds.map((user_id) => ({ room_id: roomId, user_id })))
        .execute();
    }
  });
}

/**
 * The rooms a member of staff is assigned to supervise: by hand (room_staff), or through a
 * class on the roster they teach that is taught in the room (issue 17, item 5). The roster's
 * tables are only read here, the same rule as labels from another feature.
 */
export async function roomsOfStaff(db: Db, userId: string): Promise<string[]> {
  const byHand = await db.selectFrom('room_staff').select('room_id').where('user_id', '=', userId).execute();
  const byClass = await classRooms(db, userId).execute();
  return [...new Set([...byHand.map((r) => r.room_id), ...byClass.map((r) => r.room_id!)])];
}

function classRooms(db: Db, userId: string) {
  return db
    .selectFrom('roster_classes as c')
    .innerJoin('roster_class_staff as cs', 'cs.class_id', 'c.id')
    .innerJoin('roster_staff as s', 's.id', 'cs.staff_id')
    .innerJoin('users as u', 'u.email', 's.email')
    .select('c.room_id')
    .distinct()
    .where('u.id', '=', userId)
    .where('u.role', '=', 'teacher')
    .where('c.room_id', 'is not', null)
    .where('c.left_at', 'is', null)
    .where('s.left_at', 'is', null);
}

export async function isRoomStaff(db: Db, roomId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('room_staff')
    .select('user_id')
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row !== undefined) return true;
  return (await classRooms(db, userId).where('c.room_id', '=', roomId).executeTakeFirst()) !== undefined;
}
