/**
 * The roster's tables: storing a checked snapshot (with what changed), the pupils a member
 * of staff may see, and the person behind a login.
 */
import { randomUUID } from 'node:crypto';
import {
  keyStageOf,
  type AcademicSession,
  yearGroupSchema,
  type Person,
  type Pupil,
  type RosterChangeCounts,
  type RosterClass,
  type YearGroup,
} from '@harbour/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { normaliseLogin, type RosterSnapshot } from './oneroster.js';

export interface AppliedRoster {
  counts: { pupils: number; classes: number; staff: number };
  changes: { pupils: RosterChangeCounts; classes: RosterChangeCounts; staff: RosterChangeCounts };
  added: string[];
  left: string[];
}

const chunk = <T>(items: T[], size = 400): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
const listed = 200;

/**
 * Makes one school's roster what the snapshot says, in one transaction (the caller's): new
 * people and classes are added (in `schoolId`), changed ones updated, and those no longer in
 * the export marked as left. Another school's rows are never read or written: the same MIS id
 * there is another person (migration 0016), and the same login there is another pupil
 * (migration 0019).
 */
export async function applySnapshot(
  trx: Db,
  snapshot: RosterSnapshot,
  at: string,
  schoolId: number,
): Promise<AppliedRoster> {
  const added: string[] = [];
  const left: string[] = [];
  const nameOf = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;

  // Pupils.
  const pupilIds = new Map<string, string>();
  const pupilChanges = { added: 0, updated: 0, left: 0 };
  const existingPupils = new Map(
    (await trx.selectFrom('roster_pupils').selectAll().where('school_id', '=', schoolId).execute()).map(
      (r) => [r.sourced_id, r],
    ),
  );
  for (const p of snapshot.pupils) {
    const row = existingPupils.get(p.sourcedId);
    const values = { given_name: p.givenName, family_name: p.familyName, year_group: p.yearGroup };
    if (!row) {
      const id = randomUUID();
      pupilIds.set(p.sourcedId, id);
      await trx
        .insertInto('roster_pupils')
        .values({
          id,
          sourced_id: p.sourcedId,
          ...values,
          created_at: at,
          updated_at: at,
          left_at: null,
          school_id: schoolId,
        })
        .execute();
      pupilChanges.added += 1;
      if (added.length < listed) added.push(nameOf(values));
      continue;
    }
    pupilIds.set(p.sourcedId, row.id);
    const changed =
      row.given_name !== values.given_name ||
      row.family_name !== values.family_name ||
      row.year_group !== values.year_group ||
      row.left_at !== null;
    if (changed) {
      await trx
        .updateTable('roster_pupils')
        .set({ ...values, updated_at: at, left_at: null })
        .where('id', '=', row.id)
        .execute();
      pupilChanges.updated += 1;
    }
  }
  const inSnapshot = new Set(snapshot.pupils.map((p) => p.sourcedId));
  for (const row of existingPupils.values()) {
    if (row.left_at !== null || inSnapshot.has(row.sourced_id)) continue;
    await trx
      .updateTable('roster_pupils')
      .set({ left_at: at, updated_at: at })
      .where('id', '=', row.id)
      .execute();
    pupilChanges.left += 1;
    if (left.length < listed) left.push(nameOf(row));
  }
  // Logins are the export's: a leaver's name is free for someone else next year. Only this
  // school's logins are replaced; another school's pupil with the same login is another child
  // (migration 0019), whose login stays as it is. One login given to two of this school's
  // pupils is refused before this (oneroster.ts), and the database refuses it too.
  await trx.deleteFrom('roster_logins').where('school_id', '=', schoolId).execute();
  const logins = snapshot.pupils.flatMap((p) =>
    p.logins.map((login) => ({ login, pupil_id: pupilIds.get(p.sourcedId)!, school_id: schoolId })),
  );
  for (const part of chunk(logins)) await trx.insertInto('roster_logins').values(part).execute();

  // Staff.
  const staffIds = new Map<string, string>();
  const staffChanges = { added: 0, updated: 0, left: 0 };
  const existingStaff = new Map(
    (await trx.selectFrom('roster_staff').selectAll().where('school_id', '=', schoolId).execute()).map(
      (r) => [r.sourced_id, r],
    ),
  );
  for (const s of snapshot.staff) {
    const row = existingStaff.get(s.sourcedId);
    const values = { given_name: s.givenName, family_name: s.familyName, email: s.email, role: s.role };
    if (!row) {
      const id = randomUUID();
      staffIds.set(s.sourcedId, id);
      await trx
        .insertInto('roster_staff')
        .values({
          id,
          sourced_id: s.sourcedId,
          ...values,
          created_at: at,
          updated_at: at,
          left_at: null,
          school_id: schoolId,
        })
        .execute();
      staffChanges.added += 1;
      continue;
    }
    staffIds.set(s.sourcedId, row.id);
    if (
      row.given_name !== values.given_name ||
      row.family_name !== values.family_name ||
      row.email !== values.email ||
      row.role !== values.role ||
      row.left_at !== null
    ) {
      await trx
        .updateTable('roster_staff')
        .set({ ...values, updated_at: at, left_at: null })
        .where('id', '=', row.id)
        .execute();
      staffChanges.updated += 1;
    }
  }
  const staffInSnapshot = new Set(snapshot.staff.map((s) => s.sourcedId));
  for (const row of existingStaff.values()) {
    if (row.left_at !== null || staffInSnapshot.has(row.sourced_id)) continue;
    await trx
      .updateTable('roster_staff')
      .set({ left_at: at, updated_at: at })
      .where('id', '=', row.id)
      .execute();
    staffChanges.left += 1;
  }

  // Classes.
  const classIds = new Map<string, string>();
  const classChanges = { added: 0, updated: 0, left: 0 };
  const existingClasses = new Map(
    (await trx.selectFrom('roster_classes').selectAll().where('school_id', '=', schoolId).execute()).map(
      (r) => [r.sourced_id, r],
    ),
  );
  // A class's location names a room of its own school only.
  const rooms = new Map(
    (await trx.selectFrom('rooms').select(['id', 'name']).where('school_id', '=', schoolId).execute()).map(
      (r) => [r.name.toLowerCase(), r.id],
    ),
  );
  for (const c of snapshot.classes) {
    const row = existingClasses.get(c.sourcedId);
    const values = { title: c.title, class_code: c.classCode, year_group: c.yearGroup };
    if (!row) {
      const id = randomUUID();
      classIds.set(c.sourcedId, id);
      // A class whose location is a room's name is taught there until an admin says otherwise.
      const roomId = (c.location && rooms.get(c.location.toLowerCase())) ?? null;
      await trx
        .insertInto('roster_classes')
        .values({
          id,
          sourced_id: c.sourcedId,
          ...values,
          room_id: roomId,
          created_at: at,
          updated_at: at,
          left_at: null,
          school_id: schoolId,
        })
        .execute();
      classChanges.added += 1;
      continue;
    }
    classIds.set(c.sourcedId, row.id);
    if (
      row.title !== values.title ||
      row.class_code !== values.class_code ||
      row.year_group !== values.year_group ||
      row.left_at !== null
    ) {
      await trx
        .updateTable('roster_classes')
        .set({ ...values, updated_at: at, left_at: null })
        .where('id', '=', row.id)
        .execute();
      classChanges.updated += 1;
    }
  }
  const classesInSnapshot = new Set(snapshot.classes.map((c) => c.sourcedId));
  for (const row of existingClasses.values()) {
    if (row.left_at !== null || classesInSnapshot.has(row.sourced_id)) continue;
    await trx
      .updateTable('roster_classes')
      .set({ left_at: at, updated_at: at })
      .where('id', '=', row.id)
      .execute();
    classChanges.left += 1;
  }

  // The calendar is the export's, whole: a term no longer in it is gone (nothing refers to it).
  await trx.deleteFrom('roster_sessions').where('school_id', '=', schoolId).execute();
  for (const part of chunk(snapshot.sessions))
    await trx
      .insertInto('roster_sessions')
      .values(
        part.map((t) => ({
          sourced_id: t.sourcedId,
          title: t.title,
          type: t.type,
          start_date: t.startDate,
          end_date: t.endDate,
          school_id: schoolId,
        })),
      )
      .execute();

  const schoolClasses = trx.selectFrom('roster_classes').select('id').where('school_id', '=', schoolId);
  await trx.deleteFrom('roster_class_pupils').where('class_id', 'in', schoolClasses).execute();
  const memberships = [
    ...new Map(
      snapshot.classPupils.map(([c, p]) => {
        const row = { class_id: classIds.get(c)!, pupil_id: pupilIds.get(p)! };
        return [`${row.class_id}|${row.pupil_id}`, row];
      }),
    ).values(),
  ];
  for (const part of chunk(memberships)) await trx.insertInto('roster_class_pupils').values(part).execute();
  await trx.deleteFrom('roster_class_staff').where('class_id', 'in', schoolClasses).execute();
  const teaching = [
    ...new Map(
      snapshot.classStaff.map(([c, s]) => {
        const row = { class_id: classIds.get(c)!, staff_id: staffIds.get(s)! };
        return [`${row.class_id}|${row.staff_id}`, row];
      }),
    ).values(),
  ];
  for (const part of chunk(teaching)) await trx.insertInto('roster_class_staff').values(part).execute();

  return {
    counts: {
      pupils: snapshot.pupils.length,
      classes: snapshot.classes.length,
      staff: snapshot.staff.length,
    },
    changes: { pupils: pupilChanges, classes: classChanges, staff: staffChanges },
    added,
    left,
  };
}

const yearGroup = (value: string): YearGroup => {
  const parsed = yearGroupSchema.safeParse(value);
  return parsed.success ? parsed.data : 'unknown';
};

/** The ids of the classes a member of staff teaches (by their account's email), live ones only. */
export async function classesTaughtBy(db: Db, email: string): Promise<string[]> {
  const rows = await db
    .selectFrom('roster_class_staff as cs')
    .innerJoin('roster_staff as s', 's.id', 'cs.staff_id')
    .innerJoin('roster_classes as c', 'c.id', 'cs.class_id')
    .select('cs.class_id')
    .where('s.email', '=', email.toLowerCase())
    .where('s.left_at', 'is', null)
    .where('c.left_at', 'is', null)
    .execute();
  return rows.map((r) => r.class_id);
}

/**
 * Live pupils, filtered by `q` (name or login) and, for a teacher, to `classIds` (their
 * classes). Leavers are not listed.
 */
export async function listPupils(
  db: Db,
  filter: {
    q?: string | undefined;
    classIds?: string[] | undefined;
    /** One school's pupils; null: every school's (trust-level staff). */
    schoolId?: number | null;
    limit?: number;
  },
): Promise<Pupil[]> {
  if (filter.classIds && filter.classIds.length === 0) return [];
  let query = db
    .selectFrom('roster_pupils as p')
    .select(['p.id', 'p.given_name', 'p.family_name', 'p.year_group'])
    .where('p.left_at', 'is', null)
    .orderBy('p.family_name')
    .orderBy('p.given_name')
    .limit(filter.limit ?? 500);
  if (filter.schoolId !== undefined && filter.schoolId !== null)
    query = query.where('p.school_id', '=', filter.schoolId);
  if (filter.classIds) {
    const ids = filter.classIds;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('roster_class_pupils as cp')
          .select('cp.pupil_id')
          .whereRef('cp.pupil_id', '=', 'p.id')
          .where('cp.class_id', 'in', ids),
      ),
    );
  }
  const q = filter.q?.trim().toLowerCase();
  if (q) {
    // LIKE's own wildcards in the query are matched literally.
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`lower(p.given_name || ' ' || p.family_name)`, 'like', pattern),
        eb.exists(
          eb
            .selectFrom('roster_logins as l')
            .select('l.login')
            .whereRef('l.pupil_id', '=', 'p.id')
            .where('l.login', 'like', pattern),
        ),
      ]),
    );
  }
  const rows = await query.execute();
  return withDetails(db, rows);
}

async function withDetails(
  db: Db,
  rows: { id: string; given_name: string; family_name: string; year_group: string }[],
): Promise<Pupil[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const logins = await db
    .selectFrom('roster_logins')
    .select(['pupil_id', 'login'])
    .where('pupil_id', 'in', ids)
    .execute();
  const classes = await db
    .selectFrom('roster_class_pupils as cp')
    .innerJoin('roster_classes as c', 'c.id', 'cp.class_id')
    .select(['cp.pupil_id', 'c.id', 'c.title'])
    .where('cp.pupil_id', 'in', ids)
    .where('c.left_at', 'is', null)
    .orderBy('c.title')
    .execute();
  return rows.map((r) => {
    const yg = yearGroup(r.year_group);
    return {
      id: r.id,
      name: `${r.given_name} ${r.family_name}`,
      yearGroup: yg,
      keyStage: keyStageOf(yg),
      classes: classes.filter((c) => c.pupil_id === r.id).map((c) => ({ id: c.id, name: c.title })),
      logins: logins
        .filter((l) => l.pupil_id === r.id)
        .map((l) => l.login)
        .sort(),
    };
  });
}

export const unknownPerson: Person = {
  known: false,
  pupilId: null,
  name: null,
  yearGroup: 'unknown',
  keyStage: null,
  className: null,
};

/**
 * A login where it was used: on a computer (`roomId`, the school of the computer's room) or in
 * a record of a school (`schoolId`, which wins when both are given). A login is one pupil's
 * within a school only (migration 0019), so it names a person only with the school it was
 * used in. With neither (a record of no school, a room since removed) it names the one live
 * pupil who has it across the trust, and nobody when two schools' pupils have it.
 */
export interface LoginSeen {
  login: string;
  roomId?: string | null;
  schoolId?: number | null;
}

/** The people behind logins seen (`peopleForLogins`): `of` answers for any of them. */
export interface PeopleFound {
  of(seen: LoginSeen): Person;
}

const toPerson = (pupil: Pupil): Person => ({
  known: true,
  pupilId: pupil.id,
  name: pupil.name,
  yearGroup: pupil.yearGroup,
  keyStage: pupil.keyStage,
  className: pupil.classes[0]?.name ?? null,
});

/**
 * The live pupil behind each login (`DOMAIN\user` or `user`) in the school it was seen in;
 * logins nobody there has are unknown. A pupil of school B signed in on a B computer with a
 * login only school A has is unknown, never A's child.
 */
export async function peopleForLogins(db: Db, seen: readonly LoginSeen[]): Promise<PeopleFound> {
  const rooms = [
    ...new Set(seen.flatMap((s) => (typeof s.schoolId !== 'number' && s.roomId ? [s.roomId] : []))),
  ];
  const roomSchools = new Map<string, number>();
  for (const part of chunk(rooms))
    for (const r of await db
      .selectFrom('rooms')
      .select(['id', 'school_id'])
      .where('id', 'in', part)
      .execute())
      roomSchools.set(r.id, r.school_id);
  const schoolOf = (s: LoginSeen): number | null =>
    typeof s.schoolId === 'number' ? s.schoolId : s.roomId ? (roomSchools.get(s.roomId) ?? null) : null;
  const wanted = [...new Set(seen.map((s) => normaliseLogin(s.login)))].filter(Boolean);
  const schools = [...new Set(seen.map(schoolOf))];
  const rows: {
    login: string;
    school_id: number;
    id: string;
    given_name: string;
    family_name: string;
    year_group: string;
  }[] = [];
  for (const part of chunk(wanted)) {
    let q = db
      .selectFrom('roster_logins as l')
      .innerJoin('roster_pupils as p', 'p.id', 'l.pupil_id')
      .select(['l.login', 'l.school_id', 'p.id', 'p.given_name', 'p.family_name', 'p.year_group'])
      .where('l.login', 'in', part)
      .where('p.left_at', 'is', null);
    // Only the schools asked about, unless a login was seen in no school (then every school's
    // pupils with it are read, to tell one from several).
    if (!schools.includes(null)) q = q.where('l.school_id', 'in', schools as number[]);
    rows.push(...(await q.execute()));
  }
  const details = new Map((await withDetails(db, rows)).map((p) => [p.id, toPerson(p)]));
  const inSchool = new Map(rows.map((r) => [`${r.school_id}|${r.login}`, details.get(r.id)!]));
  const inTrust = new Map<string, Person[]>();
  for (const r of rows) inTrust.set(r.login, [...(inTrust.get(r.login) ?? []), details.get(r.id)!]);
  return {
    of(s) {
      const login = normaliseLogin(s.login);
      const school = schoolOf(s);
      if (school !== null) return inSchool.get(`${school}|${login}`) ?? unknownPerson;
      const all = inTrust.get(login) ?? [];
      return all.length === 1 ? all[0]! : unknownPerson;
    },
  };
}

/**
 * Live classes (all, or those in `classIds`; of one school, or every school's for `schoolId`
 * null), with their pupil count, teachers' accounts and room.
 */
export async function listClasses(
  db: Db,
  classIds?: string[],
  schoolId: number | null = null,
): Promise<RosterClass[]> {
  if (classIds && classIds.length === 0) return [];
  let query = db
    .selectFrom('roster_classes as c')
    .select((eb) => [
      'c.id',
      'c.title',
      'c.year_group',
      'c.room_id',
      eb
        .selectFrom('roster_class_pupils as cp')
        .innerJoin('roster_pupils as p', 'p.id', 'cp.pupil_id')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('cp.class_id', '=', 'c.id')
        .where('p.left_at', 'is', null)
        .as('pupils'),
    ])
    .where('c.left_at', 'is', null)
    .orderBy('c.title');
  if (classIds) query = query.where('c.id', 'in', classIds);
  if (schoolId !== null) query = query.where('c.school_id', '=', schoolId);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const teachers = await db
    .selectFrom('roster_class_staff as cs')
    .innerJoin('roster_staff as s', 's.id', 'cs.staff_id')
    .innerJoin('users as u', 'u.email', 's.email')
    .select(['cs.class_id', 'u.id', 'u.display_name'])
    .where(
      'cs.class_id',
      'in',
      rows.map((r) => r.id),
    )
    .where('s.left_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .execute();
  return rows.map((r) => {
    const yg = yearGroup(r.year_group);
    return {
      id: r.id,
      name: r.title,
      yearGroup: yg,
      keyStage: keyStageOf(yg),
      pupils: Number(r.pupils ?? 0),
      teachers: teachers.filter((t) => t.class_id === r.id).map((t) => ({ id: t.id, name: t.display_name })),
      roomId: r.room_id,
    };
  });
}

/**
 * The room a live class is taught in: undefined for no such class (or one of another school
 * than `schoolId`; null: any school), null for no room yet.
 */
export async function classRoom(
  db: Db,
  classId: string,
  schoolId: number | null = null,
): Promise<string | null | undefined> {
  let q = db
    .selectFrom('roster_classes')
    .select('room_id')
    .where('id', '=', classId)
    .where('left_at', 'is', null);
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  const row = await q.executeTakeFirst();
  return row ? row.room_id : undefined;
}

/**
 * The pupils (even ones who have left) a chronology's key names: a roster id, or a login, in
 * `schoolId` (a school's staff's, or the school a trust-level DSL named) or, null, in every
 * school. A login is one pupil's within a school only, so with no school it may name several
 * children (one a school), which the caller must not merge into one record.
 */
export async function pupilsByKey(
  db: Db,
  key: string,
  schoolId: number | null,
): Promise<{ id: string; schoolId: number | null; logins: string[] }[]> {
  const trimmed = key.trim();
  let found: { id: string; school_id: number | null }[] = [];
  if (/^[0-9a-f-]{36}$/i.test(trimmed)) {
    let q = db
      .selectFrom('roster_pupils')
      .select(['id', 'school_id'])
      .where('id', '=', trimmed.toLowerCase());
    if (schoolId !== null) q = q.where('school_id', '=', schoolId);
    found = await q.execute();
  }
  if (found.length === 0) {
    let q = db
      .selectFrom('roster_logins')
      .select(['pupil_id as id', 'school_id'])
      .where('login', '=', normaliseLogin(trimmed));
    if (schoolId !== null) q = q.where('school_id', '=', schoolId);
    found = await q.orderBy('school_id').execute();
  }
  const out = [];
  for (const pupil of found) {
    const logins = await db
      .selectFrom('roster_logins')
      .select('login')
      .where('pupil_id', '=', pupil.id)
      .execute();
    out.push({ id: pupil.id, schoolId: pupil.school_id, logins: logins.map((l) => l.login) });
  }
  return out;
}

/**
 * One school's live pupils' logins with their key stage (the AUP audience follows it): the
 * rules a computer of that school gets, since the same login elsewhere is another child.
 */
export async function loginsWithKeyStage(
  db: Db,
  schoolId: number,
): Promise<{ login: string; keyStage: string | null }[]> {
  const rows = await db
    .selectFrom('roster_logins as l')
    .innerJoin('roster_pupils as p', 'p.id', 'l.pupil_id')
    .select(['l.login', 'p.year_group'])
    .where('p.left_at', 'is', null)
    .where('l.school_id', '=', schoolId)
    .orderBy('l.login')
    .execute();
  return rows.map((r) => ({ login: r.login, keyStage: keyStageOf(yearGroup(r.year_group)) }));
}

/**
 * A school's terms and years from its last roster import, oldest first; `schoolId` null (a
 * trust-level member of staff): every school's.
 */
export async function listSessions(db: Db, schoolId: number | null = null): Promise<AcademicSession[]> {
  let q = db.selectFrom('roster_sessions').selectAll();
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  const rows = await q.orderBy('start_date').orderBy('end_date').orderBy('sourced_id').execute();
  return rows.map((r) => ({
    id: r.sourced_id,
    title: r.title,
    type: r.type,
    startDate: r.start_date,
    endDate: r.end_date,
  }));
}
