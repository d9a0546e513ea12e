import { sql, type Kysely } from 'kysely';

/**
 * The record of each retention purge carries the school whose records it purged (issue 18
 * item 4; docs/trust.md): a school's DSL reads their school's purges only, and runs the purge
 * for their school only. The purges recorded before this are the only school's when the trust
 * has one; with several they may name records of any school, so they stay with no school,
 * which only trust-level staff read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('retention_purges').addColumn('school_id', 'integer').execute();
  const schools = await sql<{ id: number }>`select id from schools limit 2`.execute(db);
  const only = schools.rows.length === 1 ? Number(schools.rows[0]?.id) : null;
  if (only !== null) await sql`update retention_purges set school_id = ${only}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('retention_purges').dropColumn('school_id').execute();
}
