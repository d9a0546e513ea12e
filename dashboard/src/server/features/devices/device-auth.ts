import type { DeviceAuthResult } from '../../core/identity.js';
import { secretMatches } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';
import { credentialOf } from './devices.repository.js';

/** Checks a device's credential; used by the socket handshake and device REST routes alike. */
export async function authenticateDevice(
  db: Db,
  deviceId: string,
  credential: string,
): Promise<DeviceAuthResult> {
  const row = await credentialOf(db, deviceId);
  if (!row || !secretMatches(credential, row.credential_hash)) {
    return { ok: false, code: 'unauthenticated', message: 'Unknown device or wrong credential.' };
  }
  if (row.revoked_at)
    return { ok: false, code: 'revoked', message: 'This device has been revoked; enrol it again.' };
  return { ok: true, device: { id: row.id, roomId: row.room_id } };
}
