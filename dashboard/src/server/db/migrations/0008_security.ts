import { sql, type Kysely } from 'kysely';

/**
 * Issue 14. `evidence_holders`: every device that uploaded a file (files are stored once by
 * their hash, so two devices can hold the same one); a report or flag may cite only
 * screenshots its own device uploaded. `tell_pending_details`: what a pupil added to a
 * report that has not arrived yet, kept until it does, so their words are never lost.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_holders')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_holders_pk', ['sha256', 'device_id'])
    .execute();
  await sql`insert into evidence_holders (sha256, device_id, received_at)
    select sha256, device_id, received_at from evidence where device_id is not null`.execute(db);
  await db.schema
    .createTable('tell_pending_details')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('tell_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tell_pending_details_pk', ['device_id', 'tell_id', 'event_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tell_pending_details').execute();
  await db.schema.dropTable('evidence_holders').execute();
}
