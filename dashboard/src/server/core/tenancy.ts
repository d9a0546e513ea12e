/**
 * Schools as tenants of one server (issue 18 item 4; docs/trust.md). A member of staff with a
 * school sees only that school's rooms, devices, activity, flags and records; one without
 * (`schoolId` null) is trust-level and sees every school, each read of a school's record
 * audited with the school named. A record of another school answers 404, as one that does
 * not exist, so that its existence is not confirmed. Per-room rules (teachers' rooms, access
 * grants) apply inside the school on top of this.
 */
import type { SessionUser } from './identity.js';
import { notFound } from './errors.js';

/** The school `user` is confined to, or null for trust-level staff (every school). */
export const schoolOf = (user: Pick<SessionUser, 'schoolId'>): number | null => user.schoolId;

export const isTrustLevel = (user: Pick<SessionUser, 'schoolId'>): boolean => user.schoolId === null;

/** Whether `user` may see a record of `schoolId` (null: a record of no school, trust-level only). */
export const inSchool = (user: Pick<SessionUser, 'schoolId'>, schoolId: number | null): boolean =>
  user.schoolId === null || user.schoolId === schoolId;

/** Throws the same 404 as a missing record unless `user` may see a record of `schoolId`. */
export function assertInSchool(
  user: Pick<SessionUser, 'schoolId'>,
  schoolId: number | null | undefined,
  what: string,
): void {
  if (schoolId === undefined || !inSchool(user, schoolId)) throw notFound(what);
}
