import { sql, type Kysely } from 'kysely';
import { genesisHash, legacyChainHash } from '../audit-chain.js';
import { idColumn } from '../portable.js';

/**
 * Incidents (issue 7) and the pupil's "tell" reports (issue 6).
 *
 * Also turns the existing audit log into a hash chain: every entry stores the SHA-256
 * of the previous entry's hash and its own canonical form, so editing, deleting or
 * reordering any entry breaks the chain (GET /api/audit/verify). Entries written before
 * this migration are chained here, in id order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
  const rows = await sql<{
    id: number;
    at: string;
    actor: string;
    action: string;
    subject: string | null;
    detail: string | null;
  }>`select id, at, actor, action, subject, detail from audit_log order by id`.execute(db);
  let prev = genesisHash;
  for (const row of rows.rows) {
    const hash = legacyChainHash(prev, row);
    await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`.execute(db);
    prev = hash;
  }

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('assigned_to', 'text', (c) => c.references('users.id'))
    .addColumn('device_id', 'text', (c) => c.references('devices.id'))
    .addColumn('device_name', 'text')
    .addColumn('device_serial', 'text')
    .addColumn('room_id', 'text', (c) => c.references('rooms.id'))
    .addColumn('room_name', 'text')
    .addColumn('subject_username', 'text')
    .addColumn('subject_key', 'text')
    .addColumn('subject_name', 'text')
    .addColumn('subject_year_group', 'text', (c) => c.notNull())
    .addColumn('subject_dob', 'text')
    .addColumn('subject_sex', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('window', 'text')
    .addColumn('pupil_choice', 'text')
    .addColumn('tell_id', 'text', (c) => c.unique())
    .addColumn('tell_status', 'text')
    .addColumn('tell_acknowledged_by', 'text')
    .addColumn('evidence_shared_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('source_ref', 'text')
    .execute();
  await db.schema.createIndex('incidents_created').on('incidents').column('created_at').execute();
  await db.schema.createIndex('incidents_subject').on('incidents').column('subject_key').execute();

  await db.schema
    .createTable('incident_evidence')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('suspected_illegal_at', 'text')
    .addColumn('suspected_illegal_by', 'text')
    .addPrimaryKeyConstraint('incident_evidence_pk', ['incident_id', 'sha256'])
    .execute();
  await db.schema.createIndex('incident_evidence_sha').on('incident_evidence').column('sha256').execute();

  await db.schema
    .createTable('incident_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('what', 'text', (c) => c.notNull())
    .addColumn('who', 'text', (c) => c.notNull())
    .addColumn('due', 'text')
    .addColumn('done_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_people')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('subject_key', 'text')
    .addColumn('year_group', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_links')
    .addColumn('incident_a', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('incident_b', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_links_pk', ['incident_a', 'incident_b'])
    .execute();

  // Row-level access for teachers beyond the incidents they raised (see services/incident-access.ts).
  await db.schema
    .createTable('incident_access')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_access_pk', ['incident_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('safeguarding_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('retention_purges')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'retention_purges',
    'safeguarding_settings',
    'incident_access',
    'incident_links',
    'incident_people',
    'incident_escalations',
    'incident_actions',
    'incident_evidence',
    'incidents',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('audit_log').dropColumn('hash').execute();
  await db.schema.alterTable('audit_log').dropColumn('prev_hash').execute();
}
