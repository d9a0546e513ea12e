/**
 * Who may see which incident (row level). The route table decides which roles may call
 * an incident route at all (`viewIncidents`: DSL and teachers; `manageIncidents`: DSL);
 * this file decides, for a teacher, which incidents.
 *
 * - The DSL (role `dsl`, deputies included) sees every incident.
 * - A teacher sees the incidents they raised, and those they were given access to:
 *   today that is a pupil's report from a room whose live view they had open when the
 *   pupil asked for help (they were the adult supervising it; see services/tell.ts), or
 *   an explicit grant. Evidence stays hidden from teachers until the DSL shares it.
 * - Technicians and admins who are not the DSL see none (their role lacks the permission).
 *
 * HOOK for supervision (issue 5): when supervision sessions exist, extend
 * `teacherCanSee` and `teacherVisibleIds` with "the incident's room was supervised by
 * this teacher at the incident's time". Keep both in step: one answers for a single
 * incident, the other filters lists.
 */
import type { ExpressionBuilder } from 'kysely';
import type { SessionUser } from '../auth/sessions.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

export interface IncidentRowForAccess {
  id: string;
  created_by: string | null;
  room_id: string | null;
  occurred_at: string;
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
  return grant !== undefined;
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
    ]);
}

export async function canSeeIncident(
  db: Db,
  incident: IncidentRowForAccess,
  user: SessionUser,
): Promise<boolean> {
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
