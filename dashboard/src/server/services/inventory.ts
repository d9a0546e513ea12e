/**
 * The device inventory: every enrolled device with its health and the state other
 * features know about it. Two hooks are left for features that land separately:
 *
 * - `aupStates`: the acceptable-use-policy feature (issue 3) fills this in with each
 *   device's AUP state; until then every device shows "—".
 * - `extensionReports`: the activity feature (issue 4) fills this in with when each
 *   device's browser extension last reported; until then every device shows "—" and
 *   the "extension not reporting" warning stays quiet.
 */
import type { Device, InventoryDevice } from '@harbour/shared';
import type { Db } from '../db/database.js';
import type { DeviceHub } from './devices.js';
import { openProblems, serverWarnings, type HealthSettings } from './health.js';

export interface AupState {
  state: string;
  label: string;
}

/** HOOK (AUP feature): each device's AUP state. Devices missing from the map show "—". */
export function aupStates(_db: Db, _deviceIds: readonly string[]): Promise<Map<string, AupState>> {
  return Promise.resolve(new Map<string, AupState>());
}

/**
 * HOOK (activity feature): when each device's browser extension last reported (null:
 * expected but never reported). Devices missing from the map show "—".
 */
export function extensionReports(
  _db: Db,
  _deviceIds: readonly string[],
): Promise<Map<string, string | null>> {
  return Promise.resolve(new Map<string, string | null>());
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
