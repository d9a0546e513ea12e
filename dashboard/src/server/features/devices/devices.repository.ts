/** The `devices` table: enrolled computers. Every query of it lives here. */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import { inGroupTransaction } from '../../db/group-commit.js';
import { prepared } from '../../db/prepared.js';
import type { DevicesTable } from '../../db/schema.js';

export type DeviceRow = Selectable<DevicesTable>;

export function deviceById(db: Db, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deviceExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('devices').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export function listDevices(
  db: Db,
  filter: { roomId?: string | undefined; includeRevoked?: boolean },
): Promise<DeviceRow[]> {
  let q = db.selectFrom('devices').selectAll().orderBy('hostname').orderBy('id');
  if (filter.roomId) q = q.where('room_id', '=', filter.roomId);
  if (!filter.includeRevoked) q = q.where('revoked_at', 'is', null);
  return q.execute();
}

/**
 * The one device's row as the source of another table's `insert … select`: a statement
 * that needs the device's room takes it in the same round trip, and writes nothing for a
 * device that does not exist. The caller selects the columns (`room_id`, its own values).
 */
export function fromDevice(db: Db, id: string) {
  return db.selectFrom('devices').where('devices.id', '=', id);
}

/**
 * The same for many devices at once: `join devices` on `deviceId` (a column of the
 * statement's own rows), whose room is then `deviceRoomColumn`. Rows of unknown devices
 * drop out of the join, so nothing is written for them.
 */
export const joinDeviceOf = (deviceId: ReturnType<typeof sql.ref>) =>
  sql`join devices on devices.id = ${deviceId}`;
export const deviceRoomColumn = sql.ref('devices.room_id');

/** Where a device is and what it is called, or undefined for an unknown device. */
/** Built once (db/prepared.ts): every activity change asks it. */
const placeQuery = prepared<{ id: string }, { room_id: string; hostname: string }>(['id'], (db, { id }) =>
  db.selectFrom('devices').select(['room_id', 'hostname']).where('id', '=', id),
);

export async function devicePlace(
  db: Db,
  id: string,
): Promise<{ roomId: string; hostname: string } | undefined> {
  const row = (await placeQuery.run(db, { id })).rows[0];
  return row && { roomId: row.room_id, hostname: row.hostname };
}

/** A device with its room's name, as an incident records it. */
export async function deviceWithRoom(db: Db, id: string) {
  const row = await db
    .selectFrom('devices')
    .innerJoin('rooms', 'rooms.id', 'devices.room_id')
    .select([
      'devices.hostname',
      'devices.serial',
      'rooms.id as room_id',
      'rooms.name as room_name',
      'rooms.school_id',
    ])
    .where('devices.id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      name: row.hostname,
      serial: row.serial,
      roomId: row.room_id,
      roomName: row.room_name,
      schoolId: row.school_id,
    }
  );
}

/** The ids of the devices in a room (revoked ones too unless told otherwise). */
export async function deviceIdsInRoom(
  db: Db,
  roomId: string,
  options: { includeRevoked: boolean } = { includeRevoked: true },
): Promise<string[]> {
  let q = db.selectFrom('devices').select('id').where('room_id', '=', roomId);
  if (!options.includeRevoked) q = q.where('revoked_at', 'is', null);
  return (await q.execute()).map((d) => d.id);
}

/** The user signed in at each of `ids` that has one (and the device's room and AUP gate). */
export function signedInUsers(db: Db, ids: readonly string[]) {
  return db
    .selectFrom('devices')
    .select(['id', 'current_user', 'room_id', 'aup_gate'])
    .where('id', 'in', [...ids])
    .where('current_user', 'is not', null)
    .execute();
}

export function credentialOf(db: Db, id: string) {
  return db
    .selectFrom('devices')
    .select(['id', 'room_id', 'credential_hash', 'revoked_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertDevice(db: Db, row: DeviceRow): Promise<void> {
  await db.insertInto('devices').values(row).execute();
}

const lastSeen = prepared<{ id: string; at: string }, never>(['id', 'at'], (db, { id, at }) =>
  db.updateTable('devices').set({ last_seen: at }).where('id', '=', id),
);

/**
 * A device was heard from (every heartbeat: a third of the fleet a second at 10,000 agents).
 * Compiled once, and written in the group commit with the agents' events rather than as a
 * commit of its own.
 */
export async function markSeen(db: Db, id: string, at: string): Promise<void> {
  await inGroupTransaction(db, (trx) => lastSeen.run(trx, { id, at }), id, { rerunnable: true });
}

export async function updateDevice(
  db: Db,
  id: string,
  set: Partial<
    Pick<
      DeviceRow,
      | 'last_seen'
      | 'agent_version'
      | 'current_user'
      | 'hostname'
      | 'room_id'
      | 'stopped_user'
      | 'stopped_at'
      | 'aup_gate'
    >
  >,
): Promise<void> {
  await db.updateTable('devices').set(set).where('id', '=', id).execute();
}

export async function markRevoked(db: Db, id: string, at: string): Promise<void> {
  await db
    .updateTable('devices')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}
