import { sql, type Kysely } from 'kysely';

// Indexes the benchmarks at school scale asked for (docs/benchmarks.md).
export async function up(db: Kysely<unknown>): Promise<void> {
  // What each device shows now is its one open interval. Without this index, the room live
  // view and every activity change (which closes the open interval) read all of a device's
  // history to find it.
  await db.schema
    .createIndex('activity_open')
    .on('activity_intervals')
    .column('device_id')
    .where(sql.ref('ended_at'), 'is', null)
    .execute();
  // A pupil's chronology reads the trail entries of that pupil's incidents by subject.
  await db.schema.createIndex('audit_subject').on('audit_log').column('subject').execute();
  await db.schema
    .createIndex('incident_people_subject')
    .on('incident_people')
    .column('subject_key')
    .execute();
  // The governors' report counts a term's incidents by when they happened; covering, so the
  // counts come from the index alone.
  await db.schema
    .createIndex('incidents_occurred')
    .on('incidents')
    .columns(['occurred_at', 'category', 'subject_year_group', 'outcome', 'state', 'source'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['activity_open', 'audit_subject', 'incident_people_subject', 'incidents_occurred'])
    await db.schema.dropIndex(index).execute();
}
