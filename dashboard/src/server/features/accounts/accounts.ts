/**
 * Staff accounts: first-run setup, signing in (a password, then a second factor if the
 * account has one), passwords changed and reset, and the administrator's changes. Each is
 * audited here.
 */
import type { Role } from '@harbour/shared';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import type { SessionUser } from '../../core/identity.js';
import type { ServerKeys } from '../../core/keys.js';
import { decoyHash, hashPassword, verifyPassword } from '../../core/passwords.js';
import { channel, type Push } from '../../core/ports.js';
import { hashSecret, newSecret } from '../../core/secrets.js';
import type { Db } from '../../db/database.js';
import { lockNumberedAppends } from '../../db/portable.js';
import { schoolExists } from '../../core/schools.js';
import { failureCounted, lockedUntil } from './lockout.js';
import type { PasswordPolicy } from './password-policy.js';
import {
  acceptedStep,
  looksLikeRecoveryCode,
  newRecoveryCode,
  newTotpSecret,
  otpauthUri,
  replaceRecoveryCodes,
  sealTotpSecret,
  unsealTotpSecret,
  useRecoveryCode,
} from './second-factor.js';
import {
  createSession,
  deleteSession,
  deleteSessionsOf,
  markSecondFactor,
  sessionByToken,
} from './sessions.repository.js';
import type { IdentitySettingsStore } from './settings.js';
import {
  insertUser,
  needsSetup,
  updateUser,
  userByEmail,
  userById,
  type UserRow,
} from './users.repository.js';

export interface AccountDeps {
  db: Db;
  push: Push;
  keys: ServerKeys;
  policy: PasswordPolicy;
  settings: IdentitySettingsStore;
}

/** A password that can never match: accounts that sign in only by SSO or a reset link. */
export const noPassword = '!';
const resetLinkHours = 24;

/** Creates the first admin if there is no user yet; returns undefined if someone beat us to it. */
export async function createFirstAdmin(
  deps: Pick<AccountDeps, 'db' | 'policy'>,
  input: { email: string; displayName: string; password: string },
): Promise<UserRow | undefined> {
  await deps.policy.check(input.password, input);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    // Two nodes starting together on an empty PostgreSQL both saw "no user yet" and both
    // inserted: the second node failed to start on the duplicate email. The audit trail's
    // lock (taken by audit() below anyway) makes the second wait and then see the first.
    await lockNumberedAppends(trx);
    if (!(await needsSetup(trx))) return undefined;
    const row = await insertUser(trx, { ...input, role: 'admin', passwordHash });
    await audit(trx, { actor: row.id, action: 'user.setup', subject: row.id });
    return row;
  });
}

export type SignInResult =
  { kind: 'signedIn'; row: UserRow; token: string } | { kind: 'secondFactor'; token: string };

function refuseLocked(until: string): never {
  throw new HarbourError(
    'rate_limited',
    `Too many wrong attempts for this account. Sign-in is paused until ${until}.`,
  );
}

/**
 * Checks an email and password. Without a second factor that is a session; with one, a
 * pending sign-in that opens nothing until `completeSecondFactor`. Wrong passwords count
 * toward the account's lockout, and a locked account is refused even the right password.
 */
export async function signIn(deps: AccountDeps, email: string, password: string): Promise<SignInResult> {
  const { db } = deps;
  const row = await userByEmail(db, email);
  const now = new Date();
  const locked = row && lockedUntil(row, now);
  if (locked) {
    await audit(db, { actor: 'anonymous', action: 'auth.login_locked', subject: row.id });
    refuseLocked(locked);
  }
  const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
  if (!row || !ok || row.disabled_at !== null) {
    if (row && row.disabled_at === null) await failureCounted(db, row, now);
    await audit(db, { actor: 'anonymous', action: 'auth.login_failed', detail: { email } });
    throw new HarbourError('unauthenticated', 'That email and password do not match an active account.');
  }
  if (!(await deps.settings.get()).localPasswords && row.role !== 'admin') {
    throw new HarbourError('forbidden', 'This school signs in with single sign-on, not a Harbour password.');
  }
  if (row.totp_enrolled_at) {
    // The failures are not forgiven yet: only the whole sign-in, code included, does that.
    const token = await createSession(db, row.id, { stage: 'second_factor', via: 'password' });
    await audit(db, { actor: row.id, action: 'auth.password_ok' });
    return { kind: 'secondFactor', token };
  }
  await forgiveFailures(db, row);
  const token = await createSession(db, row.id, { via: 'password' });
  await audit(db, { actor: row.id, action: 'auth.login' });
  return { kind: 'signedIn', row, token };
}

async function forgiveFailures(db: Db, row: UserRow): Promise<void> {
  if (row.failed_sign_ins !== 0 || row.locked_until !== null)
    await updateUser(db, row.id, { failed_sign_ins: 0, locked_until: null });
}

/**
 * Checks a code against an account's second factor: a TOTP code not used before, or an
 * unused recovery code. Wrong and replayed codes count toward the lockout.
 */
export async function checkSecondFactor(
  deps: Pick<AccountDeps, 'db' | 'keys'>,
  row: UserRow,
  code: string,
): Promise<'totp' | 'recovery' | null> {
  const { db } = deps;
  const now = new Date();
  const locked = lockedUntil(row, now);
  if (locked) refuseLocked(locked);
  let how: 'totp' | 'recovery' | null = null;
  if (looksLikeRecoveryCode(code)) {
    if (await useRecoveryCode(db, row.id, code)) how = 'recovery';
  } else if (row.totp_secret && row.totp_enrolled_at) {
    const secret = unsealTotpSecret(deps.keys, row.id, row.totp_secret);
    const step = secret ? acceptedStep(secret, code, row.totp_last_step, now.getTime()) : null;
    if (step !== null) {
      // Only one request can move the step on: a code raced in twice is accepted once.
      const moved = await db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1) how = 'totp';
    }
  }
  if (!how) {
    await failureCounted(db, row, now);
    await audit(db, { actor: row.id, action: 'auth.second_factor_failed' });
  }
  return how;
}

/** Completes a pending sign-in with its code: the pending session is replaced by a full one. */
export async function completeSecondFactor(
  deps: AccountDeps,
  pendingToken: string | undefined,
  code: string,
): Promise<{ row: UserRow; token: string }> {
  const { db } = deps;
  const pending = await sessionByToken(db, pendingToken);
  if (!pending || pending.stage !== 'second_factor' || !pendingToken) {
    throw new HarbourError('unauthenticated', 'Sign in with your email and password first.');
  }
  const row = await userById(db, pending.userId);
  if (!row) throw new HarbourError('unauthenticated', 'Sign in with your email and password first.');
  const how = await checkSecondFactor(deps, row, code);
  if (!how) throw new HarbourError('unauthenticated', 'That code is not right, or it has been used already.');
  await deleteSession(db, pendingToken);
  await forgiveFailures(db, row);
  const token = await createSession(db, row.id, {
    via: pending.via === 'sso' ? 'sso' : 'password',
    secondFactorAt: new Date().toISOString(),
  });
  await audit(db, { actor: row.id, action: 'auth.login', detail: { secondFactor: how } });
  return { row, token };
}

/**
 * The school a new or moved account gets (core/tenancy.ts): a school's admin makes and keeps
 * accounts in their own school only (naming another, or trust-level, is refused before
 * anything is written); a trust-level admin names any school, or null for trust-level.
 */
async function schoolForAccount(
  db: Db,
  actor: SessionUser,
  requested: number | null | undefined,
): Promise<number | null> {
  if (actor.schoolId !== null) {
    if (requested !== undefined && requested !== actor.schoolId)
      throw new HarbourError('forbidden', 'You can only manage accounts of your own school.');
    return actor.schoolId;
  }
  if (requested === undefined || requested === null) return null;
  if (!(await schoolExists(db, requested)))
    throw new HarbourError('validation_failed', 'There is no such school.');
  return requested;
}

/** The account, if `actor` may manage it: another school's answers 404, as one that does not exist. */
async function manageableUser(db: Db, actor: SessionUser, id: string): Promise<UserRow> {
  const row = await userById(db, id);
  if (!row || (actor.schoolId !== null && row.school_id !== actor.schoolId)) throw notFound('User');
  return row;
}

export async function createUser(
  deps: AccountDeps,
  actor: SessionUser,
  input: {
    email: string;
    displayName: string;
    role: Role;
    password?: string | undefined;
    temporaryPassword: boolean;
    schoolId?: number | null | undefined;
  },
): Promise<UserRow> {
  const { db } = deps;
  const schoolId = await schoolForAccount(db, actor, input.schoolId);
  const existing = await userByEmail(db, input.email);
  if (existing)
    throw new HarbourError('conflict', `An account with the email ${input.email} already exists.`);
  if (input.password) await deps.policy.check(input.password, input);
  const passwordHash = input.password ? await hashPassword(input.password) : noPassword;
  const row = await insertUser(db, {
    ...input,
    schoolId,
    passwordHash,
    mustChangePassword: Boolean(input.password) && input.temporaryPassword,
  });
  await audit(db, {
    actor: actor.id,
    action: 'user.create',
    subject: row.id,
    detail: {
      role: input.role,
      password: input.password ? (input.temporaryPassword ? 'temporary' : 'set') : 'none',
      schoolId,
    },
  });
  return row;
}

export async function changeUser(
  db: Db,
  push: Push,
  actor: SessionUser,
  id: string,
  change: {
    displayName?: string | undefined;
    role?: Role | undefined;
    disabled?: boolean | undefined;
    schoolId?: number | null | undefined;
  },
): Promise<UserRow> {
  if (id === actor.id && (change.disabled === true || (change.role && change.role !== 'admin'))) {
    throw new HarbourError('conflict', 'You cannot disable your own account or remove your own admin role.');
  }
  const row = await manageableUser(db, actor, id);
  if (change.schoolId !== undefined) await schoolForAccount(db, actor, change.schoolId);
  const moved = change.schoolId !== undefined && change.schoolId !== row.school_id;
  const updated = await updateUser(db, id, {
    ...(change.schoolId !== undefined && { school_id: change.schoolId }),
    ...(change.displayName !== undefined && { display_name: change.displayName }),
    ...(change.role !== undefined && { role: change.role }),
    ...(change.disabled !== undefined && {
      disabled_at: change.disabled ? (row.disabled_at ?? new Date().toISOString()) : null,
    }),
  });
  if (moved || change.disabled === true || (change.role !== undefined && change.role !== row.role)) {
    // A disabled user, or one whose role or school changed, is signed out everywhere at once
    // (live connections hold who they were when they opened).
    await deleteSessionsOf(db, id);
    push.disconnect(channel.user(id));
  }
  await audit(db, { actor: actor.id, action: 'user.update', subject: id, detail: change });
  return updated;
}

/** A user changes their own password; their other sessions end. */
export async function changeOwnPassword(
  deps: AccountDeps,
  user: SessionUser,
  sessionToken: string,
  input: { currentPassword?: string | undefined; newPassword: string },
): Promise<void> {
  const { db } = deps;
  const row = await userById(db, user.id);
  if (!row) throw notFound('User');
  const hasPassword = row.password_hash !== noPassword;
  if (hasPassword && !(await verifyPassword(row.password_hash, input.currentPassword ?? ''))) {
    await failureCounted(db, row, new Date());
    throw new HarbourError('validation_failed', 'Your current password is not right.', [
      { path: 'body.currentPassword', message: 'not right' },
    ]);
  }
  if (hasPassword && input.currentPassword === input.newPassword) {
    throw new HarbourError('validation_failed', 'Choose a password different from the one you have.', [
      { path: 'body.newPassword', message: 'the same as the current one' },
    ]);
  }
  await deps.policy.check(
    input.newPassword,
    { email: row.email, displayName: row.display_name },
    'newPassword',
  );
  await setPassword(db, row.id, await hashPassword(input.newPassword));
  await deleteSessionsOf(db, row.id, sessionToken);
  await audit(db, { actor: user.id, action: 'user.password_change', subject: user.id });
}

async function setPassword(db: Db, id: string, passwordHash: string, mustChange = false): Promise<void> {
  await updateUser(db, id, {
    password_hash: passwordHash,
    password_must_change: mustChange ? 1 : 0,
    password_changed_at: new Date().toISOString(),
    failed_sign_ins: 0,
    locked_until: null,
  });
}

/**
 * An admin resets someone's password: a one-use link (24 hours), or a new temporary password
 * shown once and changed at the next sign-in. Either way the account's lockout is lifted;
 * a temporary password also signs them out everywhere.
 */
export async function adminResetPassword(
  deps: AccountDeps,
  actor: SessionUser,
  id: string,
  mode: 'link' | 'temporary',
): Promise<{ link?: string; expiresAt?: string; temporaryPassword?: string }> {
  const { db } = deps;
  await manageableUser(db, actor, id);
  const row = await userById(db, id);
  if (!row) throw notFound('User');
  if (mode === 'link') {
    const token = newSecret('hpr_');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + resetLinkHours * 3600_000).toISOString();
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('password_resets')
        .where('user_id', '=', id)
        .where('used_at', 'is', null)
        .execute();
      await trx
        .insertInto('password_resets')
        .values({
          token_hash: hashSecret(token),
          user_id: id,
          created_by: actor.id,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          used_at: null,
        })
        .execute();
      await updateUser(trx, id, { failed_sign_ins: 0, locked_until: null });
      await audit(trx, { actor: actor.id, action: 'user.password_reset', subject: id, detail: { mode } });
    });
    return { link: `/reset-password#${token}`, expiresAt };
  }
  const temporaryPassword = newRecoveryCode();
  await setPassword(db, id, await hashPassword(temporaryPassword), true);
  await deleteSessionsOf(db, id);
  deps.push.disconnect(channel.user(id));
  await audit(db, { actor: actor.id, action: 'user.password_reset', subject: id, detail: { mode } });
  return { temporaryPassword };
}

/** Someone uses the link an admin gave them to choose a new password. */
export async function usePasswordResetLink(
  deps: AccountDeps,
  token: string,
  newPassword: string,
): Promise<void> {
  const { db } = deps;
  const reset = await db
    .selectFrom('password_resets')
    .selectAll()
    .where('token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  const row = reset && (await userById(db, reset.user_id));
  if (
    !reset ||
    !row ||
    reset.used_at !== null ||
    reset.expires_at <= new Date().toISOString() ||
    row.disabled_at
  ) {
    throw new HarbourError(
      'unauthenticated',
      'This link has expired or has been used. Ask an administrator for a new one.',
    );
  }
  await deps.policy.check(newPassword, { email: row.email, displayName: row.display_name }, 'newPassword');
  const passwordHash = await hashPassword(newPassword);
  const used = await db
    .updateTable('password_resets')
    .set({ used_at: new Date().toISOString() })
    .where('token_hash', '=', reset.token_hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1)
    throw new HarbourError('unauthenticated', 'This link has been used.');
  await setPassword(db, row.id, passwordHash);
  await deleteSessionsOf(db, row.id);
  deps.push.disconnect(channel.user(row.id));
  await audit(db, { actor: row.id, action: 'user.password_reset_used', subject: row.id });
}

/** Starts setting up TOTP: a new secret, kept sealed until a code from it confirms it. */
export async function startSecondFactor(
  deps: Pick<AccountDeps, 'db' | 'keys'>,
  user: SessionUser,
): Promise<{ secret: string; otpauthUri: string }> {
  const row = await userById(deps.db, user.id);
  if (!row) throw notFound('User');
  if (row.totp_enrolled_at) {
    throw new HarbourError('conflict', 'You already have a second factor. An administrator can reset it.');
  }
  const secret = newTotpSecret();
  await updateUser(deps.db, user.id, {
    totp_secret: sealTotpSecret(deps.keys, user.id, secret),
    totp_last_step: null,
  });
  return { secret, otpauthUri: otpauthUri(secret, row.email) };
}

/** Confirms TOTP with a first code; this session counts as having proven it. Returns the recovery codes, once. */
export async function confirmSecondFactor(
  deps: Pick<AccountDeps, 'db' | 'keys'>,
  user: SessionUser,
  sessionToken: string,
  code: string,
): Promise<string[]> {
  const { db } = deps;
  const row = await userById(db, user.id);
  if (!row?.totp_secret || row.totp_enrolled_at) {
    throw new HarbourError('conflict', 'Start setting up the second factor first.');
  }
  const secret = unsealTotpSecret(deps.keys, user.id, row.totp_secret);
  const step = secret ? acceptedStep(secret, code.trim(), null) : null;
  if (step === null) {
    throw new HarbourError('validation_failed', 'That code is not right. Check the time on your phone.', [
      { path: 'body.code', message: 'not right' },
    ]);
  }
  return db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { totp_enrolled_at: new Date().toISOString(), totp_last_step: step });
    const codes = await replaceRecoveryCodes(trx, user.id);
    await markSecondFactor(trx, sessionToken);
    await audit(trx, { actor: user.id, action: 'user.second_factor_enrolled', subject: user.id });
    return codes;
  });
}

export async function newRecoveryCodes(db: Db, user: SessionUser): Promise<string[]> {
  const row = await userById(db, user.id);
  if (!row?.totp_enrolled_at) throw new HarbourError('conflict', 'Set up a second factor first.');
  const codes = await replaceRecoveryCodes(db, user.id);
  await audit(db, { actor: user.id, action: 'user.recovery_codes', subject: user.id });
  return codes;
}

/** Another admin removes someone's lost second factor; they set up a new one at next sign-in. */
export async function adminResetSecondFactor(
  deps: Pick<AccountDeps, 'db' | 'push'>,
  actor: SessionUser,
  id: string,
): Promise<void> {
  const { db } = deps;
  if (actor.id === id) {
    throw new HarbourError('conflict', 'Another administrator must reset your second factor.');
  }
  await manageableUser(db, actor, id);
  const row = await userById(db, id);
  if (!row) throw notFound('User');
  await db.transaction().execute(async (trx) => {
    await updateUser(trx, id, { totp_secret: null, totp_enrolled_at: null, totp_last_step: null });
    await trx.deleteFrom('recovery_codes').where('user_id', '=', id).execute();
    await deleteSessionsOf(trx, id);
    await audit(trx, { actor: actor.id, action: 'user.second_factor_reset', subject: id });
  });
  deps.push.disconnect(channel.user(id));
}
