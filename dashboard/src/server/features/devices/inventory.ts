/**
 * The device inventory: every enrolled device with its health and the state other
 * features know about it, which they provide as sources (the composition wires them):
 *
 * - `aupStates`: the acceptable-use-policy feature: the standing of each device's last
 *   signed-in user; devices nobody signed in to show "—".
 * - `extensionReports`: when each device's browser extension last reported a page,
 *   from the activity timeline. A device where a browser was used but no URL ever
 *   arrived maps to null: the extension is expected but not reporting.
 */
import type { Device, InventoryDevice } from '@harbour/shared';
import type { Db } from '../../db/database.js';
import type { DeviceHub } from './hub.js';
import { openProblems, serverWarnings, type HealthSettings } from './health.js';

export interface AupState {
  state: string;
  label: string;
}

export interface InventorySources {
  aupStates(deviceIds: readonly string[]): Promise<Map<string, AupState>>;
  extensionReports(deviceIds: readonly string[]): Promise<Map<string, string | null>>;
}

export const noSources: InventorySources = {
  aupStates: () => Promise.resolve(new Map()),
  extensionReports: () => Promise.resolve(new Map()),
};

export async function inventory(
  db: Db,
  hub: DeviceHub,
  sources: InventorySources,
  settings: HealthSettings,
  filter: { roomId?: string | undefined },
  now = new Date(),
): Promise<InventoryDevice[]> {
  const devices = await hub.list(filter);
  return withInventory(db, sources, devices, settings, now);
}

export async function withInventory(
  db: Db,
  sources: InventorySources,
  devices: Device[],
  settings: HealthSettings,
  now = new Date(),
): Promise<InventoryDevice[]> {
  const ids = devices.map((d) => d.id);
  const [problems, aup, extension] = await Promise.all([
    openProblems(db, ids),
    sources.aupStates(ids),
    sources.extensionReports(ids),
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
