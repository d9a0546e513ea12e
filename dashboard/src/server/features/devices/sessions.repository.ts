/** The `device_sessions` table: who was signed in at which computer, when (from agents' session events). */
import type { Db } from '../../db/database.js';

export async function startSession(db: Db, deviceId: string, username: string, at: string): Promise<void> {
  await db
    .insertInto('device_sessions')
    .values({ device_id: deviceId, username, started_at: at, ended_at: null })
    .execute();
}

export async function endSession(db: Db, deviceId: string, username: string, at: string): Promise<void> {
  await db
    .updateTable('device_sessions')
    .set({ ended_at: at })
    .where('device_id', '=', deviceId)
    .where('username', '=', username)
    .where('ended_at', 'is', null)
    .execute();
}

/** Sessions at the computers now in `roomId` that overlap [from, to], oldest first. */
export function sessionsInRoom(db: Db, roomId: string, from: string, to: string) {
  return db
    .selectFrom('device_sessions as ds')
    .innerJoin('devices as d', 'd.id', 'ds.device_id')
    .select(['ds.device_id', 'd.hostname', 'ds.username', 'ds.started_at', 'ds.ended_at'])
    .where('d.room_id', '=', roomId)
    .where('ds.started_at', '<=', to)
    .where((eb) => eb.or([eb('ds.ended_at', 'is', null), eb('ds.ended_at', '>=', from)]))
    .orderBy('ds.started_at')
    .execute();
}

/** Every session's user, start and the room of its computer (and that room's school). */
export function sessionPlaces(db: Db) {
  return db
    .selectFrom('device_sessions as s')
    .innerJoin('devices as d', 'd.id', 's.device_id')
    .leftJoin('rooms as r', 'r.id', 'd.room_id')
    .select(['s.username', 's.started_at as at', 'd.room_id', 'r.name as room_name', 'r.school_id'])
    .execute();
}

/** Every session under an account, matched case-insensitively (`key` is lower case). */
export function sessionsOf(db: Db, key: string, schoolId: number | null = null) {
  return db
    .selectFrom('device_sessions')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', key))
    .$if(schoolId !== null, (q) =>
      q.where('device_id', 'in', (eb) =>
        eb
          .selectFrom('devices')
          .innerJoin('rooms', 'rooms.id', 'devices.room_id')
          .select('devices.id')
          .where('rooms.school_id', '=', schoolId ?? -1),
      ),
    )
    .execute();
}
