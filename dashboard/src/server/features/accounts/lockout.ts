/**
 * Per-account lockout with back-off. Five wrong passwords or codes in a row are free (typing
 * mistakes); each one after that pauses the account's sign-in for twice as long as the last,
 * from one minute up to a quarter of an hour. While paused even the right password is refused,
 * so an account cannot be guessed from many addresses; a success, or an admin's reset,
 * forgives the count. It sits beside the per-address limit, which counts per address and
 * account, so one address behind a school's proxy cannot lock out every member of staff.
 */
import type { Db } from '../../db/database.js';
import type { UserRow } from './users.repository.js';

export const freeFailures = 5;
const maxLockMinutes = 15;

export function lockMinutes(failures: number): number {
  if (failures <= freeFailures) return 0;
  return Math.min(maxLockMinutes, 2 ** (failures - freeFailures - 1));
}

/** Until when the account is locked (ISO time), or null. */
export function lockedUntil(row: Pick<UserRow, 'locked_until'>, now: Date): string | null {
  return row.locked_until && row.locked_until > now.toISOString() ? row.locked_until : null;
}

export async function failureCounted(db: Db, row: Pick<UserRow, 'id'>, now: Date): Promise<void> {
  // One statement, so concurrent failures each count.
  const updated = await db
    .updateTable('users')
    .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
    .where('id', '=', row.id)
    .returning('failed_sign_ins')
    .executeTakeFirst();
  const minutes = lockMinutes(updated?.failed_sign_ins ?? 0);
  if (minutes > 0) {
    await db
      .updateTable('users')
      .set({ locked_until: new Date(now.getTime() + minutes * 60_000).toISOString() })
      .where('id', '=', row.id)
      .execute();
  }
}
