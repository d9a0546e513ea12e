/**
 * New concerns reaching the DSL, and the person who recorded one knowing that they did
 * (issue 16, item 1). A concern is an incident still in state "new". The DSL's open
 * dashboard is pushed each new one (`concern:new`, DSL channel only) and reads the waiting
 * ones whenever it (re)connects, so a concern recorded while every DSL was offline shows
 * as soon as one connects. When a DSL's dashboard has shown it, the dashboard says so
 * (`incident.received`, once, whichever tab or deputy was first); acknowledging it moves
 * the incident to "acknowledged". Both are entries in the incident's trail, so the receipt
 * the recorder sees is read from the same history an inspector would read.
 */
import { urgentCategories, type ConcernAlert, type ConcernReceipt, type DueAction } from '@harbour/shared';
import { audit, entriesAbout } from '../../core/audit.js';
import { notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { lockNumberedAppends } from '../../db/portable.js';
import { userNames } from '../accounts/index.js';
import { isDsl } from './access.js';
import { inSchool } from '../../core/tenancy.js';
import type { IncidentRow } from './incidents.js';
import { incidentRef } from './ref.js';

/** How many waiting concerns a dashboard is sent at once (the rest are on the incidents page). */
const waitingLimit = 100;

export async function toConcernAlerts(db: Db, rows: IncidentRow[]): Promise<ConcernAlert[]> {
  const names = await userNames(
    db,
    rows.map((r) => r.created_by),
  );
  return rows.map((r) => ({
    incidentId: r.id,
    ref: incidentRef(r.seq),
    source: r.source,
    category: r.category,
    roomId: r.room_id,
    roomName: r.room_name,
    deviceName: r.device_name,
    recordedBy: r.created_by ? (names.get(r.created_by) ?? null) : null,
    createdAt: r.created_at,
    urgent: urgentCategories.includes(r.category),
  }));
}

/** Every concern no DSL has acknowledged yet, newest first. */
/** `schoolId`: the viewer's school (core/tenancy.ts); null for trust-level staff (every school). */
export async function waitingConcerns(db: Db, schoolId: number | null = null): Promise<ConcernAlert[]> {
  let q = db.selectFrom('incidents').selectAll();
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  const rows = await q
    .where('state', '=', 'new')
    .orderBy('created_at', 'desc')
    .orderBy('seq', 'desc')
    .limit(waitingLimit)
    .execute();
  return toConcernAlerts(db, rows);
}

/** The receipt of one incident, from its trail. */
export async function receiptOf(db: Db, row: IncidentRow): Promise<ConcernReceipt> {
  const entries = await entriesAbout(db, [row.id], {
    actions: ['incident.received', 'incident.state'],
    ordered: true,
  });
  const received = entries.find((e) => e.action === 'incident.received');
  // The first move out of "new" is the acknowledgement, whatever it moved to.
  const acknowledged = entries.find(
    (e) =>
      e.action === 'incident.state' && (JSON.parse(e.detail ?? '{}') as { from?: string }).from === 'new',
  );
  const names = await userNames(db, [received?.actor ?? null, acknowledged?.actor ?? null]);
  const who = (actor: string) => names.get(actor) ?? actor;
  return {
    incidentId: row.id,
    ref: incidentRef(row.seq),
    sentAt: row.created_at,
    received: received ? { at: received.at, by: who(received.actor) } : null,
    acknowledged: acknowledged ? { at: acknowledged.at, by: who(acknowledged.actor) } : null,
  };
}

/** The receipt, for the DSL or the member of staff who recorded the concern; 404 for anyone else. */
export async function receiptFor(db: Db, id: string, viewer: SessionUser): Promise<ConcernReceipt> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !inSchool(viewer, row.school_id) || !(isDsl(viewer) || row.created_by === viewer.id))
    throw notFound('Concern');
  return receiptOf(db, row);
}

/**
 * A DSL's dashboard showed this concern. Only the first time is recorded (two tabs, two
 * deputies, a reconnect: one entry); returns the row and whether this was the first.
 */
export async function markReceived(
  db: Db,
  id: string,
  dsl: SessionUser,
): Promise<{ row: IncidentRow; first: boolean }> {
  return db.transaction().execute(async (trx) => {
    // On PostgreSQL two tabs' requests run at once: the trail's lock makes the check and the
    // entry one step (SQLite writes one transaction at a time anyway).
    await lockNumberedAppends(trx);
    const row = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !inSchool(dsl, row.school_id)) throw notFound('Concern');
    const [already] = await entriesAbout(trx, [id], { actions: ['incident.received'] });
    if (already) return { row, first: false };
    await audit(trx, { actor: dsl.id, action: 'incident.received', subject: id });
    return { row, first: true };
  });
}

/** Days ahead the DSL's day lists actions that will soon be due. */
const dueSoonDays = 7;

/**
 * Open actions due by a week from `today` (YYYY-MM-DD, the school's date), overdue first,
 * on incidents that are not closed.
 */
export async function dueActions(
  db: Db,
  today: string,
  schoolId: number | null = null,
): Promise<DueAction[]> {
  const until = new Date(`${today}T00:00:00Z`);
  until.setUTCDate(until.getUTCDate() + dueSoonDays);
  let q = db.selectFrom('incident_actions as a').innerJoin('incidents as i', 'i.id', 'a.incident_id');
  if (schoolId !== null) q = q.where('i.school_id', '=', schoolId);
  const rows = await q
    .select(['a.id', 'a.incident_id', 'a.what', 'a.who', 'a.due', 'i.seq'])
    .where('a.done_at', 'is', null)
    .where('a.due', 'is not', null)
    .where('a.due', '<=', until.toISOString().slice(0, 10))
    .where('i.state', '!=', 'closed')
    .orderBy('a.due')
    .limit(waitingLimit)
    .execute();
  return rows.map((r) => ({
    incidentId: r.incident_id,
    ref: incidentRef(r.seq),
    actionId: r.id,
    what: r.what,
    who: r.who,
    due: r.due ?? today,
    overdue: (r.due ?? today) < today,
  }));
}
