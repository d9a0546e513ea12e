/**
 * Flags: watch-list matches the agent raised, with their screenshots. Stored once per
 * event (the agent's outbox may deliver twice); pushed live to staff watching the room.
 *
 * For the incident work: `ActivityFeature.onFlagStored(hook)` runs `hook(trx, flag)`
 * inside the transaction that stores the flag, so whatever it writes (an incident record)
 * exists exactly when the flag does; what the hook returns runs once that has committed.
 */
import { randomUUID } from 'node:crypto';
import {
  evidenceRefSchema,
  formatOsUser,
  type ActivityFlag,
  type Flag,
  type FlagOccurrence,
  type FlagStatus,
} from '@harbour/shared';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import type { FlagOccurrencesTable, FlagsTable } from '../../db/schema.js';
import { HarbourError } from '../../core/errors.js';
import { deviceHolds } from '../evidence/index.js';
import { checkEventTime, deviceRoom } from './activity.js';
import { getActivitySettings } from './settings.js';

const evidenceList = z.array(evidenceRefSchema);

type FlagRow = Selectable<FlagsTable> & { hostname: string; triager_name?: string | null };

export const toFlag = (r: FlagRow): Flag => ({
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
  occurrences: r.occurrences,
  lastOccurredAt: r.last_occurred_at ?? r.occurred_at,
  status: r.status,
  triage:
    r.triaged_by && r.triaged_at
      ? { by: r.triaged_by, byName: r.triager_name ?? null, at: r.triaged_at, reason: r.triage_reason }
      : null,
  incidentId: r.incident_id,
});

const toOccurrence = (r: Selectable<FlagOccurrencesTable>): FlagOccurrence => ({
  id: r.id,
  occurredAt: r.occurred_at,
  where: r.place,
  matched: r.matched,
  app: r.app,
  title: r.title,
  url: r.url,
  domain: r.domain,
  private: r.private === 1,
  evidence: evidenceList.parse(JSON.parse(r.evidence)),
});

/** When the lesson supervised in a room at a moment ends; null if none (supervision provides it). */
export type LessonEnd = (db: Db, roomId: string, at: string) => Promise<string | null>;

/** A flag event stored: a new concern, or a repeat joined to the first flag as an occurrence. */
export type StoredFlag =
  { kind: 'new'; flag: Flag } | { kind: 'repeat'; flag: Flag; occurrence: FlagOccurrence };

/**
 * Stores a flag event; runs inside the event's transaction. A repeat hit of the same
 * watch-list entry by the same pupil (the same account, else the same computer with nobody
 * signed in) before the first flag's period ends joins that flag as an occurrence, with its
 * screenshots: one concern, one flag, one incident, one alert (issue 15 item 2).
 */
export async function recordFlag(
  trx: Db,
  deviceId: string,
  event: { id: string; occurredAt: string },
  body: ActivityFlag,
  lessonEnd: LessonEnd = () => Promise.resolve(null),
): Promise<StoredFlag> {
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
  // The concern is named by the school's own watch-list entry, not by the device: the
  // incident's summary and the DSL's alert say the matched term alone (never the pupil's
  // whole search phrase, nor whatever a device put in `pattern`). An entry deleted since the
  // agent fetched its list keeps the device's words, which the schema has already bounded.
  const entry = await trx
    .selectFrom('watchlist_entries')
    .select(['kind', 'pattern', 'category', 'severity'])
    .where('id', '=', body.match.entryId)
    .executeTakeFirst();
  if (entry) body = { ...body, match: { ...body.match, ...entry } };
  const username = body.user ? formatOsUser(body.user) : null;
  const occurredAt = event.occurredAt;
  const receivedAt = new Date().toISOString();

  let first = trx
    .selectFrom('flags as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .selectAll('f')
    .select('d.hostname')
    .where('f.entry_id', '=', body.match.entryId)
    .where('f.occurred_at', '<=', occurredAt)
    .where('f.group_until', '>=', occurredAt);
  first =
    username === null
      ? first.where('f.device_id', '=', deviceId).where('f.username', 'is', null)
      : first.where('f.username', '=', username);
  const repeatOf = await first.orderBy('f.occurred_at', 'desc').limit(1).executeTakeFirst();
  if (repeatOf) {
    const occurrence: Selectable<FlagOccurrencesTable> = {
      id: randomUUID(),
      flag_id: repeatOf.id,
      device_id: deviceId,
      event_id: event.id,
      occurred_at: occurredAt,
      received_at: receivedAt,
      place: body.match.where,
      matched: body.match.matched,
      app: body.window.app,
      title: body.window.title,
      url: body.window.url,
      domain: body.window.domain,
      private: body.window.private ? 1 : 0,
      evidence: JSON.stringify(body.evidence),
    };
    await trx.insertInto('flag_occurrences').values(occurrence).execute();
    const last =
      repeatOf.last_occurred_at && repeatOf.last_occurred_at > occurredAt
        ? repeatOf.last_occurred_at
        : occurredAt;
    await trx
      .updateTable('flags')
      .set((eb) => ({ occurrences: eb('occurrences', '+', 1), last_occurred_at: last }))
      .where('id', '=', repeatOf.id)
      .execute();
    return {
      kind: 'repeat',
      flag: toFlag({ ...repeatOf, occurrences: repeatOf.occurrences + 1, last_occurred_at: last }),
      occurrence: toOccurrence(occurrence),
    };
  }

  const settings = await getActivitySettings(trx);
  let groupUntil = new Date(Date.parse(occurredAt) + settings.repeatMinutes * 60_000).toISOString();
  if (settings.repeatUntilLessonEnds) {
    const end = await lessonEnd(trx, roomId, occurredAt);
    if (end && end > groupUntil) groupUntil = end;
  }
  const row: Selectable<FlagsTable> = {
    id: randomUUID(),
    device_id: deviceId,
    event_id: event.id,
    room_id: roomId,
    username,
    occurred_at: occurredAt,
    received_at: receivedAt,
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
    status: 'open',
    triaged_by: null,
    triaged_at: null,
    triage_reason: null,
    incident_id: null,
    group_until: groupUntil,
    occurrences: 1,
    last_occurred_at: occurredAt,
  };
  await trx.insertInto('flags').values(row).execute();
  return { kind: 'new', flag: toFlag({ ...row, hostname }) };
}

/** A flag's later hits, oldest first. */
export async function flagOccurrences(db: Db, flagId: string): Promise<FlagOccurrence[]> {
  const rows = await db
    .selectFrom('flag_occurrences')
    .selectAll()
    .where('flag_id', '=', flagId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map(toOccurrence);
}

export async function listFlags(
  db: Db,
  q: {
    roomId?: string | undefined;
    /** Only these rooms (a teacher's; services/activity-scope.ts); undefined or null: every room. */
    roomIds?: string[] | null | undefined;
    deviceId?: string | undefined;
    status?: FlagStatus | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
  },
): Promise<Flag[]> {
  let query = db
    .selectFrom('flags as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .leftJoin('users as u', 'u.id', 'f.triaged_by')
    .selectAll('f')
    .select(['d.hostname', 'u.display_name as triager_name']);
  if (q.status) query = query.where('f.status', '=', q.status);
  if (q.roomId) query = query.where('f.room_id', '=', q.roomId);
  if (q.roomIds) {
    if (q.roomIds.length === 0) return [];
    query = query.where('f.room_id', 'in', q.roomIds);
  }
  if (q.deviceId) query = query.where('f.device_id', '=', q.deviceId);
  if (q.from) query = query.where('f.occurred_at', '>=', new Date(q.from).toISOString());
  if (q.to) query = query.where('f.occurred_at', '<', new Date(q.to).toISOString());
  // Newest concern first: a repeat brings its flag back to the top.
  const rows = await query
    .orderBy((eb) => eb.fn.coalesce('f.last_occurred_at', 'f.occurred_at'), 'desc')
    .limit(q.limit)
    .execute();
  return rows.map(toFlag);
}

/** How many flags in these rooms (null: every room) wait for triage. */
export async function openFlagCount(db: Db, roomIds: string[] | null): Promise<number> {
  if (roomIds?.length === 0) return 0;
  let q = db
    .selectFrom('flags')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'open');
  if (roomIds) q = q.where('room_id', 'in', roomIds);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

export async function getFlagById(db: Db, id: string): Promise<Flag | undefined> {
  const row = await db
    .selectFrom('flags as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .leftJoin('users as u', 'u.id', 'f.triaged_by')
    .selectAll('f')
    .select(['d.hostname', 'u.display_name as triager_name'])
    .where('f.id', '=', id)
    .executeTakeFirst();
  return row && toFlag(row);
}
