import type { Db } from '../../db/database.js';
import { secretMatches } from '../../core/secrets.js';

export interface AuthenticatedDevice {
  id: string;
  roomId: string;
}

export type DeviceAuthResult =
  | { ok: true; device: AuthenticatedDevice }
  | { ok: false; code: 'unauthenticated' | 'revoked'; message: string };

/** Checks a device's credential; used by the socket handshake and device REST routes alike. */
export async function authenticateDevice(
  db: Db,
  deviceId: string,
  credential: string,
): Promise<DeviceAuthResult> {
  const row = await db
    .selectFrom('devices')
    .select(['id', 'room_id', 'credential_hash', 'revoked_at'])
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!row || !secretMatches(credential, row.credential_hash)) {
    return { ok: false, code: 'unauthenticated', message: 'Unknown device or wrong credential.' };
  }
  if (row.revoked_at)
    return { ok: false, code: 'revoked', message: 'This device has been revoked; enrol it again.' };
  return { ok: true, device: { id: row.id, roomId: row.room_id } };
}

/** Parses `Authorization: Device <deviceId>:<credential>`. */
export function parseDeviceAuthorization(
  header: string | undefined,
): { deviceId: string; credential: string } | null {
  const match = /^Device ([0-9a-f-]{36}):(\S{16,128})$/i.exec(header ?? '');
  return match?.[1] && match[2] ? { deviceId: match[1].toLowerCase(), credential: match[2] } : null;
}
