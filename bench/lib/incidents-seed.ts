/**
 * A school year of incidents, written with the columns `createIncident` writes
 * (dashboard/src/server/features/incidents/incidents.ts), each with its `incident.create` audit entry
 * and, for those that moved on, `incident.state` entries — chained exactly as core/audit.ts
 * chains them, so the trail verifies. Sources, categories, states and year groups follow a
 * primary school's mix; a fifth carry a screenshot.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { defaultIncidentCategories, incidentOutcomes } from '@harbour/shared';
import { chainHash, genesisHash } from '../../dashboard/src/server/db/audit-chain.js';
import { auditKeyPurpose } from '../../dashboard/src/server/core/audit.js';
import { defaultKeyFile, openServerKeys } from '../../dashboard/src/server/core/keys.js';
import type { School } from './school.js';

const yearGroups = ['R', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6'] as const;
const states = [
  'closed',
  'closed',
  'closed',
  'closed',
  'under_review',
  'acknowledged',
  'new',
  'escalated',
] as const;

export function seedIncidents(
  dataDir: string,
  school: School,
  opts: { incidents: number; dslId: string },
): { incidents: number; auditEntries: number } {
  const sqlite = new SQLite(path.join(dataDir, 'harbour.sqlite'));
  // The trail is keyed with the server's key, which the server made in this data directory.
  const auditKey = openServerKeys(defaultKeyFile(dataDir)).keys.derive(auditKeyPurpose);
  const categories = defaultIncidentCategories.map((c) => c.id);
  const devices = sqlite
    .prepare(
      'select d.id, d.hostname, d.room_id, r.name as room_name from devices d join rooms r on r.id = d.room_id',
    )
    .all() as {
    id: string;
    hostname: string;
    room_id: string;
    room_name: string;
  }[];
  const insertIncident =
    sqlite.prepare(`insert into incidents (id, seq, source, category, state, outcome, summary,
    created_at, occurred_at, created_by, assigned_to, device_id, device_name, device_serial, room_id, room_name,
    subject_username, subject_key, subject_name, subject_year_group, subject_dob, subject_sex, details, window,
    pupil_choice, tell_id, tell_status, tell_acknowledged_by, evidence_shared_at, closed_at, source_ref)
    values (@id, @seq, @source, @category, @state, @outcome, @summary, @created_at, @occurred_at, @created_by,
    @assigned_to, @device_id, @device_name, @device_serial, @room_id, @room_name, @subject_username, @subject_key,
    @subject_name, @subject_year_group, @subject_dob, @subject_sex, @details, @window, @pupil_choice, @tell_id,
    @tell_status, @tell_acknowledged_by, @evidence_shared_at, @closed_at, @source_ref)`);
  const insertEvidence =
    sqlite.prepare(`insert into incident_evidence (incident_id, sha256, kind, mime, bytes, label,
    added_at, added_by, suspected_illegal_at, suspected_illegal_by) values (?, ?, 'screenshot', 'image/png', ?, null, ?, ?, null, null)`);
  const insertAudit = sqlite.prepare(
    'insert into audit_log (id, at, actor, action, subject, detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const last = sqlite.prepare('select id, hash from audit_log order by id desc limit 1').get() as
    { id: number; hash: string } | undefined;
  let auditId = last?.id ?? 0;
  let prev = last?.hash ?? genesisHash;
  let auditEntries = 0;
  const appendAudit = (at: string, actor: string, action: string, subject: string, detail: unknown) => {
    auditId++;
    const fields = { id: auditId, at, actor, action, subject, detail: JSON.stringify(detail) };
    const hash = chainHash(auditKey, prev, fields);
    insertAudit.run(
      fields.id,
      fields.at,
      fields.actor,
      fields.action,
      fields.subject,
      fields.detail,
      prev,
      hash,
    );
    prev = hash;
    auditEntries++;
  };

  // Incidents over the school year, oldest first (the trail is in time order, like the real one).
  const yearMs = 300 * 86_400_000;
  const start = Date.now() - yearMs;
  let s = 7;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
  sqlite.transaction(() => {
    for (let i = 0; i < opts.incidents; i++) {
      const occurred = new Date(start + (i / opts.incidents) * yearMs);
      occurred.setUTCHours(8 + Math.floor(next() * 7), Math.floor(next() * 60));
      const occurredAt = occurred.toISOString();
      const createdAt = new Date(occurred.getTime() + 2000).toISOString();
      const device = devices[Math.floor(next() * devices.length)]!;
      const room = school.rooms.find((r) => r.id === device.room_id) ?? school.rooms[0]!;
      const pupil = room.pupils[Math.floor(next() * room.pupils.length)]!;
      const roll = next();
      const source = roll < 0.5 ? 'flag' : roll < 0.8 ? 'report' : 'manual';
      const state = states[Math.floor(next() * states.length)]!;
      const id = randomUUID();
      const category = categories[Math.floor(next() * categories.length)]!;
      const summary =
        source === 'report'
          ? `A pupil asked for help at ${device.hostname}`
          : source === 'flag'
            ? 'Search for a watch-list term'
            : 'Reported by a member of staff';
      insertIncident.run({
        id,
        seq: i + 1,
        source,
        category,
        state,
        outcome: state === 'closed' ? incidentOutcomes[Math.floor(next() * incidentOutcomes.length)]! : null,
        summary,
        created_at: createdAt,
        occurred_at: occurredAt,
        created_by: source === 'manual' ? opts.dslId : null,
        assigned_to: opts.dslId,
        device_id: source === 'manual' ? null : device.id,
        device_name: source === 'manual' ? null : device.hostname,
        device_serial: null,
        room_id: source === 'manual' ? null : device.room_id,
        room_name: source === 'manual' ? null : device.room_name,
        subject_username: pupil,
        subject_key: pupil.toLowerCase(),
        subject_name: null,
        subject_year_group: yearGroups[Math.floor(next() * yearGroups.length)]!,
        subject_dob: null,
        subject_sex: 'not_recorded',
        details: JSON.stringify({}),
        window:
          source === 'manual'
            ? null
            : JSON.stringify({ title: 'A web page', app: 'Google Chrome', url: null }),
        pupil_choice: null,
        tell_id: source === 'report' ? randomUUID() : null,
        tell_status: source === 'report' ? 'released' : null,
        tell_acknowledged_by: source === 'report' ? 'Class teacher' : null,
        evidence_shared_at: null,
        closed_at: state === 'closed' ? new Date(occurred.getTime() + 3 * 86_400_000).toISOString() : null,
        source_ref: null,
      });
      if (source !== 'manual' && next() < 0.4) {
        insertEvidence.run(
          id,
          randomUUID().replaceAll('-', '').padEnd(64, '0'),
          180_000,
          createdAt,
          'device',
        );
      }
      appendAudit(
        createdAt,
        source === 'manual' ? opts.dslId : `device:${device.id}`,
        'incident.create',
        id,
        {
          ref: `INC-${String(i + 1).padStart(4, '0')}`,
          source,
          category,
          summary,
        },
      );
      if (state !== 'new') {
        appendAudit(
          new Date(occurred.getTime() + 86_400_000).toISOString(),
          opts.dslId,
          'incident.state',
          id,
          {
            from: 'new',
            to: state,
          },
        );
      }
    }
  })();
  sqlite.close();
  return { incidents: opts.incidents, auditEntries };
}
