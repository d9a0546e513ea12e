/**
 * The history of device health problems (table `device_health`, written by
 * health.ts `reportHealth` from each agent's `agent:health` report), for
 * GET /api/device-health. The inventory shows the open ones with GET /api/devices.
 */
import type { Db } from '../../db/database.js';

export async function listHealth(
  db: Db,
  q: { deviceId?: string | undefined; includeCleared?: boolean },
): Promise<{ deviceId: string; code: string; message: string; since: string; clearedAt: string | null }[]> {
  let query = db.selectFrom('device_health').selectAll().orderBy('since', 'desc');
  if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
  if (!q.includeCleared) query = query.where('cleared_at', 'is', null);
  const rows = await query.limit(1000).execute();
  return rows.map((r) => ({
    deviceId: r.device_id,
    code: r.code,
    message: r.message,
    since: r.since,
    clearedAt: r.cleared_at,
  }));
}
