import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { hashSecret } from '../../dashboard/src/server/core/secrets.js';
import { openDatabase } from '../../dashboard/src/server/db/database.js';

export interface SeededDevice {
  deviceId: string;
  credential: string;
  roomId: string;
}

/**
 * Creates a fresh Harbour database with `rooms` rooms and `n` enrolled devices, written
 * through the server's own migrations and schema. Enrolling 10,000 devices over HTTP
 * would measure enrolment, not the fleet; this measures the fleet.
 */
export async function seedFleet(
  dataDir: string,
  n: number,
  perRoom = 30,
  /** A PostgreSQL database's URL (DATABASE_URL) instead of the SQLite file in `dataDir`. */
  databaseUrl?: string,
): Promise<SeededDevice[]> {
  const opened = await openDatabase(dataDir, pino({ level: 'silent' }), { url: databaseUrl });
  const db = opened.db;
  const now = new Date().toISOString();
  // The trust's one school, which the migrations create.
  const school = await db.selectFrom('schools').select('id').orderBy('id').executeTakeFirstOrThrow();
  const rooms = Array.from({ length: Math.max(1, Math.ceil(n / perRoom)) }, (_, i) => ({
    id: randomUUID(),
    name: `Bench room ${i + 1}`,
    created_at: now,
    school_id: school.id,
  }));
  const devices: SeededDevice[] = [];
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rooms.length; i += 200)
      await trx
        .insertInto('rooms')
        .values(rooms.slice(i, i + 200))
        .execute();
    const rows = [];
    for (let i = 0; i < n; i++) {
      const credential = `hdc_bench_${randomUUID()}`;
      const roomId = rooms[Math.floor(i / perRoom)]?.id ?? rooms[0]!.id;
      const deviceId = randomUUID();
      devices.push({ deviceId, credential, roomId });
      rows.push({
        id: deviceId,
        room_id: roomId,
        credential_hash: hashSecret(credential),
        hostname: `BENCH-${String(i).padStart(5, '0')}`,
        os: 'Bench',
        serial: null,
        agent_version: '0.1.0',
        enrolled_at: now,
        enrolment_token_id: null,
        last_seen: null,
        current_user: null,
        revoked_at: null,
      });
    }
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('devices')
        .values(rows.slice(i, i + 500))
        .execute();
  });
  await opened.close();
  return devices;
}
