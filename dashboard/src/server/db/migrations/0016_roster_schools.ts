import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../portable.js';

/**
 * Each school's roster is its own (issue 18 item 4; docs/trust.md): an MIS numbers its pupils,
 * staff, classes and terms per school, so the same sourcedId in two schools is two people, not
 * one. The MIS id is unique within a school (`school_id, sourced_id`), no longer across the
 * trust; terms (roster_sessions) and import reports (roster_imports) carry their school too.
 * Every existing row is the first school's (0014 gave the rows it found that school; those
 * imported since, which the import left without one, get it here).
 *
 * PostgreSQL drops the old constraints. SQLite cannot drop a column's UNIQUE, so there each
 * table is rebuilt as SQLite's documentation describes (a new table, the rows copied, the old
 * one dropped, the new one renamed) with foreign keys off meanwhile, so that dropping the old
 * pupils does not cascade to their logins and class places. Migrations on SQLite run outside
 * a transaction (Kysely's SQLite adapter has no transactional DDL), which the pragma needs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const first = await sql<{ id: number }>`select min(id) as id from schools`.execute(db);
  const schoolId = Number(first.rows[0]?.id);

  // Imports since 0014 did not set the school of the rows they added: they are the first
  // school's, as everything before was.
  for (const table of ['roster_pupils', 'roster_staff', 'roster_classes']) {
    await sql`update ${sql.table(table)} set school_id = ${schoolId} where school_id is null`.execute(db);
  }
  await db.schema.alterTable('roster_sessions').addColumn('school_id', 'integer').execute();
  await sql`update roster_sessions set school_id = ${schoolId}`.execute(db);
  await db.schema.alterTable('roster_imports').addColumn('school_id', 'integer').execute();
  await sql`update roster_imports set school_id = ${schoolId}`.execute(db);

  if (dialectOf(db) === 'postgres') {
    for (const table of ['roster_pupils', 'roster_staff', 'roster_classes']) {
      await sql`alter table ${sql.table(table)} drop constraint ${sql.id(`${table}_sourced_id_key`)}`.execute(
        db,
      );
    }
    await sql`alter table roster_sessions drop constraint roster_sessions_pkey`.execute(db);
  } else {
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      const person = `id text primary key, sourced_id text not null, given_name text not null,
        family_name text not null, created_at text not null, updated_at text not null, left_at text,
        school_id integer`;
      await rebuild(db, 'roster_pupils', `${person}, year_group text not null`);
      await rebuild(db, 'roster_staff', `${person}, email text, role text not null`);
      await sql`create index roster_staff_email on roster_staff (email)`.execute(db);
      await rebuild(
        db,
        'roster_classes',
        `id text primary key, sourced_id text not null, title text not null, class_code text,
         year_group text not null, room_id text, created_at text not null, updated_at text not null,
         left_at text, school_id integer`,
      );
      await rebuild(
        db,
        'roster_sessions',
        `sourced_id text not null, title text not null, type text not null, start_date text not null,
         end_date text not null, school_id integer`,
      );
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error('0016: the roster rebuild broke a foreign key');
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  for (const table of ['roster_pupils', 'roster_staff', 'roster_classes', 'roster_sessions']) {
    await db.schema
      .createIndex(`${table}_school_sourced`)
      .on(table)
      .columns(['school_id', 'sourced_id'])
      .unique()
      .execute();
  }
  await db.schema.createIndex('roster_imports_school').on('roster_imports').column('school_id').execute();
}

/** SQLite: `table` again with `columns` (the same, without the UNIQUE on sourced_id), rows kept. */
async function rebuild(db: Kysely<unknown>, table: string, columns: string): Promise<void> {
  const next = `${table}_0016`;
  await sql`create table ${sql.table(next)} (${sql.raw(columns)})`.execute(db);
  await sql`insert into ${sql.table(next)} select ${sql.raw(
    columns
      .split(',')
      .map((c) => c.trim().split(/\s+/)[0])
      .join(', '),
  )} from ${sql.table(table)}`.execute(db);
  await sql`drop table ${sql.table(table)}`.execute(db);
  await sql`alter table ${sql.table(next)} rename to ${sql.table(table)}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('roster_imports_school').execute();
  for (const table of ['roster_pupils', 'roster_staff', 'roster_classes', 'roster_sessions']) {
    await db.schema.dropIndex(`${table}_school_sourced`).execute();
  }
  // The trust-wide uniqueness is not put back: two schools' rows may share an MIS id by now.
  await db.schema.alterTable('roster_imports').dropColumn('school_id').execute();
  await db.schema.alterTable('roster_sessions').dropColumn('school_id').execute();
}
