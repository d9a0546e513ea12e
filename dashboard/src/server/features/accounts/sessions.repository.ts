/** The `sessions` table: staff sign-ins, stored as the SHA-256 of the cookie's secret. */
import type { SessionUser } from '../../core/identity.js';
import { hashSecret, newSecret } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';

/** A session lasts a school day and a bit; staff sign in again after that. */
export const sessionHours = 12;
/** A sign-in waiting for its second factor lasts five minutes. */
export const pendingMinutes = 5;

export interface NewSession {
  /** 'second_factor': only a pending sign-in, which opens nothing until the code is given. */
  stage?: 'full' | 'second_factor';
  secondFactorAt?: string | null;
  via?: 'password' | 'sso' | 'setup' | 'reset';
}

export async function createSession(
  db: Db,
  userId: string,
  options: NewSession = {},
  now = new Date(),
): Promise<string> {
  const token = newSecret('hs_');
  const stage = options.stage ?? 'full';
  const ms = stage === 'full' ? sessionHours * 3600_000 : pendingMinutes * 60_000;
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ms).toISOString(),
      stage,
      second_factor_at: options.secondFactorAt ?? null,
      via: options.via ?? 'password',
    })
    .execute();
  return token;
}

/** A session's id: the hash of its secret, as stored (never the secret itself). */
export const sessionIdOf = (token: string) => hashSecret(token);

export interface SessionRow {
  userId: string;
  stage: 'full' | 'second_factor';
  secondFactorAt: string | null;
  via: string | null;
}

/** A session (of an enabled account) by its secret, whatever its stage; null if none or expired. */
export async function sessionByToken(db: Db, token: string | undefined): Promise<SessionRow | null> {
  if (!token || token.length > 200) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.user_id',
      'sessions.stage',
      'sessions.second_factor_at',
      'sessions.via',
      'sessions.expires_at',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date().toISOString()) return null;
  return { userId: row.user_id, stage: row.stage, secondFactorAt: row.second_factor_at, via: row.via };
}

/**
 * The signed-in, enabled user behind a full session's cookie, or null. A pending sign-in
 * (stage 'second_factor') is nobody yet.
 */
export async function userForSession(
  db: Db,
  token: string | undefined,
): Promise<
  | (Omit<SessionUser, 'restriction'> & {
      mustChangePassword: boolean;
      totpEnrolled: boolean;
      via: string | null;
      /** When the sign-in ends: a live connection ends with it. */
      expiresAt: string;
    })
  | null
> {
  if (!token || token.length > 200) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.email',
      'users.display_name',
      'users.role',
      'users.school_id',
      'users.password_must_change',
      'users.totp_enrolled_at',
      'sessions.expires_at',
      'sessions.second_factor_at',
      'sessions.via',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .where('sessions.stage', '=', 'full')
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date().toISOString()) return null;
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    schoolId: row.school_id,
    secondFactor: row.second_factor_at !== null,
    mustChangePassword: row.password_must_change === 1,
    totpEnrolled: row.totp_enrolled_at !== null,
    via: row.via,
    expiresAt: row.expires_at,
  };
}

/** Marks a session as having proven a second factor (the user just enrolled one in it). */
export async function markSecondFactor(db: Db, token: string, at = new Date()): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ second_factor_at: at.toISOString() })
    .where('token_hash', '=', hashSecret(token))
    .execute();
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashSecret(token)).execute();
}

export async function deleteSessionsOf(db: Db, userId: string, except?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (except) q = q.where('token_hash', '!=', hashSecret(except));
  await q.execute();
}

export async function purgeExpiredSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', new Date().toISOString()).execute();
}
