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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('activity_open').execute();
}
