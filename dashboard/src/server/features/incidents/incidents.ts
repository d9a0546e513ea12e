/**
 * Incident records: creating them (from a pupil's report, a watch-list flag or by hand)
 * and reading them as each viewer may see them. Changes live in incident-workflow.ts.
 *
 * Nothing is overwritten: the `incidents` row is a projection of the record's current
 * state, and every change to it is appended to the hash-chained audit trail (subject =
 * the incident's id) in the same transaction. The incident's history is that trail.
 */
import { randomUUID } from 'node:crypto';
import {
  incidentDetailsSchema,
  type ActiveWindow,
  type EvidenceRef,
  type Incident,
  type IncidentDetails,
  type IncidentEvidence,
  type IncidentSource,
  type IncidentSubject,
  type IncidentSummary,
} from '@harbour/shared';
import { sql, type Selectable } from 'kysely';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { lockNumberedAppends } from '../../db/portable.js';
import type { IncidentsTable } from '../../db/schema.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { audit, entriesAbout } from '../../core/audit.js';
import { longestServingDsl, userNames } from '../accounts/index.js';
import { deviceWithRoom } from '../devices/index.js';
import { personOf } from '../roster/index.js';
import { receivedEvidence } from '../evidence/index.js';
import { canSeeIncident, isDsl, teacherVisibleIds } from './access.js';
import { receiptOf } from './concerns.js';

export type IncidentRow = Selectable<IncidentsTable>;

export interface NewIncident {
  source: IncidentSource;
  category: string;
  summary: string;
  occurredAt: string;
  /** The member of staff who recorded it; null for reports and flags. */
  createdBy: string | null;
  /** Who the trail names as the author: a user id, `device:<id>` or `system`. */
  actor: string;
  deviceId?: string | null;
  subject?: Partial<IncidentSubject>;
  details?: Partial<IncidentDetails>;
  window?: ActiveWindow | null;
  pupilChoice?: string | null;
  tellId?: string | null;
  sourceRef?: string | null;
  evidence?: (EvidenceRef & { kind?: 'screenshot' | 'attachment'; label?: string | null })[];
  /**
   * The recorder's school (core/tenancy.ts): null for trust-level staff, undefined for reports
   * and flags (the device's room names the school). A recorder confined to a school cannot name
   * another school's device; without a device the incident is their school's.
   */
  recorderSchoolId?: number | null;
}

/**
 * The school an incident is about, stored once at creation: the device's room's, else the
 * recorder's, else the pupil's on the roster, else the trust's only school (an install of one
 * school); null (trust-level staff only) when none of these names one.
 */
async function schoolForIncident(
  db: Db,
  deviceSchool: number | null,
  recorderSchool: number | null | undefined,
  pupilId: string | null,
): Promise<number | null> {
  if (deviceSchool !== null) return deviceSchool;
  if (recorderSchool !== null && recorderSchool !== undefined) return recorderSchool;
  if (pupilId) {
    const pupil = await db
      .selectFrom('roster_pupils')
      .select('school_id')
      .where('id', '=', pupilId)
      .executeTakeFirst();
    if (pupil?.school_id !== null && pupil?.school_id !== undefined) return pupil.school_id;
  }
  const schools = await db.selectFrom('schools').select('id').limit(2).execute();
  return schools.length === 1 ? (schools[0]?.id ?? null) : null;
}

export const subjectKey = (username: string | null | undefined, name?: string | null) => {
  const key = (username ?? name ?? '').trim().toLowerCase();
  return key === '' ? null : key;
};

/** The chronology key of a pupil on the roster. */
export const pupilKey = (pupilId: string) => `pupil:${pupilId}`;

export { incidentRef } from './ref.js';
import { incidentRef } from './ref.js';

/**
 * Records a new incident. Call inside a transaction with whatever caused it (an agent
 * event, a flag), so the incident exists exactly once (without one it opens its own).
 * Its number is the highest so far plus one, read under db/portable.ts's lock, so two
 * reports at once never share a reference. Returns the row it stored.
 */
export async function createIncident(db: Db, input: NewIncident): Promise<IncidentRow> {
  if (!db.isTransaction) return db.transaction().execute((trx) => createIncident(trx, input));
  const id = randomUUID();
  const now = new Date().toISOString();
  await lockNumberedAppends(db);
  const last = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  let device: {
    name: string;
    serial: string | null;
    roomId: string;
    roomName: string;
    schoolId: number;
  } | null = null;
  if (input.deviceId) {
    const found = await deviceWithRoom(db, input.deviceId);
    // Another school's device reads as one that is not enrolled (core/tenancy.ts).
    const otherSchool =
      found && typeof input.recorderSchoolId === 'number' && found.schoolId !== input.recorderSchoolId;
    if (!found || otherSchool) throw new HarbourError('validation_failed', 'That device is not enrolled.');
    device = found;
  }
  const subject = input.subject ?? {};
  // A login on the school's roster is a person: their name and year group unless the record
  // says otherwise, and their id as the key of their one chronology whatever login they used.
  // The school is the computer's (a login is one pupil's within a school), else the recorder's;
  // with neither, only a login one pupil in the trust has names anyone.
  const loginSchool =
    device?.schoolId ?? (typeof input.recorderSchoolId === 'number' ? input.recorderSchoolId : null);
  const person = subject.username ? await personOf(db, subject.username, loginSchool) : null;
  const pupil = person?.known ? person : null;
  const details = incidentDetailsSchema.parse(input.details ?? {});
  const row: IncidentRow = {
    id,
    seq,
    source: input.source,
    category: input.category,
    state: 'new',
    outcome: null,
    summary: input.summary,
    created_at: now,
    occurred_at: input.occurredAt,
    created_by: input.createdBy,
    assigned_to: await longestServingDsl(db),
    device_id: input.deviceId ?? null,
    device_name: device?.name ?? null,
    device_serial: device?.serial ?? null,
    room_id: device?.roomId ?? null,
    room_name: device?.roomName ?? null,
    subject_username: subject.username ?? null,
    subject_key: pupil?.pupilId ? pupilKey(pupil.pupilId) : subjectKey(subject.username, subject.name),
    subject_name: subject.name ?? pupil?.name ?? null,
    subject_year_group:
      subject.yearGroup && subject.yearGroup !== 'unknown'
        ? subject.yearGroup
        : (pupil?.yearGroup ?? 'unknown'),
    subject_pupil_id: pupil?.pupilId ?? null,
    subject_class: pupil?.className ?? null,
    subject_dob: subject.dateOfBirth ?? null,
    subject_sex: subject.sex ?? 'not_recorded',
    details: JSON.stringify(details),
    window: input.window ? JSON.stringify(input.window) : null,
    pupil_choice: input.pupilChoice ?? null,
    tell_id: input.tellId ?? null,
    tell_status: input.tellId ? 'covered' : null,
    tell_acknowledged_by: null,
    evidence_shared_at: null,
    closed_at: null,
    source_ref: input.sourceRef ?? null,
    school_id: await schoolForIncident(
      db,
      device?.schoolId ?? null,
      input.recorderSchoolId,
      pupil?.pupilId ?? null,
    ),
  };
  await db.insertInto('incidents').values(row).execute();
  for (const e of input.evidence ?? []) {
    await db
      .insertInto('incident_evidence')
      .values({
        incident_id: id,
        sha256: e.sha256,
        kind: e.kind ?? 'screenshot',
        mime: e.mime,
        bytes: e.bytes,
        label: e.label ?? null,
        added_at: now,
        added_by: input.actor,
        suspected_illegal_at: null,
        suspected_illegal_by: null,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  await audit(db, {
    actor: input.actor,
    action: 'incident.create',
    subject: id,
    detail: {
      ref: incidentRef(seq),
      source: input.source,
      category: input.category,
      summary: input.summary,
      subject,
      details: input.details ?? {},
      deviceId: input.deviceId ?? null,
      evidence: (input.evidence ?? []).map((e) => e.sha256),
      sourceRef: input.sourceRef ?? null,
    },
  });
  return row;
}

/**
 * For watch-list flags (issue 4): records a flag as an incident (source "flag").
 * Call it inside the transaction that stores the flag, so each flag makes one incident;
 * the same `flagId` given twice returns the first incident. After the transaction
 * commits, call the notifier's `created(row)` to alert the DSL.
 */
export async function createIncidentFromFlag(
  db: Db,
  flag: {
    flagId: string;
    deviceId: string;
    occurredAt: string;
    /** The OS account signed in, as `DOMAIN\user` or `user`. */
    username: string | null;
    /** What matched, in words staff can read, e.g. "Search for a watch-list term: …". */
    summary: string;
    category?: string;
    window?: ActiveWindow | null;
    evidence?: EvidenceRef[];
  },
): Promise<IncidentRow> {
  const existing = await db
    .selectFrom('incidents')
    .selectAll()
    .where('source', '=', 'flag')
    .where('source_ref', '=', flag.flagId)
    .executeTakeFirst();
  if (existing) return existing;
  return createIncident(db, {
    source: 'flag',
    category: flag.category ?? 'unsorted',
    summary: flag.summary,
    occurredAt: flag.occurredAt,
    createdBy: null,
    actor: `device:${flag.deviceId}`,
    deviceId: flag.deviceId,
    subject: { username: flag.username },
    window: flag.window ?? null,
    sourceRef: flag.flagId,
    evidence: flag.evidence ?? [],
  });
}

// ---- reading ------------------------------------------------------------------

async function evidenceOf(db: Db, incidentIds: string[]) {
  const map = new Map<string, IncidentEvidence[]>();
  if (incidentIds.length === 0) return map;
  const rows = await db
    .selectFrom('incident_evidence')
    .selectAll()
    .where('incident_id', 'in', incidentIds)
    .orderBy('added_at')
    .execute();
  const received = await receivedEvidence(db, [...new Set(rows.map((r) => r.sha256))]);
  for (const row of rows) {
    const list = map.get(row.incident_id) ?? [];
    list.push({
      sha256: row.sha256,
      mime: row.mime,
      bytes: row.bytes,
      kind: row.kind,
      label: row.label,
      addedAt: row.added_at,
      suspectedIllegal: row.suspected_illegal_at !== null,
      received: received.has(row.sha256),
    });
    map.set(row.incident_id, list);
  }
  return map;
}

/** Whether this viewer may see the incident's evidence (the DSL; teachers once it's shared). */
export const mayViewEvidence = (row: IncidentRow, viewer: SessionUser | null) =>
  viewer === null || isDsl(viewer) || row.evidence_shared_at !== null;

const parseJson = <T>(text: string | null, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);

export async function toSummaries(
  db: Db,
  rows: IncidentRow[],
  viewer: SessionUser | null,
): Promise<IncidentSummary[]> {
  const names = await userNames(
    db,
    rows.flatMap((r) => [r.created_by, r.assigned_to]),
  );
  const evidence = await evidenceOf(
    db,
    rows.map((r) => r.id),
  );
  const person = (id: string | null) => (id ? { id, name: names.get(id) ?? 'Unknown' } : null);
  return rows.map((r) => {
    const all = evidence.get(r.id) ?? [];
    const visible = mayViewEvidence(r, viewer);
    return {
      id: r.id,
      ref: incidentRef(r.seq),
      source: r.source,
      category: r.category,
      state: r.state,
      outcome: (r.outcome as IncidentSummary['outcome']) ?? null,
      createdAt: r.created_at,
      occurredAt: r.occurred_at,
      deviceId: r.device_id,
      deviceName: r.device_name,
      deviceSerial: r.device_serial,
      roomId: r.room_id,
      roomName: r.room_name,
      schoolId: r.school_id,
      subject: {
        username: r.subject_username,
        name: r.subject_name,
        yearGroup: r.subject_year_group as IncidentSubject['yearGroup'],
        pupilId: r.subject_pupil_id ?? null,
        className: r.subject_class ?? null,
        dateOfBirth: r.subject_dob,
        sex: r.subject_sex as IncidentSubject['sex'],
      },
      summary: r.summary,
      assignedTo: person(r.assigned_to),
      createdBy: person(r.created_by),
      tellStatus: r.tell_status,
      evidence: visible ? all : [],
      evidenceWithheld: visible ? 0 : all.length,
    };
  });
}

/** Lists the incidents a viewer may see, newest first, with how many match in all. */
export async function listIncidents(
  db: Db,
  viewer: SessionUser,
  filter: {
    state?: string | undefined;
    category?: string | undefined;
    pupil?: string | undefined;
    pupilId?: string | undefined;
    className?: string | undefined;
    assignee?: string | undefined;
    due?: 'overdue' | 'week' | undefined;
    today?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    q?: string | undefined;
    school?: number | undefined;
    limit: number;
  },
): Promise<{ incidents: IncidentSummary[]; total: number; classes: string[] }> {
  // The viewer's rule comes first and every filter narrows it: no filter can widen what a
  // teacher may see, whatever ids they put in the address.
  let visible = db.selectFrom('incidents');
  // A school's staff see their school's only (core/tenancy.ts); trust-level staff may narrow to one.
  if (viewer.schoolId !== null) visible = visible.where('incidents.school_id', '=', viewer.schoolId);
  else if (filter.school !== undefined) visible = visible.where('incidents.school_id', '=', filter.school);
  if (!isDsl(viewer)) visible = visible.where(teacherVisibleIds(viewer));
  let q = visible;
  if (filter.state) q = q.where('state', '=', filter.state as IncidentRow['state']);
  if (filter.category) q = q.where('category', '=', filter.category);
  if (filter.pupil) q = q.where('subject_key', '=', filter.pupil.trim().toLowerCase());
  if (filter.pupilId) q = q.where('subject_pupil_id', '=', filter.pupilId);
  if (filter.className) q = q.where('subject_class', '=', filter.className);
  if (filter.assignee === 'nobody') q = q.where('assigned_to', 'is', null);
  else if (filter.assignee) q = q.where('assigned_to', '=', filter.assignee);
  // Whole days, as the governors' report counts them (UTC days, the times stored).
  if (filter.from) q = q.where('occurred_at', '>=', `${filter.from}T00:00:00.000Z`);
  if (filter.to) q = q.where('occurred_at', '<=', `${filter.to}T23:59:59.999Z`);
  if (filter.due) {
    const today = filter.today ?? new Date().toISOString().slice(0, 10);
    const until = new Date(`${today}T00:00:00Z`);
    until.setUTCDate(until.getUTCDate() + (filter.due === 'week' ? 7 : -1));
    const by = until.toISOString().slice(0, 10);
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('incident_actions as a')
          .select('a.id')
          .whereRef('a.incident_id', '=', 'incidents.id')
          .where('a.done_at', 'is', null)
          .where('a.due', 'is not', null)
          .where('a.due', '<=', by),
      ),
    );
  }
  const words = filter.q?.trim().toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  for (const word of words.slice(0, 8)) {
    // LIKE with the wildcards in the search escaped: "50%" finds "50%", not everything.
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const ref = /^inc-?0*(\d+)$/.exec(word);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(incidents.summary) like ${pattern} escape '\\'`,
        sql<boolean>`lower(coalesce(incidents.subject_name, '')) like ${pattern} escape '\\'`,
        sql<boolean>`lower(coalesce(incidents.subject_username, '')) like ${pattern} escape '\\'`,
        ...(ref ? [eb('incidents.seq', '=', Number(ref[1]))] : []),
      ]),
    );
  }
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('seq', 'desc')
    .limit(filter.limit)
    .execute();
  const count = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const classes = await visible
    .select('subject_class')
    .distinct()
    .where('subject_class', 'is not', null)
    .orderBy('subject_class')
    .execute();
  return {
    incidents: await toSummaries(db, rows, viewer),
    total: Number(count?.n ?? 0),
    classes: classes.map((c) => c.subject_class).filter((c): c is string => c !== null),
  };
}

/** The incident row, if this viewer may see it; a clear 404 otherwise (no hint that it exists). */
export async function visibleIncidentRow(db: Db, id: string, viewer: SessionUser): Promise<IncidentRow> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await canSeeIncident(db, row, viewer))) throw notFound('Incident');
  return row;
}

export async function loadIncident(db: Db, row: IncidentRow, viewer: SessionUser): Promise<Incident> {
  const [summary] = await toSummaries(db, [row], viewer);
  if (!summary) throw notFound('Incident');
  const actions = await db
    .selectFrom('incident_actions')
    .selectAll()
    .where('incident_id', '=', row.id)
    .orderBy('created_at')
    .execute();
  const escalations = await db
    .selectFrom('incident_escalations')
    .selectAll()
    .where('incident_id', '=', row.id)
    .orderBy('at')
    .execute();
  const people = await db
    .selectFrom('incident_people')
    .selectAll()
    .where('incident_id', '=', row.id)
    .orderBy('added_at')
    .execute();
  const links = await db
    .selectFrom('incident_links')
    .innerJoin('incidents', (j) =>
      j.on((eb) =>
        eb.or([
          eb.and([
            eb('incident_links.incident_a', '=', row.id),
            eb('incidents.id', '=', eb.ref('incident_links.incident_b')),
          ]),
          eb.and([
            eb('incident_links.incident_b', '=', row.id),
            eb('incidents.id', '=', eb.ref('incident_links.incident_a')),
          ]),
        ]),
      ),
    )
    .select([
      'incidents.id',
      'incidents.seq',
      'incidents.category',
      'incidents.state',
      'incidents.created_by',
      'incidents.room_id',
      'incidents.occurred_at',
      'incidents.school_id',
    ])
    .execute();
  const history = await entriesAbout(db, [row.id], { ordered: true });
  const manager = isDsl(viewer);
  // A teacher sees nothing of a record they may not open: linked records are listed only
  // if they may open them; and of this record's history, what happened, when and by whom,
  // with details only where they can already read them (notes, the pupil's report). The
  // DSL's escalation notes and the hashes of evidence not shared with them stay with the DSL.
  const visibleLinks = [];
  for (const l of links) {
    // canSeeIncident, not `manager`: a link to another school's incident stays hidden from a school's DSL.
    if (await canSeeIncident(db, l, viewer)) visibleLinks.push(l);
  }
  const names = await userNames(db, [
    ...actions.map((a) => a.created_by),
    ...escalations.map((e) => e.by),
    ...history.map((h) => h.actor),
  ]);
  const nameOf = (actor: string) =>
    names.get(actor) ??
    (actor.startsWith('device:') ? 'The pupil’s computer' : actor === 'system' ? 'Harbour' : actor);
  return {
    ...summary,
    details: incidentDetailsSchema.parse(parseJson(row.details, {})),
    window: parseJson(row.window, null),
    pupilChoice: row.pupil_choice,
    evidenceShared: row.evidence_shared_at !== null,
    actions: actions.map((a) => ({
      id: a.id,
      what: a.what,
      who: a.who,
      due: a.due,
      done: a.done_at !== null,
      doneAt: a.done_at,
      outcome: a.outcome,
      createdAt: a.created_at,
      createdBy: nameOf(a.created_by),
    })),
    escalations: escalations.map((e) => ({
      id: e.id,
      route: e.route as Incident['escalations'][number]['route'],
      note: manager ? e.note : null,
      at: e.at,
      by: nameOf(e.by),
    })),
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      username: p.username,
      yearGroup: p.year_group as IncidentSubject['yearGroup'],
      role: p.role,
    })),
    links: visibleLinks.map((l) => ({
      id: l.id,
      ref: incidentRef(l.seq),
      category: l.category,
      state: l.state,
    })),
    history: history.map((h) => ({
      id: h.id,
      at: h.at,
      actor: nameOf(h.actor),
      action: h.action,
      detail: manager || teacherReadableDetail.has(h.action) ? parseJson<unknown>(h.detail, null) : null,
    })),
    receipt: await receiptOf(db, row),
    canManage: isDsl(viewer),
  };
}

/** History entries whose details a teacher who may see the incident reads anyway (notes, the pupil's report). */
const teacherReadableDetail = new Set([
  'incident.note',
  'tell.acknowledge',
  'tell.release',
  'tell.pupil_said',
]);

/** Every category some incident is filed under. */
export async function usedCategories(db: Db): Promise<string[]> {
  const used = await db.selectFrom('incidents').select('category').distinct().execute();
  return used.map((u) => u.category);
}

// ---- pupils' reports (features/tell keeps a report's state in its incident) ----------

export function incidentById(db: Db, id: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A report's id is the device's: two devices may (by accident or on purpose) use the same
 * one, and neither report may be lost. The first keeps the id as it is; a later report from
 * another device is stored under `<tellId>@<deviceId>` (tell_id is unique).
 */
export const scopedTellId = (tellId: string, deviceId: string) => `${tellId}@${deviceId}`;
/** The id the device knows a report by. */
export const deviceTellId = (stored: string) => stored.split('@')[0] ?? stored;

/** The incident a pupil's report made on this device, by the report's id. */
export function incidentByTell(db: Db, tellId: string, deviceId: string): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('tell_id', 'in', [tellId, scopedTellId(tellId, deviceId)])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
}

/** Whether any device's report was stored under exactly this id. */
export async function tellIdTaken(db: Db, tellId: string): Promise<boolean> {
  const row = await db.selectFrom('incidents').select('id').where('tell_id', '=', tellId).executeTakeFirst();
  return row !== undefined;
}

/** Reports whose screen is still covered or acknowledged, that this viewer may see, oldest first. */
export function openTellIncidents(db: Db, viewer: SessionUser): Promise<IncidentRow[]> {
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .where('tell_status', 'in', ['covered', 'acknowledged'])
    .orderBy('occurred_at');
  if (viewer.schoolId !== null) q = q.where('school_id', '=', viewer.schoolId);
  if (!isDsl(viewer)) q = q.where(teacherVisibleIds(viewer));
  return q.execute();
}

/** Moves a report on; with `from`, only if it is still in that state. */
export async function setTellStatus(
  db: Db,
  id: string,
  set: Partial<Pick<IncidentRow, 'tell_status' | 'tell_acknowledged_by'>>,
  from?: IncidentRow['tell_status'],
): Promise<void> {
  let q = db.updateTable('incidents').set(set).where('id', '=', id);
  if (from) q = q.where('tell_status', '=', from);
  await q.execute();
}

/** What the pupil said on the cover page. */
export async function setPupilSaid(
  db: Db,
  id: string,
  set: Pick<IncidentRow, 'pupil_choice' | 'details'>,
): Promise<void> {
  await db.updateTable('incidents').set(set).where('id', '=', id).execute();
}
