/**
 * `POST /api/agent/merge`: one computer, one device record (issue 12 item 7).
 *
 * Before the machine service, each pupil's first logon enrolled the computer again, so a
 * computer could be several device records. The upgraded service adopts one credential and
 * presents the others here. Each presented record is retired into the caller's: revoked
 * (its credential stops working at once), marked `merged_into`, audited. Its history (sessions,
 * activity, flags, reports, evidence) stays under its own id, so every rule that decides who
 * may see it (the room, the evidence's uploader) holds exactly as before.
 *
 * Who may merge what:
 * - the caller proves it is a device (its own credential) and proves possession of every
 *   record it retires (that record's credential): a device that knows only another
 *   computer's id retires nothing, and the attempt is audited;
 * - both records must be in the same room. History's visibility follows its device's room
 *   (a teacher sees the rooms they are assigned to), and a merged record's history is shown
 *   with the computer it joined, so folding in a record of another room would show that
 *   room's pupils to this room's staff. A computer that was moved stays "waiting" (and says
 *   so in its health) until a technician moves the old record too: a human who may see both
 *   rooms decides, and that move is audited like any other.
 */
import { mergeDevicesRequestSchema, mergeDevicesResponseSchema, type HealthProblem } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import type { App } from '../../core/feature.js';
import { secretMatches } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';
import { currentDevice } from '../../http/plumbing.js';
import { reportHealth } from './health.js';
import type { DeviceHub } from './hub.js';

/** The health problems this route reports on the caller (records waiting in another room). */
export const mergeSource = 'merge';

export interface MergeResult {
  merged: string[];
  refused: string[];
  waiting: string[];
}

export async function mergeDevices(
  db: Db,
  caller: { id: string; roomId: string },
  presented: readonly { deviceId: string; credential: string }[],
  now: Date = new Date(),
): Promise<MergeResult & { retired: { id: string; roomId: string }[]; waitingNames: string[] }> {
  const at = now.toISOString();
  const result = {
    merged: [] as string[],
    refused: [] as string[],
    waiting: [] as string[],
    retired: [] as { id: string; roomId: string }[],
    waitingNames: [] as string[],
  };
  const unique = [...new Map(presented.map((p) => [p.deviceId, p])).values()];
  await db.transaction().execute(async (trx) => {
    for (const { deviceId, credential } of unique) {
      const row = await trx
        .selectFrom('devices')
        .innerJoin('rooms', 'rooms.id', 'devices.room_id')
        .select([
          'devices.id',
          'devices.room_id',
          'devices.hostname',
          'devices.credential_hash',
          'devices.revoked_at',
          'devices.merged_into',
          'rooms.name as room_name',
        ])
        .where('devices.id', '=', deviceId)
        .executeTakeFirst();
      if (deviceId === caller.id) {
        result.refused.push(deviceId);
        continue;
      }
      if (!row || !secretMatches(credential, row.credential_hash)) {
        // A device naming a record it cannot prove is its own: worth a line in the trail.
        result.refused.push(deviceId);
        await audit(trx, {
          actor: `device:${caller.id}`,
          action: 'device.merge_refused',
          subject: deviceId,
          detail: { reason: row ? 'wrong credential' : 'unknown device' },
        });
        continue;
      }
      if (row.merged_into === caller.id) {
        result.merged.push(deviceId); // a retry after a lost answer
        continue;
      }
      if (row.revoked_at !== null) {
        result.refused.push(deviceId);
        continue;
      }
      if (row.room_id !== caller.roomId) {
        result.waiting.push(deviceId);
        result.waitingNames.push(`${row.hostname} (${row.room_name})`);
        continue;
      }
      await trx
        .updateTable('devices')
        .set({ revoked_at: at, merged_into: caller.id, current_user: null })
        .where('id', '=', deviceId)
        .execute();
      await audit(trx, {
        actor: `device:${caller.id}`,
        action: 'device.merge',
        subject: deviceId,
        detail: { into: caller.id, hostname: row.hostname, roomId: row.room_id },
      });
      result.merged.push(deviceId);
      result.retired.push({ id: deviceId, roomId: row.room_id });
    }
  });
  return result;
}

export function mergeRoutes(app: App, deps: { db: Db; hub: DeviceHub }): void {
  const { db, hub } = deps;
  app.post(
    '/api/agent/merge',
    {
      // Limited per device credential by the plumbing, like every device route; not per address:
      // a whole school upgrading behind one NAT address must not be refused.
      config: { access: 'device' },
      schema: {
        summary:
          "Retire this computer's other device records (from per-user agents) into this one, proving each with its credential",
        tags: ['agent'],
        body: mergeDevicesRequestSchema,
        response: { 200: mergeDevicesResponseSchema },
      },
    },
    async (request) => {
      const caller = currentDevice(request);
      const result = await mergeDevices(db, caller, request.body.devices);
      for (const retired of result.retired) hub.retired(retired);
      const problems: HealthProblem[] =
        result.waiting.length === 0
          ? []
          : [
              {
                code: 'upgrade.records_elsewhere',
                message: `This computer has older device records in another room: ${result.waitingNames.join(', ').slice(0, 400)}. Move them to this computer's room to merge them into it.`,
              },
            ];
      await reportHealth(db, caller.id, problems, mergeSource);
      if (result.merged.length + result.refused.length + result.waiting.length > 0)
        request.log.info(
          { deviceId: caller.id, merged: result.merged, refused: result.refused, waiting: result.waiting },
          'device records merged',
        );
      await hub.refresh(caller.id);
      return { merged: result.merged, refused: result.refused, waiting: result.waiting };
    },
  );
}
