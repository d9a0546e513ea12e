import type { Kysely } from 'kysely';

/**
 * Safeguarding settings a school may have of its own (issue 18 item 4; docs/trust.md): the
 * staff PIN that releases a covered screen, the SMTP server (relay, from, recipients) of the
 * "a concern is waiting" email, and whether pupils may release their own cover. A school's
 * value overrides the trust's (`safeguarding_settings`); with none, the trust's applies, so
 * an install with no rows here behaves exactly as before. Categories and retention stay in
 * `safeguarding_settings` only: the trust is the data controller and keeps one list and one
 * schedule.
 *
 * A table of its own rather than a `school_id` in `safeguarding_settings`: that table's
 * primary key is `key` alone, which SQLite cannot change without rebuilding the table (0016),
 * and a nullable school in a unique key would need a partial index per dialect for the trust's
 * rows. Here (school_id, key) is the primary key on both databases, and the trust's rows are
 * untouched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('school_settings')
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('school_settings_pkey', ['school_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('school_settings').execute();
}
