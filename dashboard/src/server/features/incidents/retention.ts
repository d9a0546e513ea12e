/**
 * Retention: records are kept for the years the DSL sets per record type, then purged
 * automatically (daily, and on demand), and each purge is itself recorded: what type,
 * how many, which references — never their contents.
 *
 * - evidence: screenshot and attachment files (and their rows) of incidents closed more
 *   than `retention.evidence` years ago, unless the same file belongs to a newer incident.
 * - incidents: incidents closed more than `retention.incidents` years ago, with their
 *   actions, escalations, people, links and evidence.
 * The audit trail itself is never purged: deleting entries would break the hash chain
 * that proves nothing else was changed (see docs/incidents.md).
 */
import type { Db } from '../../db/database.js';
import { audit } from '../../core/audit.js';
import { forgetEvidence } from '../evidence/index.js';
import { incidentRef } from './incidents.js';
import { getSetting } from './settings.js';

const yearsAgo = (years: number, now: Date) => {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString();
};

export interface PurgeResult {
  evidence: number;
  incidents: number;
}

/**
 * Purges what is due. `schoolId`: that school's records only (a school's DSL running it now);
 * left out, every school's (the daily run, and trust-level staff). Each purge is recorded per
 * school, so that each school's staff read their own.
 */
export async function runRetention(
  db: Db,
  evidenceDir: string,
  now = new Date(),
  schoolId?: number,
): Promise<PurgeResult> {
  const retention = await getSetting(db, 'retention');
  const result: PurgeResult = { evidence: 0, incidents: 0 };

  const evidenceCutoff = yearsAgo(retention.evidence, now);
  let evidenceQuery = db
    .selectFrom('incident_evidence')
    .innerJoin('incidents', 'incidents.id', 'incident_evidence.incident_id')
    .select([
      'incident_evidence.incident_id',
      'incident_evidence.sha256',
      'incidents.seq',
      'incidents.school_id',
    ])
    .where('incidents.state', '=', 'closed')
    .where('incidents.closed_at', '<', evidenceCutoff);
  if (schoolId !== undefined) evidenceQuery = evidenceQuery.where('incidents.school_id', '=', schoolId);
  const oldEvidence = await evidenceQuery.execute();
  if (oldEvidence.length > 0) {
    await db.transaction().execute(async (trx) => {
      for (const e of oldEvidence) {
        await trx
          .deleteFrom('incident_evidence')
          .where('incident_id', '=', e.incident_id)
          .where('sha256', '=', e.sha256)
          .execute();
      }
      for (const [school, rows] of bySchool(oldEvidence))
        await record(
          trx,
          'evidence',
          school,
          rows.map((e) => `${incidentRef(e.seq)}:${e.sha256.slice(0, 12)}`),
        );
    });
    for (const sha256 of new Set(oldEvidence.map((e) => e.sha256))) {
      await forgetFile(db, evidenceDir, sha256);
    }
    result.evidence = oldEvidence.length;
  }

  const incidentCutoff = yearsAgo(retention.incidents, now);
  let incidentQuery = db
    .selectFrom('incidents')
    .select(['id', 'seq', 'school_id'])
    .where('state', '=', 'closed')
    .where('closed_at', '<', incidentCutoff);
  if (schoolId !== undefined) incidentQuery = incidentQuery.where('school_id', '=', schoolId);
  const oldIncidents = await incidentQuery.execute();
  if (oldIncidents.length > 0) {
    await db.transaction().execute(async (trx) => {
      const ids = oldIncidents.map((i) => i.id);
      const files = await trx
        .selectFrom('incident_evidence')
        .select('sha256')
        .where('incident_id', 'in', ids)
        .execute();
      for (const table of [
        'incident_evidence',
        'incident_actions',
        'incident_escalations',
        'incident_people',
        'incident_access',
      ] as const) {
        await trx.deleteFrom(table).where('incident_id', 'in', ids).execute();
      }
      await trx
        .deleteFrom('incident_links')
        .where((eb) => eb.or([eb('incident_a', 'in', ids), eb('incident_b', 'in', ids)]))
        .execute();
      await trx.deleteFrom('incidents').where('id', 'in', ids).execute();
      for (const [school, rows] of bySchool(oldIncidents))
        await record(
          trx,
          'incidents',
          school,
          rows.map((i) => incidentRef(i.seq)),
        );
      for (const f of files) {
        await forgetFile(trx, evidenceDir, f.sha256);
      }
    });
    result.incidents = oldIncidents.length;
  }
  return result;
}

/** Rows grouped by their incident's school, in the order first seen. */
function bySchool<T extends { school_id: number | null }>(rows: T[]): Map<number | null, T[]> {
  const groups = new Map<number | null, T[]>();
  for (const row of rows) {
    const school = row.school_id === null ? null : Number(row.school_id);
    const group = groups.get(school);
    if (group) group.push(row);
    else groups.set(school, [row]);
  }
  return groups;
}

async function record(db: Db, recordType: string, schoolId: number | null, refs: string[]): Promise<void> {
  const count = refs.length;
  const detail = refs.join(', ');
  await db
    .insertInto('retention_purges')
    .values({ at: new Date().toISOString(), record_type: recordType, count, detail, school_id: schoolId })
    .execute();
  await audit(db, {
    actor: 'system',
    action: 'retention.purge',
    detail: { recordType, count, refs, school: schoolId },
  });
}

/** Deletes an evidence file and its register entry once no incident refers to it any more. */
async function forgetFile(db: Db, evidenceDir: string, sha256: string): Promise<void> {
  const stillUsed = await db
    .selectFrom('incident_evidence')
    .select('sha256')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (stillUsed) return;
  await forgetEvidence(db, evidenceDir, sha256);
}

/** What retention purged, newest first: one school's purges (its staff), or every school's (null: trust-level). */
export async function listPurges(db: Db, schoolId: number | null) {
  let q = db.selectFrom('retention_purges').selectAll();
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  const rows = await q.orderBy('id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    recordType: r.record_type,
    count: r.count,
    detail: r.detail,
  }));
}
