/**
 * The history of device health problems (table `device_health`, written by
 * health.ts `reportHealth` from each agent's `agent:health` report), for
 * GET /api/device-health. The inventory shows the open ones with GET /api/devices.
 */
import type { Db } from '../../db/database.js';

export async function listHealth(
  db: Db,
  q: {
    deviceId?: string | undefined;
    includeCleared?: boolean;
    /** The devices in these rooms only (one school's); null: every device (trust-level). */
    roomIds?: string[] | null;
  },
): Promise<{ deviceId: string; code: string; message: string; since: string; clearedAt: string | null }[]> {
  if (q.roomIds && q.roomIds.length === 0) return [];
  let query = db
    .selectFrom('device_health as h')
    .innerJoin('devices as d', 'd.id', 'h.device_id')
    .selectAll('h')
    .orderBy('h.since', 'desc');
  if (q.roomIds) query = query.where('d.room_id', 'in', q.roomIds);
  if (q.deviceId) query = query.where('h.device_id', '=', q.deviceId);
  if (!q.includeCleared) query = query.where('h.cleared_at', 'is', null);
  const rows = await query.limit(1000).execute();
  return rows.map((r) => ({
    deviceId: r.device_id,
    code: r.code,
    message: r.message,
    since: r.since,
    clearedAt: r.cleared_at,
  }));
}
