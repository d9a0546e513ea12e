/**
 * What the DSL reports from the log: the CSV log, a pupil's chronology, the termly
 * governors' report (anonymised counts only) and a subject-access export.
 */
import {
  incidentOutcomeLabels,
  incidentStateLabels,
  yearGroups,
  type Chronology,
  type GovernorsReport,
  type IncidentOutcome,
} from '@harbour/shared';
import { stringify } from 'csv-stringify/sync';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { SessionUser } from '../../core/identity.js';
import { changeTrackerOf } from '../../db/change-tracker.js';
import type { Db } from '../../db/database.js';
import { audit, entriesAbout } from '../../core/audit.js';
import { userNames } from '../accounts/index.js';
import { sessionsOf } from '../devices/index.js';
import { pupilsByKey } from '../roster/index.js';
import { HarbourError } from '../../core/errors.js';
import { schoolExists } from '../../core/schools.js';
import { incidentRef, pupilKey, subjectKey } from './incidents.js';
import { categories } from './settings.js';

/**
 * Spreadsheet programs run cells that start with = + - @ (and tab/CR) as formulas.
 * Such cells get a leading apostrophe so hostile text stays text (OWASP CSV injection).
 */
export const csvSafe = (value: string | null | undefined): string => {
  const text = value ?? '';
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

export async function incidentLogCsv(db: Db, actor: SessionUser): Promise<string> {
  const labels = new Map((await categories(db)).map((c) => [c.id, c.label]));
  const rows = await db
    .selectFrom('incidents')
    .$if(actor.schoolId !== null, (q) => q.where('incidents.school_id', '=', actor.schoolId ?? -1))
    .leftJoin('users as a', 'a.id', 'incidents.assigned_to')
    .select([
      'incidents.seq',
      'incidents.id',
      'incidents.source',
      'incidents.category',
      'incidents.state',
      'incidents.outcome',
      'incidents.occurred_at',
      'incidents.created_at',
      'incidents.subject_name',
      'incidents.subject_username',
      'incidents.subject_year_group',
      'incidents.room_name',
      'incidents.device_name',
      'incidents.device_serial',
      'incidents.summary',
      'a.display_name as assigned',
    ])
    .orderBy('incidents.created_at', 'desc')
    .execute();
  const header = [
    'Reference',
    'Id',
    'Source',
    'Category',
    'State',
    'Outcome',
    'Occurred',
    'Recorded',
    'Pupil',
    'Username',
    'Year group',
    'Room',
    'Device',
    'Serial',
    'Summary',
    'Assigned to',
  ];
  const body = rows.map((r) =>
    [
      incidentRef(r.seq),
      r.id,
      r.source,
      labels.get(r.category) ?? r.category,
      incidentStateLabels[r.state],
      r.outcome ? (incidentOutcomeLabels[r.outcome as IncidentOutcome] ?? r.outcome) : '',
      r.occurred_at,
      r.created_at,
      r.subject_name,
      r.subject_username,
      r.subject_year_group,
      r.room_name,
      r.device_name,
      r.device_serial,
      r.summary,
      r.assigned,
    ].map(csvSafe),
  );
  await audit(db, { actor: actor.id, action: 'incident.export_csv', detail: { rows: rows.length } });
  return stringify([header, ...body]);
}

/** Which records are one pupil's (a chronology's or a subject access export's). */
interface Subject {
  /** Keys filed under in any school the viewer reads: the pupil's id (or the key, no pupil). */
  keys: string[];
  /** Their logins: filed under one, a record is theirs only in their school. */
  logins: string[];
  /** The pupil's school (null: no pupil on the roster). */
  school: number | null;
  /** The one school read: a school's staff's own, or the one a trust-level DSL named; null: all. */
  scope: number | null;
}

/**
 * The pupil a key names: a pupil on the roster (by id or any of their logins) is one person,
 * whichever login a record was made with; anyone else is their key. A login is one pupil's
 * within a school (migration 0019), so a record filed under a login (one made before the
 * roster knew it) is the pupil's only when it is of their school: the same login at another
 * school is another child. Asked by a login that pupils of several schools have, with no
 * school named (trust-level staff), it is refused: which child is asked, never both merged.
 */
async function subjectOf(db: Db, key: string, actor: SessionUser, school?: number): Promise<Subject> {
  // The school named is checked before anything is read or audited, as the roster import's
  // `?school=` is (a query names the school, so an unknown one is bad input, 400; the settings'
  // `/schools/:id/` path answers 404): a school's staff naming another school are refused (403,
  // never quietly given their own school's answer), and trust-level staff naming a school that
  // does not exist are told so rather than given an empty chronology that reads as "nothing".
  if (school !== undefined) {
    if (actor.schoolId !== null && school !== actor.schoolId)
      throw new HarbourError('forbidden', 'You can only read your own school’s pupils’ records (school).');
    if (actor.schoolId === null && !(await schoolExists(db, school)))
      throw new HarbourError('validation_failed', `school: there is no school ${school}.`);
  }
  const scope = actor.schoolId ?? school ?? null;
  const pupils = key ? await pupilsByKey(db, key, scope) : [];
  if (pupils.length > 1)
    throw new HarbourError(
      'validation_failed',
      `The login ${key} is a pupil’s at ${pupils.length} schools: name the school (school) or ask by the pupil’s id.`,
    );
  const pupil = pupils[0];
  if (!pupil) return { keys: [key], logins: [], school: null, scope };
  return {
    keys: [pupilKey(pupil.id)],
    logins: [...new Set([key, ...pupil.logins])],
    school: pupil.schoolId,
    scope,
  };
}

/** The records filed under the subject: `key` and `school` name the columns of the row tested. */
function filedUnder(subject: Subject, key: string, school: string): RawBuilder<SqlBool> {
  const byLogin =
    subject.logins.length > 0 && subject.school !== null
      ? sql` or (${sql.ref(key)} in (${sql.join(subject.logins)}) and ${sql.ref(school)} = ${subject.school})`
      : sql``;
  return sql<SqlBool>`(${sql.ref(key)} in (${sql.join(subject.keys)})${byLogin})`;
}

/** Everything that happened to one pupil across all incidents (as subject or as someone involved), in date order. */
export async function chronology(
  db: Db,
  pupil: string,
  actor: SessionUser,
  school?: number,
): Promise<Chronology> {
  const key = subjectKey(pupil) ?? '';
  const subject = await subjectOf(db, key, actor, school);
  const { scope } = subject;
  const asSubject = await db
    .selectFrom('incidents')
    .selectAll()
    .where(filedUnder(subject, 'incidents.subject_key', 'incidents.school_id'))
    .$if(scope !== null, (q) => q.where('school_id', '=', scope ?? -1))
    .execute();
  const involved = await db
    .selectFrom('incident_people')
    .innerJoin('incidents', 'incidents.id', 'incident_people.incident_id')
    .$if(scope !== null, (q) => q.where('incidents.school_id', '=', scope ?? -1))
    .select([
      'incidents.id',
      'incidents.seq',
      'incidents.occurred_at',
      'incidents.summary',
      'incident_people.role',
    ])
    .where(filedUnder(subject, 'incident_people.subject_key', 'incidents.school_id'))
    .execute();
  const ids = [...asSubject.map((r) => r.id), ...involved.map((r) => r.id)];
  const refs = new Map([...asSubject, ...involved].map((r) => [r.id, incidentRef(r.seq)]));
  const entries: Chronology['entries'] = [];
  for (const r of asSubject) {
    entries.push({
      incidentId: r.id,
      ref: incidentRef(r.seq),
      at: r.occurred_at,
      kind: 'incident',
      text: r.summary,
      involvement: 'subject',
    });
  }
  for (const r of involved) {
    entries.push({
      incidentId: r.id,
      ref: incidentRef(r.seq),
      at: r.occurred_at,
      kind: 'incident',
      text: `${r.summary} (${r.role})`,
      involvement: 'involved',
    });
  }
  if (ids.length > 0) {
    const trail = await entriesAbout(db, ids, {
      actions: [
        'incident.state',
        'incident.escalate',
        'incident.action_add',
        'incident.action_update',
        'incident.note',
        'incident.reopen',
      ],
    });
    const subjectIds = new Set(asSubject.map((r) => r.id));
    // The chronology tells what was done, not only that something was: notes, actions with
    // who and when, outcomes, and the note given with a change of state.
    const actionText = new Map<string, string>();
    for (const t of trail) {
      if (t.action !== 'incident.action_add') continue;
      const d = t.detail ? (JSON.parse(t.detail) as Record<string, unknown>) : {};
      if (typeof d.actionId === 'string') actionText.set(d.actionId, String(d.what));
    }
    const names = await userNames(
      db,
      trail.map((t) => t.actor),
    );
    for (const t of trail) {
      const detail = t.detail ? (JSON.parse(t.detail) as Record<string, unknown>) : {};
      const by = names.get(t.actor);
      const note = typeof detail.note === 'string' && detail.note !== '' ? ` — ${detail.note}` : '';
      const text =
        t.action === 'incident.state'
          ? `State: ${String(detail.to)}${typeof detail.outcome === 'string' ? ` (${detail.outcome})` : ''}${note}`
          : t.action === 'incident.escalate'
            ? `Escalated: ${String(detail.route)}${note}`
            : t.action === 'incident.action_add'
              ? `Action: ${String(detail.what)} (${String(detail.who)}${typeof detail.due === 'string' ? `, due ${detail.due}` : ''})`
              : t.action === 'incident.action_update'
                ? `Action ${detail.done ? 'done' : 'reopened'}: ${actionText.get(String(detail.actionId)) ?? ''}${
                    typeof detail.outcome === 'string' && detail.outcome !== '' ? ` — ${detail.outcome}` : ''
                  }`
                : t.action === 'incident.reopen'
                  ? `Reopened: ${String(detail.reason)}`
                  : `Note: ${String(detail.text)}`;
      const withBy = by ? `${text} · ${by}` : text;
      const id = t.subject ?? '';
      entries.push({
        incidentId: id,
        ref: refs.get(id) ?? '',
        at: t.at,
        kind: t.action.replace('incident.', ''),
        text: withBy,
        involvement: subjectIds.has(id) ? 'subject' : 'involved',
      });
    }
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  await audit(db, {
    actor: actor.id,
    action: 'pupil.chronology_view',
    detail: { pupil: key, school: subject.school },
  });
  return { pupil: key, entries };
}

/** The current term's default window: the last four months. */
function defaultWindow(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to);
  from.setUTCMonth(from.getUTCMonth() - 4);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

interface TermCounts {
  rows: {
    category: string;
    subject_year_group: string;
    source: string;
    outcome_key: string;
    month: string;
    n: number;
  }[];
  /** Incidents in the span of the same length just before. */
  previous: number;
}

/** Each database's recent terms' counts, kept until an incident is written (db/change-tracker.ts). */
const countsCache = new WeakMap<object, Map<string, { version: string; counts: TermCounts }>>();

/**
 * A term's incidents counted by category, year group, source, outcome and month, and the
 * previous span's total. Counted in SQL, grouped (from the covering index incidents_occurred):
 * a term of a large school is tens of thousands of incidents, and reading each into
 * JavaScript to count it was most of this report's time. Even so, grouping a third of a
 * year's incidents takes tens of milliseconds at 100,000 a year (docs/benchmarks.md), and
 * the counts change only when an incident does, so they are kept until then.
 */
async function termCounts(db: Db, from: string, end: string, schoolId: number | null): Promise<TermCounts> {
  const tracker = changeTrackerOf(db);
  const version = tracker?.version('incidents');
  // Each school's counts are its own (core/tenancy.ts); trust-level staff count every school.
  const key = `${from}|${end}|${schoolId ?? 'all'}`;
  const ofSchool = <Q extends { where: (...a: never[]) => unknown }>(q: Q): Q =>
    schoolId === null
      ? q
      : (q as unknown as { where: (c: string, o: string, v: number) => Q }).where('school_id', '=', schoolId);
  const cache = countsCache.get(db) ?? new Map<string, { version: string; counts: TermCounts }>();
  countsCache.set(db, cache);
  const kept = cache.get(key);
  if (version !== undefined && kept?.version === version) return kept.counts;
  const rows = await ofSchool(db.selectFrom('incidents'))
    .select((eb) => [
      'category',
      'subject_year_group',
      'source',
      sql<string>`case when state = 'closed' then coalesce(outcome, 'unknown') else 'open' end`.as(
        'outcome_key',
      ),
      sql<string>`substr(occurred_at, 1, 7)`.as('month'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('occurred_at', '>=', `${from}T00:00:00.000Z`)
    .where('occurred_at', '<=', end)
    .groupBy(['category', 'subject_year_group', 'source', 'outcome_key', 'month'])
    .execute();
  const span = new Date(end).getTime() - new Date(`${from}T00:00:00.000Z`).getTime();
  const prevFrom = new Date(new Date(`${from}T00:00:00.000Z`).getTime() - span).toISOString();
  const previous = await ofSchool(db.selectFrom('incidents'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('occurred_at', '>=', prevFrom)
    .where('occurred_at', '<', `${from}T00:00:00.000Z`)
    .executeTakeFirst();
  const counts: TermCounts = {
    rows: rows.map((r) => ({ ...r, n: Number(r.n) })),
    previous: Number(previous?.n ?? 0),
  };
  if (version !== undefined) {
    // A handful of terms at most are asked for; keep the newest few.
    if (cache.size >= 8) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, { version, counts });
  }
  return counts;
}

/** Anonymised counts for governors: no names, usernames, devices or free text. */
export async function governorsReport(
  db: Db,
  range: { from?: string | undefined; to?: string | undefined },
  actor: SessionUser,
): Promise<GovernorsReport> {
  const window = defaultWindow();
  const from = range.from ?? window.from;
  const to = range.to ?? window.to;
  const end = `${to}T23:59:59.999Z`;
  const { rows, previous } = await termCounts(db, from, end, actor.schoolId);
  const labels = new Map((await categories(db)).map((c) => [c.id, c.label]));
  const count = (
    keyOf: (r: (typeof rows)[number]) => string,
    labelOf: (k: string) => string,
    order?: readonly string[],
  ) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + Number(r.n));
    const keys = order
      ? order.filter((k) => m.has(k))
      : [...m.keys()].sort((a, b) => (m.get(b) ?? 0) - (m.get(a) ?? 0));
    return keys.map((key) => ({ key, label: labelOf(key), count: m.get(key) ?? 0 }));
  };
  const months = new Map<string, number>();
  for (
    let d = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
    d <= new Date(end);
    d.setUTCMonth(d.getUTCMonth() + 1)
  ) {
    months.set(d.toISOString().slice(0, 7), 0);
  }
  for (const r of rows) months.set(r.month, (months.get(r.month) ?? 0) + Number(r.n));
  await audit(db, { actor: actor.id, action: 'report.governors', detail: { from, to } });
  return {
    from,
    to,
    total: rows.reduce((n, r) => n + Number(r.n), 0),
    previousTotal: previous,
    byCategory: count(
      (r) => r.category,
      (k) => labels.get(k) ?? k,
    ),
    byYearGroup: count(
      (r) => r.subject_year_group,
      (k) => (k === 'unknown' ? 'Not recorded' : k === 'staff' ? 'Staff' : k),
      yearGroups,
    ),
    byOutcome: count(
      (r) => r.outcome_key,
      (k) => (k === 'open' ? 'Still open' : (incidentOutcomeLabels[k as IncidentOutcome] ?? k)),
    ),
    bySource: count(
      (r) => r.source,
      (k) => ({ report: 'Pupil reports', flag: 'Monitoring flags', manual: 'Recorded by staff' })[k] ?? k,
    ),
    byMonth: [...months.entries()].sort().map(([month, n]) => ({ month, count: n })),
  };
}

/**
 * Subject access: everything Harbour holds about one pupil — incidents (as subject or
 * involved), their histories, device sessions under their account, and the hashes of
 * the evidence (the files themselves are released separately, after the DSL's review).
 */
export async function subjectAccessExport(
  db: Db,
  pupil: string,
  actor: SessionUser,
  school?: number,
): Promise<Record<string, unknown>> {
  const key = subjectKey(pupil) ?? '';
  const subject = await subjectOf(db, key, actor, school);
  const { scope } = subject;
  const inViewersSchool = (q: ReturnType<typeof db.selectFrom<'incidents'>>) =>
    scope === null ? q : q.where('incidents.school_id', '=', scope);
  const incidents = await inViewersSchool(db.selectFrom('incidents'))
    .selectAll()
    .where(filedUnder(subject, 'incidents.subject_key', 'incidents.school_id'))
    .execute();
  const involvedIn = (
    await db
      .selectFrom('incident_people')
      .innerJoin('incidents', 'incidents.id', 'incident_people.incident_id')
      .selectAll('incident_people')
      .select('incidents.school_id as incident_school')
      // Only their school's records say a pupil was involved (core/tenancy.ts).
      .$if(scope !== null, (q) => q.where('incidents.school_id', '=', scope ?? -1))
      .where(filedUnder(subject, 'incident_people.subject_key', 'incidents.school_id'))
      .execute()
  ).map(({ incident_school: _school, ...person }) => person);
  const ids = [...new Set([...incidents.map((i) => i.id), ...involvedIn.map((p) => p.incident_id)])];
  const nonEmpty = ids.length > 0 ? ids : [''];
  const [evidence, actions, escalations, trail, sessions] = await Promise.all([
    db
      .selectFrom('incident_evidence')
      .select(['incident_id', 'sha256', 'mime', 'bytes', 'kind', 'label', 'added_at', 'suspected_illegal_at'])
      .where('incident_id', 'in', nonEmpty)
      .execute(),
    db.selectFrom('incident_actions').selectAll().where('incident_id', 'in', nonEmpty).execute(),
    db.selectFrom('incident_escalations').selectAll().where('incident_id', 'in', nonEmpty).execute(),
    entriesAbout(db, nonEmpty, { ordered: true }),
    // Sessions on the computers of the pupil's school (or the school read): another
    // school's computers signed in with the same login were another child's.
    sessionsOf(db, key, subject.school ?? scope),
  ]);
  await audit(db, {
    actor: actor.id,
    action: 'pupil.subject_access_export',
    detail: { pupil: key, school: subject.school, incidents: ids.length },
  });
  return {
    format: 'harbour-subject-access/1',
    pupil: key,
    exportedAt: new Date().toISOString(),
    exportedBy: actor.displayName,
    incidents: incidents.map((i) => ({
      ...i,
      ref: incidentRef(i.seq),
      details: JSON.parse(i.details) as unknown,
      window: i.window ? (JSON.parse(i.window) as unknown) : null,
    })),
    involvedIn,
    evidence,
    actions,
    escalations,
    history: trail.map((t) => ({ ...t, detail: t.detail ? (JSON.parse(t.detail) as unknown) : null })),
    deviceSessions: sessions,
  };
}
