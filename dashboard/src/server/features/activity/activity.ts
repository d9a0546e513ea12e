/**
 * The activity timeline. The agent sends only changes (`activity.changed`); each change
 * closes the device's open interval at the moment it happened and opens the next one.
 * An interval with no end is what the device shows now.
 */
import {
  activityLimits,
  domainOf,
  formatOsUser,
  type ActivityChanged,
  type ActivityInterval,
  type ActivitySettings,
  type DeviceActivity,
} from '@harbour/shared';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import { prepared } from '../../db/prepared.js';
import type { ActivityIntervalsTable } from '../../db/schema.js';
import { HarbourError, notFound } from '../../core/errors.js';
import {
  deviceRoomColumn,
  devicePlace,
  fromDevice,
  joinDeviceOf,
  purgeClearedHealth,
} from '../devices/index.js';
import { BulkRefused } from '../../db/group-commit.js';
import { getActivitySettings } from './settings.js';

/** How far ahead of the server's clock a device's clock may be before its events are refused. */
export const maxClockSkewMs = 5 * 60_000;
const earliest = Date.parse('2000-01-01T00:00:00Z');

/** Refuses event times no device can have seen: far in the future, or before Harbour existed. */
export function checkEventTime(occurredAt: string, now = Date.now()): void {
  const at = Date.parse(occurredAt);
  if (at > now + maxClockSkewMs) {
    throw new HarbourError(
      'validation_failed',
      `occurredAt ${occurredAt} is in the future (more than ${maxClockSkewMs / 60_000} minutes ahead of the server); check the device's clock.`,
      [{ path: 'occurredAt', message: 'is in the future' }],
    );
  }
  if (Number.isNaN(at) || at < earliest) {
    throw new HarbourError('validation_failed', `occurredAt ${occurredAt} is not a possible time.`, [
      { path: 'occurredAt', message: 'is before the year 2000' },
    ]);
  }
}

export async function deviceRoom(db: Db, deviceId: string): Promise<{ roomId: string; hostname: string }> {
  const place = await devicePlace(db, deviceId);
  if (!place) throw notFound('Device');
  return place;
}

/*
 * The queries every change runs, built once (db/prepared.ts): thousands of changes a second
 * under fleet load. A change arriving late (rare) builds its queries as usual.
 */
const laterChange = prepared<{ deviceId: string; occurredAt: string }, { started_at: string }>(
  ['deviceId', 'occurredAt'],
  (db, { deviceId, occurredAt }) =>
    db
      .selectFrom('activity_intervals')
      .select('started_at')
      .where('device_id', '=', deviceId)
      .where('started_at', '>', occurredAt)
      .orderBy('started_at')
      .limit(1),
);
/*
 * The open interval closed at this change, unless a later change is already stored (a
 * change arriving late): one statement for what was a look-up and an update, since each
 * round trip to PostgreSQL is what a lane waits on under fleet load (docs/benchmarks.md).
 * Nothing closed means either no interval was open or a later change exists; only then is
 * the later change looked up.
 */
const closeOpenIntervalUnlessLater = prepared<{ deviceId: string; occurredAt: string }, never>(
  ['deviceId', 'occurredAt'],
  (db, { deviceId, occurredAt }) =>
    db
      .updateTable('activity_intervals')
      .set({
        ended_at: sql<string>`case when started_at > ${occurredAt} then started_at else ${occurredAt} end`,
      })
      .where('device_id', '=', deviceId)
      .where('ended_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('activity_intervals as later')
              .select('later.id')
              .where('later.device_id', '=', deviceId)
              .where('later.started_at', '>', occurredAt),
          ),
        ),
      ),
);
type IntervalInsert = Omit<Selectable<ActivityIntervalsTable>, 'id'>;
type IntervalValues = Omit<IntervalInsert, 'room_id'>;
/*
 * The new interval, with the device's room taken from its row in the same statement
 * (`insert … select`, which writes nothing for an unknown device) and given back. Each value
 * is cast to its column's type: PostgreSQL cannot tell a parameter's type in a select list.
 */
const text = (value: unknown) => sql<string | null>`cast(${value} as text)`;
/** The interval's own values, in the order the select below gives them after the room. */
const intervalValues = [
  'device_id',
  'username',
  'state',
  'app',
  'title',
  'url',
  'domain',
  'exe_path',
  'private',
  'reason',
  'started_at',
  'ended_at',
] as const satisfies readonly (keyof IntervalValues)[];
const insertIntervalRow = prepared<IntervalValues, { room_id: string }>(intervalValues, (db, row) =>
  db
    .insertInto('activity_intervals')
    .columns(['room_id', ...intervalValues])
    .expression(
      fromDevice(db, row.device_id).select([
        'devices.room_id as room_id',
        'devices.id as device_id',
        text(row.username).as('username'),
        text(row.state).as('state'),
        text(row.app).as('app'),
        text(row.title).as('title'),
        text(row.url).as('url'),
        text(row.domain).as('domain'),
        text(row.exe_path).as('exe_path'),
        sql<number>`cast(${row.private} as integer)`.as('private'),
        text(row.reason).as('reason'),
        text(row.started_at).as('started_at'),
        text(row.ended_at).as('ended_at'),
      ]),
    )
    .returning('room_id'),
);

/**
 * Records one change; runs inside the event's transaction. Returns what the device shows
 * now, or null for a change that arrived after later ones (it takes its place in the past
 * and what the device shows now is unchanged): intervals never overlap, and none is
 * stretched over the time a later change already accounts for.
 */
export async function recordActivityChange(
  trx: Db,
  deviceId: string,
  occurredAt: string,
  body: ActivityChanged,
): Promise<DeviceActivity | null> {
  checkEventTime(occurredAt);
  const closed = await closeOpenIntervalUnlessLater.run(trx, { deviceId, occurredAt });
  if (Number(closed.numAffectedRows ?? 0) === 0) {
    const later = (await laterChange.run(trx, { deviceId, occurredAt })).rows[0];
    if (later) {
      // The interval running at that moment ends there; this one runs until the next began.
      await trx
        .updateTable('activity_intervals')
        .set({ ended_at: occurredAt })
        .where('device_id', '=', deviceId)
        .where('started_at', '<=', occurredAt)
        .where('ended_at', '>', occurredAt)
        .execute();
      await insertInterval(trx, deviceId, occurredAt, later.started_at, body);
      return null;
    }
  }
  const { row, roomId } = await insertInterval(trx, deviceId, occurredAt, null, body);
  return nowShowing(row, roomId, body);
}

/**
 * The interval a change opens, with the server's private-window rule applied (`settings` is
 * asked only when the window is private). "Off" with a reason (outside monitoring hours, no
 * display) is a time the computer was on and not monitored: the timeline and the tile say
 * so. Plain "off" (stopped) is no interval: `stored` is false.
 */
async function intervalRow(
  settings: () => Promise<ActivitySettings>,
  deviceId: string,
  startedAt: string,
  endedAt: string | null,
  body: ActivityChanged,
): Promise<{ row: IntervalValues; stored: boolean }> {
  const user = body.user ? formatOsUser(body.user) : null;
  const w = body.window;
  const reason = body.reason ?? null;
  let url = w?.url ?? null;
  let title = w?.title ?? null;
  // Lower case, as domainOf gives: the domain filter compares with = and LIKE, which ignore case on SQLite only.
  let domain = domainOf(url) ?? w?.domain?.toLowerCase() ?? null;
  if (w?.private && (await settings()).privateWindows === 'domainOnly') {
    // The agent already does this; the server enforces it too.
    url = null;
    title = null;
  }
  if (reason === 'private_window' || reason === 'harbour_screen') {
    // Nothing of the page is known (or to be kept) in these: whatever a device says.
    url = null;
    title = null;
    domain = null;
  } else if (reason === 'extension_missing') {
    url = null;
    domain = null;
  }
  const row: IntervalValues = {
    device_id: deviceId,
    username: user,
    state: body.state,
    app: w?.app ?? null,
    title,
    url,
    domain,
    exe_path: w?.exePath ?? null,
    private: w?.private ? 1 : 0,
    reason,
    started_at: startedAt,
    ended_at: endedAt,
  };
  return { row, stored: !(body.state === 'off' && reason === null) };
}

/** Writes one interval (intervalRow) and says the device's room. */
async function insertInterval(
  trx: Db,
  deviceId: string,
  startedAt: string,
  endedAt: string | null,
  body: ActivityChanged,
): Promise<{ row: IntervalValues; roomId: string }> {
  const { row, stored } = await intervalRow(
    () => getActivitySettings(trx),
    deviceId,
    startedAt,
    endedAt,
    body,
  );
  if (!stored) return { row, roomId: (await deviceRoom(trx, deviceId)).roomId };
  const inserted = (await insertIntervalRow.run(trx, row)).rows[0];
  if (!inserted) throw notFound('Device');
  return { row, roomId: inserted.room_id };
}

/** What a device shows now, after a change that opened `row` in `roomId`. */
const nowShowing = (row: IntervalValues, roomId: string, body: ActivityChanged): DeviceActivity => ({
  deviceId: row.device_id,
  roomId,
  user: row.username,
  state: body.state,
  app: row.app,
  title: row.title,
  url: row.url,
  domain: row.domain,
  private: row.private === 1,
  reason: row.reason,
  since: row.started_at,
});

/** The changes as `v(device_id, at)`, for a statement's `with`. */
const moments = (of: readonly { deviceId: string; occurredAt: string }[]) =>
  sql`v(device_id, at) as (values ${sql.join(of.map((c) => sql`(${c.deviceId}, ${c.occurredAt})`))})`;

/**
 * Many devices' changes in two or three statements (db/group-commit.ts's bulk path; each
 * device at most once): close each device's open interval unless a later change exists, look
 * up later changes for the devices that had none open (only if there are any), open the new
 * intervals with their devices' rooms (`insert … select` from a VALUES list joined to
 * devices), and give back what each device shows now. The common case only: a time no
 * device can have seen, a plain "off", a change arriving after a later one, or an unknown
 * device throws, and each change is then recorded alone by `recordActivityChange`, which
 * refuses or places it exactly as before.
 */
export async function recordActivityChanges(
  trx: Db,
  changes: readonly { deviceId: string; occurredAt: string; body: ActivityChanged }[],
): Promise<DeviceActivity[]> {
  for (const c of changes) checkEventTime(c.occurredAt);
  let settings: Promise<ActivitySettings> | undefined;
  const asked = () => (settings ??= getActivitySettings(trx));
  const rows: IntervalValues[] = [];
  for (const c of changes) {
    const { row, stored } = await intervalRow(asked, c.deviceId, c.occurredAt, null, c.body);
    if (!stored) throw new BulkRefused('an agent stopped');
    rows.push(row);
  }
  const closed = await sql<{ device_id: string }>`
    with ${moments(changes)}
    update activity_intervals
    set ended_at = case when activity_intervals.started_at > v.at then activity_intervals.started_at else v.at end
    from v
    where activity_intervals.device_id = v.device_id and activity_intervals.ended_at is null
      and not exists (
        select 1 from activity_intervals later where later.device_id = v.device_id and later.started_at > v.at
      )
    returning activity_intervals.device_id`.execute(trx);
  // Nothing closed: the device's first change, or a later change already stored (rare),
  // which the one-by-one path places in the past. One look-up for all of them.
  const wasClosed = new Set(closed.rows.map((r) => r.device_id));
  const unclosed = changes.filter((c) => !wasClosed.has(c.deviceId));
  if (unclosed.length > 0) {
    const later = await sql<{ device_id: string }>`
      with ${moments(unclosed)}
      select v.device_id from v
      where exists (
        select 1 from activity_intervals later where later.device_id = v.device_id and later.started_at > v.at
      )`.execute(trx);
    if (later.rows.length > 0) throw new BulkRefused('a change arrived after a later one');
  }
  const opening = sql.join(
    rows.map(
      (r) =>
        sql`(${r.device_id}, ${r.username}, ${r.state}, ${r.app}, ${r.title}, ${r.url}, ${r.domain}, ${r.exe_path}, ${r.private}, ${r.reason}, ${r.started_at}, ${r.ended_at})`,
    ),
  );
  const opened = await sql<{ device_id: string; room_id: string }>`
    with v(${sql.join(intervalValues.map((c) => sql.ref(c)))}) as (values ${opening})
    insert into activity_intervals (room_id, ${sql.join(intervalValues.map((c) => sql.ref(c)))})
    select ${deviceRoomColumn}, ${sql.join(
      intervalValues.map((c) =>
        c === 'private' ? sql`cast(v.private as integer)` : sql`cast(${sql.ref(`v.${c}`)} as text)`,
      ),
    )}
    from v ${joinDeviceOf(sql.ref('v.device_id'))}
    returning device_id, room_id`.execute(trx);
  if (opened.rows.length !== rows.length) throw new BulkRefused('an unknown device');
  const rooms = new Map(opened.rows.map((r) => [r.device_id, r.room_id]));
  return rows.map((row, i) => nowShowing(row, rooms.get(row.device_id)!, changes[i]!.body));
}

type IntervalRow = Selectable<ActivityIntervalsTable> & { hostname: string };

const toInterval = (r: IntervalRow): ActivityInterval => ({
  id: r.id,
  deviceId: r.device_id,
  hostname: r.hostname,
  roomId: r.room_id,
  user: r.username,
  state: r.state,
  app: r.app,
  title: r.title,
  url: r.url,
  domain: r.domain,
  private: r.private === 1,
  reason: r.reason,
  start: r.started_at,
  end: r.ended_at,
});

export interface ActivityFilter {
  deviceId?: string | undefined;
  user?: string | undefined;
  roomId?: string | undefined;
  /** Only these rooms (a teacher's; services/activity-scope.ts); undefined or null: every room. */
  roomIds?: string[] | null | undefined;
  domain?: string | undefined;
  from: string;
  to: string;
}

/** Intervals overlapping [from, to) that match every given filter, oldest first. */
export async function findActivity(
  db: Db,
  f: ActivityFilter,
): Promise<{ intervals: ActivityInterval[]; truncated: boolean }> {
  const from = new Date(f.from).toISOString();
  const to = new Date(f.to).toISOString();
  let q = db
    .selectFrom('activity_intervals as a')
    .innerJoin('devices as d', 'd.id', 'a.device_id')
    .selectAll('a')
    .select('d.hostname')
    .where('a.started_at', '<', to)
    .where((eb) => eb.or([eb('a.ended_at', 'is', null), eb('a.ended_at', '>', from)]));
  if (f.deviceId) q = q.where('a.device_id', '=', f.deviceId);
  if (f.user) q = q.where('a.username', '=', f.user);
  if (f.roomId) q = q.where('a.room_id', '=', f.roomId);
  if (f.roomIds) {
    if (f.roomIds.length === 0) return { intervals: [], truncated: false };
    q = q.where('a.room_id', 'in', f.roomIds);
  }
  if (f.domain) {
    const domain = f.domain.toLowerCase().replace(/^www\./, '');
    q = q.where((eb) => eb.or([eb('a.domain', '=', domain), eb('a.domain', 'like', `%.${domain}`)]));
  }
  const rows = await q
    .orderBy('a.started_at')
    .orderBy('a.id')
    .limit(activityLimits.rows + 1)
    .execute();
  return {
    intervals: rows.slice(0, activityLimits.rows).map(toInterval),
    truncated: rows.length > activityLimits.rows,
  };
}

/** Seconds spent on each domain in a room within [from, to), most first. */
export async function topDomains(
  db: Db,
  q: { roomId: string; from: string; to: string; limit: number },
  now = Date.now(),
): Promise<{ domain: string; seconds: number; visits: number }[]> {
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  const rows = await db
    .selectFrom('activity_intervals')
    .select(['domain', 'started_at', 'ended_at'])
    .where('room_id', '=', q.roomId)
    .where('state', '=', 'active')
    .where('domain', 'is not', null)
    .where('started_at', '<', new Date(to).toISOString())
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', new Date(from).toISOString())]))
    .execute();
  const totals = new Map<string, { seconds: number; visits: number }>();
  for (const r of rows) {
    if (!r.domain) continue;
    const start = Math.max(from, Date.parse(r.started_at));
    const end = Math.min(to, r.ended_at ? Date.parse(r.ended_at) : now);
    const t = totals.get(r.domain) ?? { seconds: 0, visits: 0 };
    t.seconds += Math.max(0, end - start) / 1000;
    t.visits += 1;
    totals.set(r.domain, t);
  }
  return [...totals.entries()]
    .map(([domain, t]) => ({ domain, seconds: Math.round(t.seconds), visits: t.visits }))
    .sort((a, b) => b.seconds - a.seconds || b.visits - a.visits || a.domain.localeCompare(b.domain))
    .slice(0, q.limit);
}

/** What each device in a room shows now (its open interval). */
export async function currentActivity(db: Db, roomId: string): Promise<DeviceActivity[]> {
  const rows = await db
    .selectFrom('activity_intervals as a')
    .innerJoin('devices as d', 'd.id', 'a.device_id')
    .selectAll('a')
    .where('d.room_id', '=', roomId)
    .where('d.revoked_at', 'is', null)
    .where('a.ended_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    deviceId: r.device_id,
    roomId,
    user: r.username,
    state: r.state,
    app: r.app,
    title: r.title,
    url: r.url,
    domain: r.domain,
    private: r.private === 1,
    reason: r.reason,
    since: r.started_at,
  }));
}

/** Deletes closed intervals (and cleared health problems) older than the retention period. */
export async function purgeOldActivity(db: Db, now = Date.now()): Promise<number> {
  const { retentionDays } = await getActivitySettings(db);
  const cutoff = new Date(now - retentionDays * 86_400_000).toISOString();
  const result = await db
    .deleteFrom('activity_intervals')
    .where('ended_at', 'is not', null)
    .where('ended_at', '<', cutoff)
    .executeTakeFirst();
  await purgeClearedHealth(db, cutoff);
  return Number(result.numDeletedRows);
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
