import type { Kysely } from 'kysely';

/**
 * The school's roster (issue 17, item 4) and single sign-on's redirect (item 1): pupils with their computer login names, classes with
 * a year group, the staff who teach them, and a record of each import. Ids are UUIDs, booleans
 * 0/1 and dates ISO text, so the same migration runs on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A pupil who leaves is kept (left_at) for the records' retention and no longer listed live.
  const person = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sourced_id', 'text', (c) => c.notNull().unique())
      .addColumn('given_name', 'text', (c) => c.notNull())
      .addColumn('family_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('left_at', 'text');
  await person('roster_pupils')
    .addColumn('year_group', 'text', (c) => c.notNull())
    .execute();
  await person('roster_staff')
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_staff_email').on('roster_staff').column('email').execute();

  // A login name (lower case) is one pupil's: the import refuses a name claimed by two.
  await db.schema
    .createTable('roster_logins')
    .addColumn('login', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('roster_pupils.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('roster_logins_pupil').on('roster_logins').column('pupil_id').execute();

  await db.schema
    .createTable('roster_classes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sourced_id', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('class_code', 'text')
    .addColumn('year_group', 'text', (c) => c.notNull())
    // The room the class is taught in: its teachers may supervise that room (item 5).
    .addColumn('room_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text')
    .execute();

  await db.schema
    .createTable('roster_class_pupils')
    .addColumn('class_id', 'text', (c) => c.notNull().references('roster_classes.id').onDelete('cascade'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('roster_pupils.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('roster_class_pupils_pk', ['class_id', 'pupil_id'])
    .execute();
  await db.schema
    .createIndex('roster_class_pupils_pupil')
    .on('roster_class_pupils')
    .column('pupil_id')
    .execute();
  await db.schema
    .createTable('roster_class_staff')
    .addColumn('class_id', 'text', (c) => c.notNull().references('roster_classes.id').onDelete('cascade'))
    .addColumn('staff_id', 'text', (c) => c.notNull().references('roster_staff.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('roster_class_staff_pk', ['class_id', 'staff_id'])
    .execute();

  await db.schema
    .createTable('roster_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    // SHA-256 of the files: a folder import that has not changed is not run again.
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_imports_at').on('roster_imports').column('at').execute();

  // Single sign-on (item 1): the exact redirect URI a sign-in was begun with.
  await db.schema
    .alterTable('sso_requests')
    .addColumn('redirect_uri', 'text', (c) => c.notNull().defaultTo(''))
    .execute();

  // A record names the pupil as the roster had them then: their id (the chronology's key) and class.
  await db.schema.alterTable('incidents').addColumn('subject_pupil_id', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('subject_class', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sso_requests').dropColumn('redirect_uri').execute();
  for (const c of ['subject_class', 'subject_pupil_id'])
    await db.schema.alterTable('incidents').dropColumn(c).execute();
  for (const t of [
    'roster_imports',
    'roster_class_staff',
    'roster_class_pupils',
    'roster_classes',
    'roster_logins',
    'roster_staff',
    'roster_pupils',
  ])
    await db.schema.dropTable(t).execute();
}
