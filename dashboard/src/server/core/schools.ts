/**
 * The `schools` table (migration 0014): the trust's schools. Every query of it lives here,
 * in core because every feature scopes by school (core/tenancy.ts) and names schools in its
 * audit entries.
 */
import type { School } from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { SchoolsTable } from '../db/schema.js';

const toSchool = (row: Selectable<SchoolsTable>): School => ({
  id: row.id,
  name: row.name,
  code: row.code,
  createdAt: row.created_at,
});

export async function listSchools(db: Db, only: number | null = null): Promise<School[]> {
  let q = db.selectFrom('schools').selectAll();
  if (only !== null) q = q.where('id', '=', only);
  return (await q.orderBy('name').execute()).map(toSchool);
}

export async function schoolById(db: Db, id: number): Promise<School | undefined> {
  const row = await db.selectFrom('schools').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSchool(row);
}

export async function schoolExists(db: Db, id: number): Promise<boolean> {
  return (await schoolById(db, id)) !== undefined;
}

/** The trust's school when it has exactly one (an install of one school), else null. */
export async function onlySchool(db: Db): Promise<number | null> {
  const rows = await db.selectFrom('schools').select('id').limit(2).execute();
  return rows.length === 1 ? (rows[0]?.id ?? null) : null;
}

/**
 * Whether the trust has more than one school: reads at most two ids by the primary key, so it
 * costs the same however many schools there are, and every node sharing the database agrees
 * at once when a school is created (no cache to go stale).
 */
export async function severalSchools(db: Db): Promise<boolean> {
  const rows = await db.selectFrom('schools').select('id').limit(2).execute();
  return rows.length > 1;
}

export async function schoolWithCode(db: Db, code: string): Promise<School | undefined> {
  const row = await db.selectFrom('schools').selectAll().where('code', '=', code).executeTakeFirst();
  return row && toSchool(row);
}

export async function insertSchool(db: Db, input: { name: string; code: string }): Promise<School> {
  const row = await db
    .insertInto('schools')
    .values({ name: input.name, code: input.code, created_at: new Date().toISOString() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSchool(row);
}

export async function updateSchool(
  db: Db,
  id: number,
  set: { name?: string | undefined; code?: string | undefined },
): Promise<School | undefined> {
  const row = await db
    .updateTable('schools')
    .set({
      ...(set.name !== undefined && { name: set.name }),
      ...(set.code !== undefined && { code: set.code }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toSchool(row);
}

/** How an audit entry names a school: `{ id, name }`, or null for a record of no school. */
export async function schoolLabel(db: Db, id: number | null): Promise<{ id: number; name: string } | null> {
  if (id === null) return null;
  const school = await schoolById(db, id);
  return { id, name: school?.name ?? 'unknown school' };
}
