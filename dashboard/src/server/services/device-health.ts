/**
 * Device health: problems an agent reports about itself (a missing prerequisite such as
 * xprop, a permission macOS has not granted). The agent sends its whole current list on
 * every connect and whenever it changes; a problem not listed any more is cleared.
 * Table `device_health(device_id, code, message, since, cleared_at)`; the inventory
 * pages (issue 8) read it through `listHealth` or GET /api/device-health.
 */
import type { HealthProblem } from '@harbour/shared';
import type { Db } from '../db/database.js';

export async function reportHealth(db: Db, deviceId: string, problems: HealthProblem[]): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('device_health')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('cleared_at', 'is', null)
      .execute();
    const reported = new Map(problems.map((p) => [p.code, p.message]));
    for (const row of open) {
      const message = reported.get(row.code);
      if (message === undefined) {
        await trx.updateTable('device_health').set({ cleared_at: now }).where('id', '=', row.id).execute();
      } else if (message !== row.message) {
        await trx.updateTable('device_health').set({ message }).where('id', '=', row.id).execute();
      }
      reported.delete(row.code);
    }
    for (const [code, message] of reported) {
      await trx
        .insertInto('device_health')
        .values({ device_id: deviceId, code, message, since: now, cleared_at: null })
        .execute();
    }
  });
}

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
