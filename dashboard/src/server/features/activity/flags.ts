/**
 * Flags: watch-list matches the agent raised, with their screenshots. Stored once per
 * event (the agent's outbox may deliver twice); pushed live to staff watching the room.
 *
 * For the incident work: `ActivityFeature.onFlagStored(hook)` runs `hook(trx, flag)`
 * inside the transaction that stores the flag, so whatever it writes (an incident record)
 * exists exactly when the flag does; what the hook returns runs once that has committed.
 */
import { randomUUID } from 'node:crypto';
import { evidenceRefSchema, formatOsUser, type ActivityFlag, type Flag } from '@harbour/shared';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import type { FlagsTable } from '../../db/schema.js';
import { HarbourError } from '../../core/errors.js';
import { deviceHolds } from '../evidence/index.js';
import { checkEventTime, deviceRoom } from './activity.js';

const evidenceList = z.array(evidenceRefSchema);

export const toFlag = (r: Selectable<FlagsTable> & { hostname: string }): Flag => ({
  id: r.id,
  deviceId: r.device_id,
  hostname: r.hostname,
  roomId: r.room_id,
  user: r.username,
  occurredAt: r.occurred_at,
  receivedAt: r.received_at,
  category: r.category,
  severity: r.severity,
  kind: r.kind,
  pattern: r.pattern,
  where: r.place,
  matched: r.matched,
  app: r.app,
  title: r.title,
  url: r.url,
  domain: r.domain,
  private: r.private === 1,
  evidence: evidenceList.parse(JSON.parse(r.evidence)),
});

/** Stores a flag event; runs inside the event's transaction. */
export async function recordFlag(
  trx: Db,
  deviceId: string,
  event: { id: string; occurredAt: string },
  body: ActivityFlag,
): Promise<Flag> {
  checkEventTime(event.occurredAt);
  const { roomId, hostname } = await deviceRoom(trx, deviceId);
  // The agent uploads a flag's screenshots before the flag itself; until they are here, not
  // yet. A flag may cite only screenshots this device uploaded itself.
  for (const ref of body.evidence) {
    if (!(await deviceHolds(trx, ref.sha256, deviceId))) {
      throw new HarbourError(
        'conflict',
        `Screenshot ${ref.sha256} has not been uploaded by this computer yet; send it first.`,
      );
    }
  }
  const row: Selectable<FlagsTable> = {
    id: randomUUID(),
    device_id: deviceId,
    event_id: event.id,
    room_id: roomId,
    username: body.user ? formatOsUser(body.user) : null,
    occurred_at: event.occurredAt,
    received_at: new Date().toISOString(),
    entry_id: body.match.entryId,
    category: body.match.category,
    severity: body.match.severity,
    kind: body.match.kind,
    pattern: body.match.pattern,
    place: body.match.where,
    matched: body.match.matched,
    app: body.window.app,
    title: body.window.title,
    url: body.window.url,
    domain: body.window.domain,
    private: body.window.private ? 1 : 0,
    evidence: JSON.stringify(body.evidence),
  };
  await trx.insertInto('flags').values(row).execute();
  return toFlag({ ...row, hostname });
}

export async function listFlags(
  db: Db,
  q: {
    roomId?: string | undefined;
    /** Only these rooms (a teacher's; services/activity-scope.ts); undefined or null: every room. */
    roomIds?: string[] | null | undefined;
    deviceId?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
  },
): Promise<Flag[]> {
  let query = db
    .selectFrom('flags as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .selectAll('f')
    .select('d.hostname');
  if (q.roomId) query = query.where('f.room_id', '=', q.roomId);
  if (q.roomIds) {
    if (q.roomIds.length === 0) return [];
    query = query.where('f.room_id', 'in', q.roomIds);
  }
  if (q.deviceId) query = query.where('f.device_id', '=', q.deviceId);
  if (q.from) query = query.where('f.occurred_at', '>=', new Date(q.from).toISOString());
  if (q.to) query = query.where('f.occurred_at', '<', new Date(q.to).toISOString());
  const rows = await query.orderBy('f.occurred_at', 'desc').limit(q.limit).execute();
  return rows.map(toFlag);
}

export async function getFlagById(db: Db, id: string): Promise<Flag | undefined> {
  const row = await db
    .selectFrom('flags as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .selectAll('f')
    .select('d.hostname')
    .where('f.id', '=', id)
    .executeTakeFirst();
  return row && toFlag(row);
}
