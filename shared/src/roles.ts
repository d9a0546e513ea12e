import { z } from 'zod';

/**
 * Staff roles. Pupils never log in to the dashboard (they must not see logs).
 * - admin: accounts and settings
 * - technician: rooms, enrolment, devices
 * - dsl: designated safeguarding lead (and deputies): concerns, incidents, policies
 * - teacher: supervises rooms live
 */
export const roles = ['admin', 'technician', 'dsl', 'teacher'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  technician: 'Technician',
  dsl: 'Designated safeguarding lead',
  teacher: 'Teacher',
};

/** Who may do what. Routes and socket events each name one of these. */
export const permissions = {
  manageUsers: ['admin'],
  manageRooms: ['admin', 'technician'],
  manageDevices: ['admin', 'technician'],
  viewRooms: ['admin', 'technician', 'dsl', 'teacher'],
  viewDevices: ['admin', 'technician', 'dsl', 'teacher'],
  watchRooms: ['admin', 'technician', 'dsl', 'teacher'],
  // Incidents: teachers see their own and their rooms' (row-level checks in services/incident-access.ts);
  // the DSL and deputies see and manage all; technicians and admins who are not DSL see none.
  viewIncidents: ['dsl', 'teacher'],
  manageIncidents: ['dsl'],
  verifyAudit: ['admin', 'dsl'],
  manageAup: ['admin', 'dsl'],
  viewAupRegister: ['admin', 'dsl'],
  /** Start/end supervising a room and use the teacher's controls (teachers: their rooms only). */
  supervise: ['dsl', 'teacher'],
  viewSupervision: ['admin', 'dsl', 'teacher'],
  /** Decide which staff may supervise which rooms, and the supervision settings. */
  manageSupervision: ['admin', 'dsl'],
  // Activity logs are about pupils: staff who safeguard or teach them, never technicians.
  // Teachers may read any room until rooms are assigned to teachers.
  readActivity: ['admin', 'dsl', 'teacher'],
  viewFlags: ['admin', 'dsl', 'teacher'],
  manageWatchlists: ['admin', 'dsl'],
  manageActivitySettings: ['admin', 'dsl'],
  // The school's roster (issue 17): admins import it; pupils' names follow the records'
  // rules (a teacher sees their classes' pupils, the DSL all); technicians see no pupils.
  manageRoster: ['admin'],
  viewPupils: ['admin', 'dsl', 'teacher'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;

export function can(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
