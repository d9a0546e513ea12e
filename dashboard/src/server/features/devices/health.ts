/**
 * Device health: problems agents report about themselves (stored in device_health) and
 * warnings the server works out from what it knows (not seen for days, outdated agent,
 * browser extension silent). The inventory shows both.
 *
 * Other features report problems through `reportHealth(db, deviceId, problems, source)`:
 * each source owns its own set of codes, so reports from different sources never
 * clear each other's problems.
 */
import type { Device, DeviceHealth, HealthProblem } from '@harbour/shared';
import semver from 'semver';
import type { Db } from '../../db/database.js';
import { prepared } from '../../db/prepared.js';

/** The problem set the agent sends in `agent:health`. */
export const agentSource = 'agent';

/**
 * Replaces the open problems `source` has reported for a device with `problems`: new
 * codes open with `since` = now, codes still present keep their `since` (their message
 * is updated), codes no longer present are cleared. Runs in one transaction.
 */
export async function reportHealth(
  db: Db,
  deviceId: string,
  problems: readonly HealthProblem[],
  source: string = agentSource,
  now: Date = new Date(),
): Promise<void> {
  const at = now.toISOString();
  const wanted = new Map(problems.map((p) => [p.code, p.message]));
  await db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('device_health')
      .select(['id', 'code', 'message'])
      .where('device_id', '=', deviceId)
      .where('source', '=', source)
      .where('cleared_at', 'is', null)
      .execute();
    for (const row of open) {
      const message = wanted.get(row.code);
      if (message === undefined) {
        await trx.updateTable('device_health').set({ cleared_at: at }).where('id', '=', row.id).execute();
      } else if (message !== row.message) {
        await trx.updateTable('device_health').set({ message }).where('id', '=', row.id).execute();
      }
      wanted.delete(row.code);
    }
    for (const [code, message] of wanted) {
      await trx
        .insertInto('device_health')
        .values({ device_id: deviceId, code, message, since: at, cleared_at: null, source })
        .execute();
    }
  });
}

/** The problems the server reports about a device's clock (never cleared by the agent's own reports). */
export const clockSource = 'clock';
const clockCode = 'clock.wrong';

/** A device sent an event with an impossible time; the time it was received was used instead. */
export async function reportClockSkew(
  db: Db,
  deviceId: string,
  claimed: string,
  used: string,
): Promise<void> {
  await reportHealth(
    db,
    deviceId,
    [
      {
        code: clockCode,
        message: `This computer's clock is wrong: it said ${claimed.slice(0, 40)} for something that reached the server at ${used}. Harbour recorded the time it arrived. Check the computer's date and time.`,
      },
    ],
    clockSource,
  );
}

/** A heartbeat's own time: a clock more than 5 minutes off opens the warning, a right one clears it. */
export async function checkClock(db: Db, deviceId: string, sentAt: string, now: Date): Promise<void> {
  const off = Math.abs(Date.parse(sentAt) - now.getTime());
  if (off > 5 * 60_000) return reportClockSkew(db, deviceId, sentAt, now.toISOString());
  const open = (await openClockWarning.run(db, { deviceId })).rows[0];
  if (open) await reportHealth(db, deviceId, [], clockSource, now);
}

// Every heartbeat asks it: compiled once (db/prepared.ts).
const openClockWarning = prepared<{ deviceId: string }, { id: number }>(['deviceId'], (db, { deviceId }) =>
  db
    .selectFrom('device_health')
    .select('id')
    .where('device_id', '=', deviceId)
    .where('source', '=', clockSource)
    .where('cleared_at', 'is', null)
    .limit(1),
);

/** Deletes problems cleared before `cutoff` (the activity retention period decides it). */
export async function purgeClearedHealth(db: Db, cutoff: string): Promise<void> {
  await db
    .deleteFrom('device_health')
    .where('cleared_at', 'is not', null)
    .where('cleared_at', '<', cutoff)
    .execute();
}

/** Every open reported problem of the given devices, oldest first. */
export async function openProblems(
  db: Db,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceHealth[]>> {
  const result = new Map<string, DeviceHealth[]>();
  if (deviceIds.length === 0) return result;
  const rows = await db
    .selectFrom('device_health')
    .select(['device_id', 'code', 'message', 'since'])
    .where('device_id', 'in', deviceIds)
    .where('cleared_at', 'is', null)
    .orderBy('since')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const list = result.get(row.device_id) ?? [];
    list.push({ code: row.code, message: row.message, since: row.since, source: 'agent' });
    result.set(row.device_id, list);
  }
  return result;
}

export interface HealthSettings {
  /** A device not seen for this many days gets a warning. */
  staleDays: number;
  /** Agents older than this version get a warning (the server's own version by default). */
  expectedAgentVersion: string;
  /** An extension silent for this many hours while its device was seen gets a warning. */
  extensionSilentHours: number;
}

export interface DeviceFacts {
  online: boolean;
  lastSeen: string | null;
  enrolledAt: string;
  agentVersion: string;
  revoked: boolean;
}

const day = 86_400_000;

/** Warnings the server works out from what it knows about a device. Pure: tested directly. */
export function serverWarnings(
  device: DeviceFacts,
  extension: { reporting: boolean; lastReport: string | null } | null,
  settings: HealthSettings,
  now: Date,
): DeviceHealth[] {
  const out: DeviceHealth[] = [];
  if (device.revoked) return out;
  const seen = device.online ? now.getTime() : Date.parse(device.lastSeen ?? device.enrolledAt);
  const days = Math.floor((now.getTime() - seen) / day);
  if (days >= settings.staleDays) {
    out.push({
      code: 'device.not_seen',
      message:
        device.lastSeen === null
          ? `Never connected since it was enrolled ${days} days ago.`
          : `Not seen for ${days} days. Check the computer is switched on and on the school network.`,
      since: new Date(seen + settings.staleDays * day).toISOString(),
      source: 'server',
    });
  }
  const version = semver.valid(semver.coerce(device.agentVersion, { includePrerelease: true }));
  const expected = semver.valid(semver.coerce(settings.expectedAgentVersion, { includePrerelease: true }));
  if (expected && (!version || semver.lt(version, expected))) {
    out.push({
      code: 'agent.outdated',
      message: version
        ? `Agent ${device.agentVersion} is older than this server expects (${settings.expectedAgentVersion}). Update the agent.`
        : `Agent version "${device.agentVersion}" is not recognised. Reinstall the agent.`,
      since: null,
      source: 'server',
    });
  }
  if (extension && !extension.reporting) {
    out.push({
      code: 'extension.not_reporting',
      message:
        extension.lastReport === null
          ? 'The browser extension has never reported from this computer. Check the browser policy is applied.'
          : `The browser extension has not reported for over ${settings.extensionSilentHours} hours.`,
      since: extension.lastReport,
      source: 'server',
    });
  }
  return out;
}

/** The code the machine service reports when a session's helper stops (one per account). */
export const helperStoppedPrefix = 'helper.stopped.';
const helperStoppedMessage = /^helper stopped in (.{1,200})'s session at /;

/** Tamper evidence among a device's open problems: each helper that stopped in a signed-in session. */
export function tamperOf(problems: readonly DeviceHealth[]): NonNullable<Device['tamper']> {
  return problems
    .filter((p) => p.code.startsWith(helperStoppedPrefix))
    .map((p) => ({
      kind: 'helperStopped' as const,
      user: helperStoppedMessage.exec(p.message)?.[1] ?? p.code.slice(helperStoppedPrefix.length),
      since: p.since ?? new Date(0).toISOString(),
      message: p.message,
    }));
}

/** Fills each device's tamper evidence (the room tile and the device page show it). */
export async function withTamper(db: Db, devices: Device[]): Promise<void> {
  const problems = await openProblems(
    db,
    devices.map((d) => d.id),
  );
  for (const device of devices) device.tamper = tamperOf(problems.get(device.id) ?? []);
}
