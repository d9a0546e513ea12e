/** Staff accounts: first-run setup, signing in, and the administrator's changes. Each is audited here. */
import type { Role } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import { decoyHash, hashPassword, verifyPassword } from '../../core/passwords.js';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { createSession, deleteSessionsOf } from './sessions.repository.js';
import {
  insertUser,
  needsSetup,
  updateUser,
  userByEmail,
  userById,
  type UserRow,
} from './users.repository.js';

/** Creates the first admin if there is no user yet; returns undefined if someone beat us to it. */
export async function createFirstAdmin(
  db: Db,
  input: { email: string; displayName: string; password: string },
): Promise<UserRow | undefined> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    if (!(await needsSetup(trx))) return undefined;
    const row = await insertUser(trx, { ...input, role: 'admin', passwordHash });
    await audit(trx, { actor: row.id, action: 'user.setup', subject: row.id });
    return row;
  });
}

/** Checks an email and password; returns the account and a new session's secret. */
export async function signIn(
  db: Db,
  email: string,
  password: string,
): Promise<{ row: UserRow; token: string }> {
  const row = await userByEmail(db, email);
  const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
  if (!row || !ok || row.disabled_at !== null) {
    await audit(db, { actor: 'anonymous', action: 'auth.login_failed', detail: { email } });
    throw new HarbourError('unauthenticated', 'That email and password do not match an active account.');
  }
  const token = await createSession(db, row.id);
  await audit(db, { actor: row.id, action: 'auth.login' });
  return { row, token };
}

export async function createUser(
  db: Db,
  actor: SessionUser,
  input: { email: string; displayName: string; role: Role; password: string },
): Promise<UserRow> {
  const existing = await userByEmail(db, input.email);
  if (existing)
    throw new HarbourError('conflict', `An account with the email ${input.email} already exists.`);
  const row = await insertUser(db, { ...input, passwordHash: await hashPassword(input.password) });
  await audit(db, { actor: actor.id, action: 'user.create', subject: row.id, detail: { role: input.role } });
  return row;
}

export async function changeUser(
  db: Db,
  push: Push,
  actor: SessionUser,
  id: string,
  change: { displayName?: string | undefined; role?: Role | undefined; disabled?: boolean | undefined },
): Promise<UserRow> {
  if (id === actor.id && (change.disabled === true || (change.role && change.role !== 'admin'))) {
    throw new HarbourError('conflict', 'You cannot disable your own account or remove your own admin role.');
  }
  const row = await userById(db, id);
  if (!row) throw notFound('User');
  const updated = await updateUser(db, id, {
    ...(change.displayName !== undefined && { display_name: change.displayName }),
    ...(change.role !== undefined && { role: change.role }),
    ...(change.disabled !== undefined && {
      disabled_at: change.disabled ? (row.disabled_at ?? new Date().toISOString()) : null,
    }),
  });
  if (change.disabled === true || (change.role !== undefined && change.role !== row.role)) {
    // A disabled user, or one whose role changed, is signed out everywhere at once.
    await deleteSessionsOf(db, id);
    push.disconnect(channel.user(id));
  }
  await audit(db, { actor: actor.id, action: 'user.update', subject: id, detail: change });
  return updated;
}
