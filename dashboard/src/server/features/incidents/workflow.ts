/**
 * Working an incident: every change updates the record's projection and appends an
 * entry to the hash-chained trail in the same transaction. A closed incident refuses
 * changes until it is reopened, and reopening is itself a recorded action with a reason.
 */
import { randomUUID } from 'node:crypto';
import {
  incidentDetailsSchema,
  type EscalationRoute,
  type IncidentDetails,
  type IncidentOutcome,
  type IncidentState,
  type IncidentSubject,
} from '@harbour/shared';
import { inSchool } from '../../core/tenancy.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { lockNumberedAppends } from '../../db/portable.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { audit } from '../../core/audit.js';
import { userStanding } from '../accounts/index.js';
import { categories } from './settings.js';
import { personOf } from '../roster/index.js';
import { pupilKey, subjectKey, type IncidentRow } from './incidents.js';

const closedMessage = 'This incident is closed. Reopen it first; reopening is recorded with your reason.';

async function openRow(db: Db, id: string, { allowClosed = false } = {}): Promise<IncidentRow> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Incident');
  if (row.state === 'closed' && !allowClosed) throw new HarbourError('conflict', closedMessage);
  return row;
}

function tx<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** The incident's row; 404 when there is none. */
export async function rowOf(db: Db, id: string): Promise<IncidentRow> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Incident');
  return row;
}

export async function stateOf(db: Db, id: string): Promise<IncidentState> {
  return (await rowOf(db, id)).state;
}

export async function checkCategory(db: Db, id: string): Promise<void> {
  const list = await categories(db);
  const found = list.find((c) => c.id === id);
  if (!found || found.retired) {
    throw new HarbourError('validation_failed', `"${id}" is not one of the school's incident categories.`, [
      { path: 'body.category', message: 'unknown category' },
    ]);
  }
}

export async function updateIncident(
  db: Db,
  id: string,
  actor: SessionUser,
  change: {
    category?: string | undefined;
    summary?: string | undefined;
    subject?: Partial<IncidentSubject> | undefined;
    details?: Partial<IncidentDetails> | undefined;
  },
): Promise<void> {
  if (change.category !== undefined) await checkCategory(db, change.category);
  await tx(db, async (trx) => {
    const row = await openRow(trx, id);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set: Partial<IncidentRow> = {};
    if (change.category !== undefined && change.category !== row.category) {
      changes.category = { from: row.category, to: change.category };
      set.category = change.category;
    }
    if (change.summary !== undefined && change.summary !== row.summary) {
      changes.summary = { from: row.summary, to: change.summary };
      set.summary = change.summary;
    }
    const s = change.subject ?? {};
    const subjectColumns = {
      username: 'subject_username',
      name: 'subject_name',
      yearGroup: 'subject_year_group',
      dateOfBirth: 'subject_dob',
      sex: 'subject_sex',
    } as const;
    for (const [field, column] of Object.entries(subjectColumns) as [
      keyof IncidentSubject,
      keyof IncidentRow,
    ][]) {
      const to = s[field];
      if (to !== undefined && to !== row[column]) {
        changes[`subject.${field}`] = { from: row[column], to };
        (set as Record<string, unknown>)[column] = to;
      }
    }
    if (s.username !== undefined || s.name !== undefined) {
      set.subject_key = subjectKey(s.username ?? row.subject_username, s.name ?? row.subject_name);
      // A login corrected to a roster pupil's files the record in that pupil's chronology: a
      // pupil of the record's school (the same login elsewhere is another child).
      const username = s.username ?? row.subject_username;
      const person = username ? await personOf(trx, username, row.school_id) : null;
      set.subject_pupil_id = person?.known ? person.pupilId : null;
      set.subject_class = person?.known ? person.className : null;
      if (person?.known && person.pupilId) set.subject_key = pupilKey(person.pupilId);
    }
    if (change.details) {
      const current = incidentDetailsSchema.parse(JSON.parse(row.details));
      const next = { ...current };
      for (const [field, to] of Object.entries(change.details) as [keyof IncidentDetails, string | null][]) {
        if (to !== undefined && to !== current[field]) {
          changes[`details.${field}`] = { from: current[field], to };
          next[field] = to;
        }
      }
      set.details = JSON.stringify(next);
    }
    if (Object.keys(changes).length === 0) return;
    await trx.updateTable('incidents').set(set).where('id', '=', id).execute();
    await audit(trx, { actor: actor.id, action: 'incident.update', subject: id, detail: { changes } });
  });
}

const order: IncidentState[] = ['new', 'acknowledged', 'under_review', 'escalated', 'closed'];

export async function changeState(
  db: Db,
  id: string,
  actor: SessionUser,
  to: IncidentState,
  outcome: IncidentOutcome | undefined,
  note: string | undefined,
): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id);
    if (row.state === to) return;
    if (to === 'new') throw new HarbourError('conflict', 'An incident cannot go back to "new".');
    if (to === 'closed' && !outcome)
      throw new HarbourError('validation_failed', 'Closing an incident needs an outcome.');
    const now = new Date().toISOString();
    await trx
      .updateTable('incidents')
      .set({
        state: to,
        outcome: to === 'closed' ? (outcome ?? null) : row.outcome,
        closed_at: to === 'closed' ? now : null,
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.state',
      subject: id,
      detail: {
        from: row.state,
        to,
        outcome: to === 'closed' ? outcome : undefined,
        note,
        backwards: order.indexOf(to) < order.indexOf(row.state),
      },
    });
  });
}

/** The only way out of "closed": explicit, with a reason, and on the record. */
export async function reopenIncident(db: Db, id: string, actor: SessionUser, reason: string): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id, { allowClosed: true });
    if (row.state !== 'closed') throw new HarbourError('conflict', 'This incident is not closed.');
    await trx
      .updateTable('incidents')
      .set({ state: 'under_review', closed_at: null })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.reopen',
      subject: id,
      detail: { reason, previousOutcome: row.outcome },
    });
  });
}

export async function assignIncident(db: Db, id: string, actor: SessionUser, userId: string): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id);
    const user = await userStanding(trx, userId);
    // Only a DSL who may see the record (its school's, or trust-level) can be given it.
    if (!user || user.disabled_at || !inSchool({ schoolId: user.school_id }, row.school_id))
      throw new HarbourError('validation_failed', 'That member of staff was not found.');
    if (user.role !== 'dsl') {
      throw new HarbourError('validation_failed', 'Incidents can only be assigned to the DSL or a deputy.');
    }
    if (row.assigned_to === userId) return;
    await trx.updateTable('incidents').set({ assigned_to: userId }).where('id', '=', id).execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.assign',
      subject: id,
      detail: { from: row.assigned_to, to: userId },
    });
  });
}

export async function addAction(
  db: Db,
  id: string,
  actor: SessionUser,
  input: { what: string; who: string; due?: string | undefined },
): Promise<string> {
  return tx(db, async (trx) => {
    await openRow(trx, id);
    const actionId = randomUUID();
    const row = {
      id: actionId,
      incident_id: id,
      what: input.what,
      who: input.who,
      due: input.due ?? null,
      done_at: null,
      outcome: null,
      created_at: new Date().toISOString(),
      created_by: actor.id,
    };
    await trx.insertInto('incident_actions').values(row).execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.action_add',
      subject: id,
      detail: { actionId, ...input },
    });
    return actionId;
  });
}

export async function updateAction(
  db: Db,
  id: string,
  actionId: string,
  actor: SessionUser,
  input: { done: boolean; outcome?: string | undefined },
): Promise<void> {
  await tx(db, async (trx) => {
    await openRow(trx, id);
    const action = await trx
      .selectFrom('incident_actions')
      .selectAll()
      .where('id', '=', actionId)
      .where('incident_id', '=', id)
      .executeTakeFirst();
    if (!action) throw notFound('Action');
    await trx
      .updateTable('incident_actions')
      .set({
        done_at: input.done ? (action.done_at ?? new Date().toISOString()) : null,
        outcome: input.outcome ?? action.outcome,
      })
      .where('id', '=', actionId)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.action_update',
      subject: id,
      detail: {
        actionId,
        done: input.done,
        outcome: input.outcome,
        previous: { done: action.done_at !== null, outcome: action.outcome },
      },
    });
  });
}

/** Records which escalation route was taken; the incident moves to "escalated". */
export async function addEscalation(
  db: Db,
  id: string,
  actor: SessionUser,
  route: EscalationRoute,
  note: string | undefined,
): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id);
    const at = new Date().toISOString();
    await trx
      .insertInto('incident_escalations')
      .values({ id: randomUUID(), incident_id: id, route, note: note ?? null, at, by: actor.id })
      .execute();
    await audit(trx, { actor: actor.id, action: 'incident.escalate', subject: id, detail: { route, note } });
    if (route !== 'dsl_decision' && row.state !== 'escalated') {
      await trx.updateTable('incidents').set({ state: 'escalated' }).where('id', '=', id).execute();
      await audit(trx, {
        actor: actor.id,
        action: 'incident.state',
        subject: id,
        detail: { from: row.state, to: 'escalated' },
      });
    }
  });
}

/** Notes can be added by anyone who can see the incident, closed or not: they change nothing. */
export async function addNote(db: Db, id: string, actor: SessionUser, text: string): Promise<void> {
  await audit(db, { actor: actor.id, action: 'incident.note', subject: id, detail: { text } });
}

export async function addLink(db: Db, id: string, actor: SessionUser, otherId: string): Promise<void> {
  if (id === otherId) throw new HarbourError('validation_failed', 'An incident cannot be linked to itself.');
  await tx(db, async (trx) => {
    await openRow(trx, id);
    const other = await trx
      .selectFrom('incidents')
      .select(['id', 'school_id'])
      .where('id', '=', otherId)
      .executeTakeFirst();
    // Another school's incident is not there to link to (core/tenancy.ts).
    if (!other || !inSchool(actor, other.school_id)) throw notFound('The incident to link');
    const [a, b] = [id, otherId].sort() as [string, string];
    const inserted = await trx
      .insertInto('incident_links')
      .values({ incident_a: a, incident_b: b, created_at: new Date().toISOString(), created_by: actor.id })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    await audit(trx, {
      actor: actor.id,
      action: 'incident.link',
      subject: id,
      detail: { incidentId: otherId },
    });
    await audit(trx, {
      actor: actor.id,
      action: 'incident.link',
      subject: otherId,
      detail: { incidentId: id },
    });
  });
}

export async function addPerson(
  db: Db,
  id: string,
  actor: SessionUser,
  input: { name: string; username?: string | undefined; yearGroup: string; role: string },
): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id);
    const personId = randomUUID();
    // The record's school's pupil with that login, not another school's.
    const pupil = input.username ? await personOf(trx, input.username, row.school_id) : null;
    await trx
      .insertInto('incident_people')
      .values({
        id: personId,
        incident_id: id,
        name: input.name,
        username: input.username ?? null,
        subject_key:
          pupil?.known && pupil.pupilId ? pupilKey(pupil.pupilId) : subjectKey(input.username, input.name),
        year_group: input.yearGroup,
        role: input.role,
        added_at: new Date().toISOString(),
        added_by: actor.id,
      })
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: 'incident.person_add',
      subject: id,
      detail: { personId, ...input },
    });
  });
}

export async function shareEvidence(db: Db, id: string, actor: SessionUser, shared: boolean): Promise<void> {
  await tx(db, async (trx) => {
    const row = await openRow(trx, id, { allowClosed: true });
    if ((row.evidence_shared_at !== null) === shared) return;
    await trx
      .updateTable('incidents')
      .set({ evidence_shared_at: shared ? new Date().toISOString() : null })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: shared ? 'evidence.share' : 'evidence.unshare',
      subject: id,
    });
  });
}

/**
 * Acknowledges a concern still "new"; returns whether this call did it (a second tab's, or a
 * deputy's at the same moment, changes nothing).
 */
export async function acknowledgeConcern(db: Db, id: string, dsl: SessionUser): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockNumberedAppends(trx);
    const row = await trx.selectFrom('incidents').select('state').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Concern');
    if (row.state !== 'new') return false;
    await changeState(trx, id, dsl, 'acknowledged', undefined, undefined);
    return true;
  });
}
