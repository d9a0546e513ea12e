/**
 * Who may see which incident (row level). The route table decides which roles may call
 * an incident route at all (`viewIncidents`: DSL and teachers; `manageIncidents`: DSL);
 * this file decides, for a teacher, which incidents.
 *
 * - Nobody confined to a school sees another school's incident (core/tenancy.ts).
 * - The DSL (role `dsl`, deputies included) sees every incident of their school (trust-level: every school).
 * - A teacher sees the incidents they raised; those from a room they were supervising
 *   (a supervised session, issue 5) when it happened; and those they were given access
 *   to: a pupil's report from a room whose live view they had open when the pupil asked
 *   for help (features/tell). Evidence stays hidden from teachers until
 *   the DSL shares it.
 * - Technicians and admins who are not the DSL see none (their role lacks the permission).
 *
 * `teacherCanSee` answers for one incident and `teacherVisibleIds` filters lists: keep
 * the two in step when the rule changes.
 */
import type { ExpressionBuilder } from 'kysely';
import type { SessionUser } from '../../core/identity.js';
import { inSchool } from '../../core/tenancy.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { supervisorsAt } from '../supervision/index.js';

export interface IncidentRowForAccess {
  id: string;
  created_by: string | null;
  room_id: string | null;
  occurred_at: string;
  school_id: number | null;
}

export const isDsl = (user: SessionUser) => user.role === 'dsl';

export async function teacherCanSee(
  db: Db,
  incident: IncidentRowForAccess,
  user: SessionUser,
): Promise<boolean> {
  if (user.role !== 'teacher') return false;
  if (incident.created_by === user.id) return true;
  const grant = await db
    .selectFrom('incident_access')
    .select('user_id')
    .where('incident_id', '=', incident.id)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (grant) return true;
  if (!incident.room_id) return false;
  return (await supervisorsAt(db, incident.room_id, incident.occurred_at)).includes(user.id);
}

/** A WHERE clause for lists: the incidents a teacher may see. */
export function teacherVisibleIds(user: SessionUser) {
  return (eb: ExpressionBuilder<Database, 'incidents'>) =>
    eb.or([
      eb('incidents.created_by', '=', user.id),
      eb(
        'incidents.id',
        'in',
        eb
          .selectFrom('incident_access')
          .select('incident_access.incident_id')
          .where('incident_access.user_id', '=', user.id),
      ),
      // Supervised at the time: the same rule as supervisorsAt (features/supervision), as a
      // subquery so that a list is one query.
      eb.exists(
        eb
          .selectFrom('supervision_sessions as s')
          .select('s.id')
          .whereRef('s.room_id', '=', 'incidents.room_id')
          .where('s.teacher_id', '=', user.id)
          .whereRef('s.started_at', '<=', 'incidents.occurred_at')
          .whereRef('s.ends_at', '>=', 'incidents.occurred_at')
          .where((w) =>
            w.or([w('s.ended_at', 'is', null), w('s.ended_at', '>=', w.ref('incidents.occurred_at'))]),
          ),
      ),
    ]);
}

export async function canSeeIncident(
  db: Db,
  incident: IncidentRowForAccess,
  user: SessionUser,
): Promise<boolean> {
  // Another school's incident is not there for this viewer, whatever their role (core/tenancy.ts).
  if (!inSchool(user, incident.school_id)) return false;
  if (isDsl(user)) return true;
  return teacherCanSee(db, incident, user);
}

/** Gives a teacher access to one incident (e.g. they were supervising the room). Idempotent. */
export async function grantIncidentAccess(
  db: Db,
  incidentId: string,
  userId: string,
  reason: string,
): Promise<void> {
  await db
    .insertInto('incident_access')
    .values({ incident_id: incidentId, user_id: userId, reason, granted_at: new Date().toISOString() })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The members of staff given access to one incident. */
export async function accessGrantees(db: Db, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_access')
    .select('user_id')
    .where('incident_id', '=', incidentId)
    .execute();
  return rows.map((r) => r.user_id);
}
