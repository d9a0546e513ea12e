import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../portable.js';

/**
 * A computer login is unique within a school, not across the trust (issue 18 item 4;
 * docs/trust.md): each school's MIS and directory is its own, so `jsmith` at school A and
 * `jsmith` at school B are two children. roster_logins gains `school_id`, the school of the
 * login's pupil (filled here from roster_pupils, and written by the import from the school
 * it imports for), with UNIQUE (school_id, login) in place of the trust-wide primary key on
 * login. The school is stored rather than joined from the pupil on each read so that the
 * database itself refuses one school's login given to two of its pupils, and so that a login
 * is resolved with the index (school_id, login) the way every caller asks: the login seen on
 * a computer, in that computer's school. A separate index on login serves the few look-ups
 * made without a school (a trust-level DSL's chronology by login). The only writer is the
 * roster import, which takes the school from the pupils it writes, so the two cannot differ.
 *
 * PostgreSQL drops the old primary key. SQLite cannot, so there the table is rebuilt as in
 * 0016 (a new table, the rows copied, the old one dropped, the new one renamed) with foreign
 * keys off meanwhile; nothing refers to roster_logins, and its own reference to roster_pupils
 * (a pupil removed takes their logins) is made again. 0018 is another change's; Kysely runs
 * migrations by name, so this one follows it wherever it is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const first = await sql<{ id: number }>`select min(id) as id from schools`.execute(db);
  const firstSchool = Number(first.rows[0]?.id);
  // A pupil with no school cannot be left after 0016; were one found, it is the first school's,
  // as 0016 made every such row.
  const schoolOfPupil = sql`coalesce((select p.school_id from roster_pupils p where p.id = roster_logins.pupil_id), ${firstSchool})`;

  if (dialectOf(db) === 'postgres') {
    await db.schema.alterTable('roster_logins').addColumn('school_id', 'integer').execute();
    await sql`update roster_logins set school_id = ${schoolOfPupil}`.execute(db);
    await sql`alter table roster_logins alter column school_id set not null`.execute(db);
    await sql`alter table roster_logins drop constraint roster_logins_pkey`.execute(db);
  } else {
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      await sql`create table roster_logins_0019 (
        login text not null,
        pupil_id text not null references roster_pupils (id) on delete cascade,
        school_id integer not null)`.execute(db);
      await sql`insert into roster_logins_0019 (login, pupil_id, school_id)
        select login, pupil_id, ${schoolOfPupil} from roster_logins`.execute(db);
      await sql`drop table roster_logins`.execute(db);
      await sql`alter table roster_logins_0019 rename to roster_logins`.execute(db);
      await db.schema.createIndex('roster_logins_pupil').on('roster_logins').column('pupil_id').execute();
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error('0019: the logins rebuild broke a foreign key');
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  await db.schema
    .createIndex('roster_logins_school_login')
    .on('roster_logins')
    .columns(['school_id', 'login'])
    .unique()
    .execute();
  await db.schema.createIndex('roster_logins_login').on('roster_logins').column('login').execute();
}

/**
 * Back to the trust-wide key on login (0011's table). Two schools' pupils may share a login by
 * now, and the old key cannot hold both: rather than keep one and silently drop the other
 * school's child's login, `down` refuses, naming the logins, before it changes anything (the
 * trust renames them in all but one school's MIS, imports, and migrates down again). Otherwise
 * every row is kept, its school dropped (the pupil still says it), and the primary key put
 * back, so `up` can run again (on PostgreSQL it drops `roster_logins_pkey` by name). On SQLite
 * the table is rebuilt to 0011's shape as `up` rebuilds it.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  const shared = await sql<{ login: string }>`select login from roster_logins
    group by login having count(distinct school_id) > 1 order by login limit 20`.execute(db);
  if (shared.rows.length > 0)
    throw new Error(
      `0019 down refused: the login(s) ${shared.rows.map((r) => r.login).join(', ')} belong to pupils ` +
        'of more than one school, and a login unique across the trust cannot hold them. Change them ' +
        'in all but one school (its roster import), then migrate down again. Nothing was changed.',
    );
  await db.schema.dropIndex('roster_logins_login').execute();
  await db.schema.dropIndex('roster_logins_school_login').execute();
  if (dialectOf(db) === 'postgres') {
    await db.schema.alterTable('roster_logins').dropColumn('school_id').execute();
    await sql`alter table roster_logins add primary key (login)`.execute(db);
    return;
  }
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`create table roster_logins_0011 (
      login text primary key,
      pupil_id text not null references roster_pupils (id) on delete cascade)`.execute(db);
    await sql`insert into roster_logins_0011 (login, pupil_id)
      select login, pupil_id from roster_logins`.execute(db);
    await sql`drop table roster_logins`.execute(db);
    await sql`alter table roster_logins_0011 rename to roster_logins`.execute(db);
    await db.schema.createIndex('roster_logins_pupil').on('roster_logins').column('pupil_id').execute();
    const broken = await sql`pragma foreign_key_check`.execute(db);
    if (broken.rows.length > 0) throw new Error('0019 down: the logins rebuild broke a foreign key');
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
