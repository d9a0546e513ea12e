/** The `sessions` table: staff sign-ins, stored as the SHA-256 of the cookie's secret. */
import type { SessionUser, StaffSession } from '../../core/identity.js';
import { hashSecret, newSecret } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';

/** A session lasts a school day and a bit; staff sign in again after that. */
export const sessionHours = 12;

export async function createSession(db: Db, userId: string, now = new Date()): Promise<string> {
  const token = newSecret('hs_');
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + sessionHours * 3600_000).toISOString(),
    })
    .execute();
  return token;
}

/** A session's id: the hash of its secret, as stored (never the secret itself). */
export const sessionIdOf = (token: string) => hashSecret(token);

/** The signed-in, enabled user behind a session cookie, with the session, or null. */
export async function sessionForToken(db: Db, token: string | undefined): Promise<StaffSession | null> {
  if (!token || token.length > 200) return null;
  const id = sessionIdOf(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.display_name', 'users.role', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', id)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date().toISOString()) return null;
  return {
    user: { id: row.id, email: row.email, displayName: row.display_name, role: row.role },
    id,
    expiresAt: row.expires_at,
  };
}

/** The signed-in, enabled user behind a session cookie, or null. */
export async function userForSession(db: Db, token: string | undefined): Promise<SessionUser | null> {
  return (await sessionForToken(db, token))?.user ?? null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashSecret(token)).execute();
}

export async function deleteSessionsOf(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function purgeExpiredSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', new Date().toISOString()).execute();
}
