import type { Kysely } from 'kysely';

/**
 * The school's own term and year dates, from the roster's academicSessions.csv (issue 16
 * item 12): schools in England and Wales set their own term days, so report presets use
 * these where a roster was imported, and the calendar months only where none was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('roster_sessions')
    .addColumn('sourced_id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('roster_sessions').execute();
}
