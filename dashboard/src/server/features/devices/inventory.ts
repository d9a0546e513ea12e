/**
 * The device inventory: every enrolled device with its health and the state other
 * features know about it. Two hooks are left for features that land separately:
 *
 * - `aupStates`: the acceptable-use-policy feature (issue 3): the standing of each
 *   device's last signed-in user (services/aup.ts); devices nobody signed in to show "—".
 * - `extensionReports`: when each device's browser extension last reported a page,
 *   from the activity timeline (issue 4).
 */
import type { Device, InventoryDevice } from '@harbour/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DeviceHub } from './hub.js';
import { deviceStates } from '../aup/aup.js';
import { openProblems, serverWarnings, type HealthSettings } from './health.js';

export interface AupState {
  state: string;
  label: string;
}

/** HOOK (AUP feature): each device's AUP state. Devices missing from the map show "—". */
export function aupStates(db: Db, deviceIds: readonly string[]): Promise<Map<string, AupState>> {
  return deviceStates(db, deviceIds);
}

/**
 * When each device's browser extension last reported a page (an activity interval with a
 * URL). A device where a browser was used but no URL ever arrived maps to null: the
 * extension is expected but not reporting. Devices with no browser use are left out ("—").
 */
export async function extensionReports(
  db: Db,
  deviceIds: readonly string[],
): Promise<Map<string, string | null>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('activity_intervals')
    .select((eb) => [
      'device_id',
      eb.fn.max(sql<string | null>`case when url is not null then started_at end`).as('last_url'),
      eb.fn
        .max(
          sql<number>`case when lower(app) like '%chrom%' or lower(app) like '%edge%' or lower(app) like '%firefox%' then 1 else 0 end`,
        )
        .as('browser_seen'),
    ])
    .where('device_id', 'in', [...deviceIds])
    .groupBy('device_id')
    .execute();
  const out = new Map<string, string | null>();
  for (const r of rows) {
    if (r.last_url) out.set(r.device_id, r.last_url);
    else if (Number(r.browser_seen) === 1) out.set(r.device_id, null);
  }
  return out;
}

export async function inventory(
  db: Db,
  hub: DeviceHub,
  settings: HealthSettings,
  filter: { roomId?: string | undefined },
  now = new Date(),
): Promise<InventoryDevice[]> {
  const devices = await hub.list(filter);
  return withInventory(db, devices, settings, now);
}

export async function withInventory(
  db: Db,
  devices: Device[],
  settings: HealthSettings,
  now = new Date(),
): Promise<InventoryDevice[]> {
  const ids = devices.map((d) => d.id);
  const [problems, aup, extension] = await Promise.all([
    openProblems(db, ids),
    aupStates(db, ids),
    extensionReports(db, ids),
  ]);
  return devices.map((device) => {
    const lastReport = extension.get(device.id);
    const ext =
      lastReport === undefined
        ? null
        : {
            lastReport,
            reporting:
              lastReport !== null &&
              now.getTime() - Date.parse(lastReport) < settings.extensionSilentHours * 3_600_000,
          };
    return {
      ...device,
      health: [...(problems.get(device.id) ?? []), ...serverWarnings(device, ext, settings, now)],
      aup: aup.get(device.id) ?? null,
      extension: ext,
    };
  });
}
