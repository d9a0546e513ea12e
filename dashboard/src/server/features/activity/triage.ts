/**
 * The DSL's triage of a flag (issue 15 item 2, issue 16 item 10): dismiss it as a false
 * positive (who and why are recorded), escalate it (its incident is taken up), or link it
 * to an existing incident. Each is one transaction with its audit entry and whatever the
 * incidents feature does to the flag's incident.
 */
import type { Flag } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import { flagOccurrences, getFlagById } from './flags.js';
import type { FlagIncidents } from './hub.js';

function tx<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

async function load(trx: Db, id: string): Promise<Flag> {
  const flag = await getFlagById(trx, id);
  if (!flag) throw notFound('Flag');
  return { ...flag, repeats: await flagOccurrences(trx, id) };
}

function needsIncidents(incidents: FlagIncidents | null): FlagIncidents {
  if (!incidents) throw new HarbourError('conflict', 'Incident records are not available on this server.');
  return incidents;
}

export type Triage =
  | { action: 'dismiss'; reason: string }
  | { action: 'escalate'; note?: string | undefined }
  | { action: 'link'; incident: string; note?: string | undefined };

export async function triageFlag(
  db: Db,
  incidents: FlagIncidents | null,
  id: string,
  actor: SessionUser,
  triage: Triage,
): Promise<Flag> {
  await tx(db, async (trx) => {
    const flag = await load(trx, id);
    const now = new Date().toISOString();
    let status: Flag['status'];
    let incidentId = flag.incidentId;
    let reason: string | null;
    switch (triage.action) {
      case 'dismiss':
        if (flag.status === 'dismissed') return;
        status = 'dismissed';
        reason = triage.reason.trim();
        await incidents?.dismissed(trx, flag, actor, reason);
        break;
      case 'escalate':
        status = 'escalated';
        reason = triage.note?.trim() || null;
        incidentId = await needsIncidents(incidents).escalated(trx, flag, actor, reason ?? undefined);
        break;
      case 'link':
        status = 'linked';
        reason = triage.note?.trim() || null;
        incidentId = await needsIncidents(incidents).linked(
          trx,
          flag,
          actor,
          triage.incident,
          reason ?? undefined,
        );
        break;
    }
    await trx
      .updateTable('flags')
      .set({
        status,
        triaged_by: actor.id,
        triaged_at: now,
        triage_reason: reason,
        incident_id: incidentId,
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor: actor.id,
      action: `flag.${triage.action}`,
      subject: id,
      detail: { from: flag.status, reason, incidentId },
    });
  });
  return load(db, id);
}
