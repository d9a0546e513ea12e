/** The `users` table: staff accounts. Every query of it lives here. */
import { randomUUID } from 'node:crypto';
import type { Role, User } from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { UsersTable } from '../../db/schema.js';

export type UserRow = Selectable<UsersTable>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    schoolId: row.school_id,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    mustChangePassword: row.password_must_change === 1,
    secondFactor: row.totp_enrolled_at !== null,
    sso: row.sso_subject !== null,
    lockedUntil: row.locked_until && row.locked_until > new Date().toISOString() ? row.locked_until : null,
  };
}

export async function needsSetup(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0) === 0;
}

export function userById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function userByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Every account, or (`schoolId` a number) those of one school only. */
export function listUsers(db: Db, schoolId: number | null = null): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll();
  if (schoolId !== null) q = q.where('school_id', '=', schoolId);
  return q.orderBy('display_name').execute();
}

export async function insertUser(
  db: Db,
  input: {
    email: string;
    displayName: string;
    role: Role;
    passwordHash: string;
    mustChangePassword?: boolean;
    ssoSubject?: string | null;
    schoolId?: number | null;
  },
): Promise<UserRow> {
  const row: UserRow = {
    id: randomUUID(),
    email: input.email,
    display_name: input.displayName,
    role: input.role,
    password_hash: input.passwordHash,
    disabled_at: null,
    created_at: new Date().toISOString(),
    password_must_change: input.mustChangePassword ? 1 : 0,
    password_changed_at: null,
    failed_sign_ins: 0,
    locked_until: null,
    totp_secret: null,
    totp_last_step: null,
    totp_enrolled_at: null,
    sso_subject: input.ssoSubject ?? null,
    school_id: input.schoolId ?? null,
  };
  await db.insertInto('users').values(row).execute();
  return row;
}

export function updateUser(
  db: Db,
  id: string,
  set: Partial<Omit<UserRow, 'id' | 'created_at'>>,
): Promise<UserRow> {
  return db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Display names by id, for the users among `ids` that exist. */
export async function userNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** How many of `ids` are accounts. */
export async function countExisting(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return rows.length;
}

/** The role and standing of one account (e.g. before assigning it something). */
export function userStanding(
  db: Db,
  id: string,
): Promise<{ id: string; role: Role; disabled_at: string | null; school_id: number | null } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'disabled_at', 'school_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Enabled accounts with one of `roles`, by name: of one school and trust-level ones (for
 * `schoolId`), or every school's (null).
 */
export function activeStaff(db: Db, roles: Role[], schoolId: number | null = null) {
  let q = db
    .selectFrom('users')
    .select(['id', 'display_name', 'role'])
    .where('role', 'in', roles)
    .where('disabled_at', 'is', null);
  if (schoolId !== null)
    q = q.where((eb) => eb.or([eb('school_id', '=', schoolId), eb('school_id', 'is', null)]));
  return q.orderBy('display_name').execute();
}

/** The school of each of `ids` that is an account (null: trust-level). */
export async function schoolsOfAccounts(db: Db, ids: readonly string[]): Promise<Map<string, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'school_id'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.school_id]));
}

/** The longest-standing enabled DSL account: whom new incidents are assigned to by default. */
export async function longestServingDsl(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'dsl')
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}
