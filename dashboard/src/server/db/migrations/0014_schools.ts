import { sql, type Kysely } from 'kysely';
import { dialectOf, idColumn } from '../portable.js';

/**
 * Schools as tenants of one server (issue 18 item 4). A trust runs one Harbour for several
 * schools: each room belongs to one school (its devices, tokens, activity and flags with it),
 * each incident records the school it is about when it is created, and a member of staff
 * either belongs to one school (`users.school_id`) or is trust-level (NULL: every school).
 *
 * An upgraded install gets one school holding everything it had, and its existing staff stay
 * trust-level, so it behaves exactly as before: a trust of one school.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schools')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Inserted without an id so that PostgreSQL's identity sequence numbers it (and the next).
  await sql`insert into schools (name, code, created_at) values (${'School'}, ${'school'}, ${new Date().toISOString()})`.execute(
    db,
  );
  const first = await sql<{ id: number }>`select min(id) as id from schools`.execute(db);
  const schoolId = Number(first.rows[0]?.id);

  // SQLite adds a NOT NULL column only with a default: the first school, which is where every
  // existing room belongs. PostgreSQL drops the default afterwards, so a room written without
  // a school is refused there; on SQLite the code always names the school (rooms.repository).
  await db.schema
    .alterTable('rooms')
    .addColumn('school_id', 'integer', (c) => c.notNull().defaultTo(schoolId))
    .execute();
  if (dialectOf(db) === 'postgres') {
    await sql`alter table rooms alter column school_id drop default`.execute(db);
  }
  await db.schema.createIndex('rooms_school').on('rooms').column('school_id').execute();

  await db.schema.alterTable('users').addColumn('school_id', 'integer').execute();

  // Stored at creation (from the device's room, else the recorder's school), not derived on
  // every read: a room can be moved or removed, the record stays the school's.
  await db.schema.alterTable('incidents').addColumn('school_id', 'integer').execute();
  await sql`update incidents set school_id = ${schoolId}`.execute(db);
  await db.schema.createIndex('incidents_school').on('incidents').column('school_id').execute();

  for (const table of ['roster_pupils', 'roster_staff', 'roster_classes']) {
    await db.schema.alterTable(table).addColumn('school_id', 'integer').execute();
    await sql`update ${sql.table(table)} set school_id = ${schoolId}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['roster_classes', 'roster_staff', 'roster_pupils']) {
    await db.schema.alterTable(table).dropColumn('school_id').execute();
  }
  await db.schema.dropIndex('incidents_school').execute();
  await db.schema.alterTable('incidents').dropColumn('school_id').execute();
  await db.schema.alterTable('users').dropColumn('school_id').execute();
  await db.schema.dropIndex('rooms_school').execute();
  await db.schema.alterTable('rooms').dropColumn('school_id').execute();
  await db.schema.dropTable('schools').execute();
}
