import { describe, expect, it } from 'vitest';
import { can, permissions, roles } from './roles.js';

describe('roles', () => {
  it('only admins manage accounts', () => {
    expect(roles.filter((r) => can(r, 'manageUsers'))).toEqual(['admin']);
  });

  it('teachers cannot manage devices or rooms', () => {
    expect(can('teacher', 'manageDevices')).toBe(false);
    expect(can('teacher', 'manageRooms')).toBe(false);
  });

  it('every permission names only known roles', () => {
    for (const allowed of Object.values(permissions)) for (const r of allowed) expect(roles).toContain(r);
  });
});

describe('activity and watch lists', () => {
  it('technicians never read pupils’ activity or flags; only the DSL and admins manage watch lists', () => {
    expect(can('technician', 'readActivity')).toBe(false);
    expect(can('technician', 'viewFlags')).toBe(false);
    expect(roles.filter((r) => can(r, 'manageWatchlists'))).toEqual(['admin', 'dsl']);
  });
});
