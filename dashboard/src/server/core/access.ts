import { can, type Permission, type Role } from '@harbour/shared';

/**
 * Every route and socket event declares who may call it:
 * - 'public': anyone, signed in or not (health, login, first-run setup, agent enrolment)
 * - 'device': an enrolled, unrevoked device, by its credential (`Authorization: Device id:secret`)
 * - 'signedIn': any signed-in staff member
 * - a Permission: a signed-in staff member whose role has it (see shared/roles.ts)
 * Routes without a declaration refuse to register, so nothing is open by accident.
 */
export type Access = 'public' | 'signedIn' | 'device' | Permission;

export function allows(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null || access === 'device') return false;
  if (access === 'signedIn') return true;
  return can(role, access);
}
