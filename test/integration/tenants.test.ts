/**
 * Issue 18 item 4: schools as tenants of one server. Two schools on one real server (SQLite,
 * or PostgreSQL in integration-pg), each with a room, a real enrolled device, a DSL, a teacher;
 * a pupil's report (tell) and a recorded concern in school B. School A's staff try every path
 * to B's records and get nothing (a record by id answers 404, as one that does not exist); the
 * trust-level DSL sees both and each read of B's record is audited naming school B; a school's
 * admin cannot create or move anything into the other school. An install upgraded from 0013
 * keeps every row visible to its (trust-level) staff.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServerToClient } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { databaseAtMigration } from '../support/database.js';
import { addStaff, adminEmail, password, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { connected, dashboardSocket, type DashboardSocket } from '../support/sockets.js';
import { enrolTestDevice, sendEvent, tellBody, type TestDevice } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

type Event = keyof DashboardServerToClient;
const liveEvents: Event[] = ['tell:alert', 'incident:created', 'concern:new', 'device:changed'];

let harbour: Harbour;
let admin: ApiClient;
const school = { a: 0, b: 0 };
const room = { a: '', b: '' };
const device = {} as Record<'a' | 'b', TestDevice>;
const staff = {} as Record<
  'dslA' | 'teacherA' | 'adminA' | 'dslB' | 'trustDsl',
  { id: string; client: ApiClient }
>;
const incident = { a: '', bConcern: '', bTell: '' };
const heard: Record<string, { event: Event; payload: Record<string, unknown> }[]> = {
  dslA: [],
  dslB: [],
  trustDsl: [],
};
const sockets: DashboardSocket[] = [];

async function listen(who: 'dslA' | 'dslB' | 'trustDsl') {
  const socket = await connected(dashboardSocket(harbour.url, staff[who].client.cookieHeader));
  sockets.push(socket);
  for (const event of liveEvents)
    socket.on(event, (payload: unknown) =>
      heard[who]?.push({ event, payload: payload as Record<string, unknown> }),
    );
}

async function record(client: ApiClient, summary: string, extra: Record<string, unknown> = {}) {
  const r = await client.json<{ id: string }>('POST', '/api/incidents', {
    summary,
    category: 'grooming',
    subject: { name: 'Pupil Secretname' },
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

const mentions = (got: unknown, id: string) => JSON.stringify(got).includes(id);

beforeAll(async () => {
  harbour = await startInProcess();
  admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  await admin.enrolSecondFactor();
  const schools = await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  expect(schools.body.schools).toHaveLength(1);
  school.a = schools.body.schools[0]!.id;
  const b = await admin.json<{ id: number }>('POST', '/api/schools', {
    name: 'Brook Primary',
    code: 'brook',
  });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  school.b = b.body.id;

  for (const k of ['a', 'b'] as const) {
    const r = await admin.json<{ id: string }>('POST', '/api/rooms', {
      name: `Year 3 ${k}`,
      schoolId: school[k],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    room[k] = r.body.id;
    device[k] = await enrolTestDevice(harbour.url, admin, room[k], `pc-${k}`);
  }
  const make = (email: string, role: 'dsl' | 'teacher' | 'admin', schoolId: number | null) =>
    admin.createStaff(email, role, password, schoolId);
  staff.dslA = await make('dsl.a@trust.test', 'dsl', school.a);
  staff.teacherA = await make('teacher.a@trust.test', 'teacher', school.a);
  staff.adminA = await make('admin.a@trust.test', 'admin', school.a);
  staff.dslB = await make('dsl.b@trust.test', 'dsl', school.b);
  staff.trustDsl = await make('dsl.trust@trust.test', 'dsl', null);
  for (const who of ['dslA', 'dslB', 'trustDsl'] as const) await listen(who);

  // School A's own concern first: its alert reaching A's DSL shows the channel works.
  incident.a = await record(staff.dslA.client, 'A concern of school A');
  await waitFor(() => heard.dslA!.some((h) => mentions(h.payload, incident.a)), {
    what: 'A’s DSL hears A’s concern',
  });
  // Then school B's: a recorded concern and a pupil's report from B's computer.
  incident.bConcern = await record(staff.dslB.client, 'A concern of school B');
  const tell = tellBody();
  const ack = (await sendEvent(device.b, tell)) as { ok: boolean };
  expect(ack.ok).toBe(true);
  await waitFor(() => heard.dslB!.some((h) => h.event === 'tell:alert' && mentions(h.payload, tell.tellId)), {
    what: 'B’s DSL hears B’s report',
  });
  const list = await staff.dslB.client.json<{ incidents: { id: string; source: string }[] }>(
    'GET',
    '/api/incidents',
  );
  incident.bTell = list.body.incidents.find((i) => i.source === 'report')!.id;
  // Long enough after B's alerts for any that were going to A to have arrived.
  await new Promise((r) => setTimeout(r, 800));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const d of Object.values(device)) d.socket.close();
  await harbour?.close();
});

describe('a school’s DSL sees nothing of another school', () => {
  it('hears no live alert of school B', () => {
    expect(heard.dslA!.length).toBeGreaterThan(0);
    for (const id of [incident.bConcern, incident.bTell]) expect(mentions(heard.dslA, id)).toBe(false);
    expect(mentions(heard.dslA, device.b.deviceId)).toBe(false);
    // B's DSL hears B's, the trust-level DSL hears both.
    expect(mentions(heard.dslB, incident.bConcern)).toBe(true);
    expect(mentions(heard.dslB, incident.a)).toBe(false);
    expect(mentions(heard.trustDsl, incident.a)).toBe(true);
    expect(mentions(heard.trustDsl, incident.bConcern)).toBe(true);
  });

  it('gets 404 for B’s incident by id, on every route, and changes nothing', async () => {
    const dsl = staff.dslA.client;
    for (const id of [incident.bConcern, incident.bTell]) {
      expect((await dsl.json('GET', `/api/incidents/${id}`)).status).toBe(404);
      expect((await dsl.json('POST', `/api/incidents/${id}/notes`, { text: 'peek' })).status).toBe(404);
      expect((await dsl.json('POST', `/api/incidents/${id}/state`, { state: 'acknowledged' })).status).toBe(
        404,
      );
      expect((await dsl.json('PATCH', `/api/incidents/${id}`, { summary: 'changed' })).status).toBe(404);
      expect((await dsl.request('GET', `/api/incidents/${id}/sealed-export`)).status).toBe(404);
      expect((await dsl.json('GET', `/api/concerns/${id}/receipt`)).status).toBe(404);
      expect((await dsl.json('POST', `/api/incidents/${incident.a}/links`, { incidentId: id })).status).toBe(
        404,
      );
    }
    expect((await staff.teacherA.client.json('GET', `/api/incidents/${incident.bConcern}`)).status).toBe(404);
    const b = await staff.dslB.client.json<{ state: string; summary: string; history: unknown[] }>(
      'GET',
      `/api/incidents/${incident.bConcern}`,
    );
    expect(b.body.state).toBe('new');
    expect(b.body.summary).toBe('A concern of school B');
    expect(mentions(b.body.history, 'peek')).toBe(false);
  });

  it('lists, searches and counts only school A', async () => {
    const dsl = staff.dslA.client;
    for (const q of ['', '?q=concern', '?state=new', `?school=${school.b}`]) {
      const r = await dsl.json<{ incidents: { id: string }[]; total: number }>('GET', `/api/incidents${q}`);
      expect(r.status).toBe(200);
      expect(mentions(r.body, incident.bConcern) || mentions(r.body, incident.bTell)).toBe(false);
    }
    const waiting = await dsl.json('GET', '/api/concerns');
    expect(waiting.status).toBe(200);
    expect(mentions(waiting.body, incident.bConcern)).toBe(false);
    const today = new Date().toISOString().slice(0, 10);
    const due = await dsl.json('GET', `/api/actions/due?today=${today}`);
    expect(mentions(due.body, incident.bConcern)).toBe(false);
  });

  it('sees only school A’s rooms, devices, tokens and flags', async () => {
    const dsl = staff.dslA.client;
    const adminA = staff.adminA.client;
    const rooms = await adminA.json<{ rooms: { id: string }[] }>('GET', '/api/rooms');
    expect(rooms.body.rooms.map((r) => r.id)).toEqual([room.a]);
    const overview = await dsl.json('GET', '/api/rooms/overview');
    expect(mentions(overview.body, room.a)).toBe(true);
    expect(mentions(overview.body, room.b)).toBe(false);
    expect((await adminA.json('GET', `/api/rooms/${room.b}/staff`)).status).toBe(404);
    expect((await adminA.json('PUT', `/api/rooms/${room.b}/staff`, { userIds: [] })).status).toBe(404);
    const devices = await adminA.json('GET', '/api/devices');
    expect(mentions(devices.body, device.a.deviceId)).toBe(true);
    expect(mentions(devices.body, device.b.deviceId)).toBe(false);
    expect(
      mentions((await adminA.json('GET', `/api/devices?roomId=${room.b}`)).body, device.b.deviceId),
    ).toBe(false);
    const tokens = await adminA.json('GET', '/api/enrolment-tokens');
    expect(mentions(tokens.body, room.b)).toBe(false);
    expect(
      (await adminA.json('PATCH', `/api/devices/${device.b.deviceId}`, { hostname: 'mine' })).status,
    ).toBe(404);
    expect((await adminA.json('POST', `/api/devices/${device.b.deviceId}/revoke`)).status).toBe(404);
    expect((await adminA.json('POST', '/api/enrolment-tokens', { roomId: room.b })).status).toBe(404);
    const flags = await dsl.json('GET', '/api/flags');
    expect(mentions(flags.body, room.b)).toBe(false);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const activity = await dsl.json(
      'GET',
      `/api/activity?deviceId=${device.b.deviceId}&from=${from}&to=${to}`,
    );
    expect(activity.status, JSON.stringify(activity.body)).toBe(404);
    const users = await adminA.json('GET', '/api/users');
    expect(mentions(users.body, staff.dslB.id)).toBe(false);
    expect(mentions(users.body, staff.trustDsl.id)).toBe(false);
  });
});

describe('the trust-level DSL', () => {
  it('sees both schools, and each read of B’s incident is audited naming school B', async () => {
    const trust = staff.trustDsl.client;
    const list = await trust.json<{ incidents: { id: string; schoolId: number }[] }>('GET', '/api/incidents');
    const ids = list.body.incidents.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([incident.a, incident.bConcern, incident.bTell]));
    expect(list.body.incidents.find((i) => i.id === incident.bTell)?.schoolId).toBe(school.b);
    const onlyB = await trust.json<{ incidents: { id: string }[] }>(
      'GET',
      `/api/incidents?school=${school.b}`,
    );
    expect(onlyB.body.incidents.map((i) => i.id).sort()).toEqual([incident.bConcern, incident.bTell].sort());

    expect((await trust.json('GET', `/api/incidents/${incident.bConcern}`)).status).toBe(200);
    // Nor can B's incident be handed to A's DSL, who could not open it.
    const handed = await trust.json('POST', `/api/incidents/${incident.bConcern}/assign`, {
      userId: staff.dslA.id,
    });
    expect(handed.status).toBe(400);
    const entries = await harbour.db
      .selectFrom('audit_log')
      .select(['actor', 'detail'])
      .where('action', '=', 'incident.view')
      .where('subject', '=', incident.bConcern)
      .where('actor', '=', staff.trustDsl.id)
      .execute();
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.detail ?? '{}')).toMatchObject({
      school: { id: school.b, name: 'Brook Primary' },
      trustLevel: true,
    });
    const listed = await harbour.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'incident.list')
      .where('actor', '=', staff.trustDsl.id)
      .execute();
    expect(listed.map((l) => (JSON.parse(l.detail ?? '{}') as { school: unknown }).school)).toEqual(
      expect.arrayContaining(['every school', { id: school.b, name: 'Brook Primary' }]),
    );
  });
});

describe('who reads the trust’s schools (GET /api/schools)', () => {
  it('every member of staff reads it, a school’s staff only their own school; changing it stays the trust-level admins’', async () => {
    const teacherB = await admin.createStaff('teacher.b@trust.test', 'teacher', password, school.b);
    const techB = await admin.createStaff('tech.b@trust.test', 'technician', password, school.b);
    for (const client of [teacherB.client, techB.client, staff.dslB.client]) {
      const r = await client.json<{ schools: { id: number; name: string }[] }>('GET', '/api/schools');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.schools.map((s) => s.id)).toEqual([school.b]);
      expect(r.body.schools[0]!.name).toBe('Brook Primary');
    }
    for (const client of [staff.dslA.client, staff.teacherA.client]) {
      const r = await client.json<{ schools: { id: number }[] }>('GET', '/api/schools');
      expect(r.body.schools.map((s) => s.id)).toEqual([school.a]);
    }
    // The trust-level DSL needs every school's name for the incidents' School column.
    const trust = await staff.trustDsl.client.json<{ schools: { id: number }[] }>('GET', '/api/schools');
    expect(trust.status).toBe(200);
    expect(trust.body.schools.map((s) => s.id).sort()).toEqual([school.a, school.b].sort());
    expect((await new ApiClient(harbour.url).json('GET', '/api/schools')).status).toBe(401);
    // Reading is all they gain: creating and renaming stay the trust-level admins'.
    for (const client of [staff.trustDsl.client, staff.dslB.client, teacherB.client]) {
      expect((await client.json('POST', '/api/schools', { name: 'Mine', code: 'mine2' })).status).toBe(403);
      expect((await client.json('PATCH', `/api/schools/${school.b}`, { name: 'Mine' })).status).toBe(403);
    }
    const names = await harbour.db.selectFrom('schools').select('name').execute();
    expect(names.map((n) => n.name)).not.toContain('Mine');
  });

  it('the rooms overview names each room’s school (its own school only to a school’s staff)', async () => {
    const all = await admin.json<{ rooms: { id: string; schoolId?: number }[] }>(
      'GET',
      '/api/rooms/overview',
    );
    expect(all.body.rooms.find((r) => r.id === room.b)?.schoolId).toBe(school.b);
    expect(all.body.rooms.find((r) => r.id === room.a)?.schoolId).toBe(school.a);
    const mine = await staff.dslB.client.json<{ rooms: { id: string; schoolId?: number }[] }>(
      'GET',
      '/api/rooms/overview',
    );
    expect(mine.body.rooms.map((r) => r.schoolId)).toEqual([school.b]);
  });
});

describe('a school’s admin administers their own school only', () => {
  it('cannot create a room or account in the other school, move anyone there, or create schools', async () => {
    const adminA = staff.adminA.client;
    const before = await harbour.db.selectFrom('rooms').select('id').execute();
    const usersBefore = await harbour.db.selectFrom('users').select('id').execute();
    expect((await adminA.json('POST', '/api/rooms', { name: 'Sneaky', schoolId: school.b })).status).toBe(
      403,
    );
    const made = await adminA.json('POST', '/api/users', {
      email: 'sneaky@trust.test',
      displayName: 'Sneaky',
      role: 'dsl',
      password,
      schoolId: school.b,
    });
    expect(made.status).toBe(403);
    const trustLevel = await adminA.json('POST', '/api/users', {
      email: 'sneaky2@trust.test',
      displayName: 'Sneaky',
      role: 'dsl',
      password,
      schoolId: null,
    });
    expect(trustLevel.status).toBe(403);
    expect(
      (await adminA.json('PATCH', `/api/users/${staff.teacherA.id}`, { schoolId: school.b })).status,
    ).toBe(403);
    expect((await adminA.json('PATCH', `/api/users/${staff.dslB.id}`, { displayName: 'x' })).status).toBe(
      404,
    );
    expect(
      (await adminA.json('POST', `/api/users/${staff.dslB.id}/password-reset`, { mode: 'link' })).status,
    ).toBe(404);
    expect((await adminA.json('POST', '/api/schools', { name: 'Mine', code: 'mine' })).status).toBe(403);
    expect((await adminA.json('PATCH', `/api/schools/${school.b}`, { name: 'Mine' })).status).toBe(403);
    expect((await harbour.db.selectFrom('rooms').select('id').execute()).length).toBe(before.length);
    expect((await harbour.db.selectFrom('users').select('id').execute()).length).toBe(usersBefore.length);
    const teacher = await harbour.db
      .selectFrom('users')
      .select('school_id')
      .where('id', '=', staff.teacherA.id)
      .executeTakeFirstOrThrow();
    expect(teacher.school_id).toBe(school.a);
    const schools = await adminA.json<{ schools: { id: number }[] }>('GET', '/api/schools');
    expect(schools.body.schools.map((s) => s.id)).toEqual([school.a]);
    // Their own school's room is made in their school, unasked.
    const own = await adminA.json<{ schoolId: number }>('POST', '/api/rooms', { name: 'Year 4' });
    expect(own.status).toBe(201);
    expect(own.body.schoolId).toBe(school.a);
  });

  it('a trust-level admin moves a user to another school, who then sees that school only', async () => {
    const moved = await addStaff(admin, { email: 'mover@trust.test', displayName: 'Mover', role: 'dsl' });
    const r = await admin.json<{ user: { schoolId: number } }>('PATCH', `/api/users/${moved.id}`, {
      schoolId: school.b,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.user.schoolId).toBe(school.b);
    const again = new ApiClient(harbour.url);
    await again.login('mover@trust.test', password);
    const list = await again.json<{ incidents: { id: string }[] }>('GET', '/api/incidents');
    expect(list.status).toBe(200);
    expect(list.body.incidents.map((i) => i.id)).not.toContain(incident.a);
    expect(list.body.incidents.map((i) => i.id)).toContain(incident.bConcern);
  });
});

describe('upgrade from 0013', () => {
  it('keeps every room and incident visible to the install’s existing (trust-level) staff', async () => {
    const dataDir = tempDir('tenants-upgrade');
    const old = await databaseAtMigration(dataDir, '0013_academic_sessions');
    const roomId = randomUUID();
    const incidentId = randomUUID();
    const now = new Date().toISOString();
    await old.insertInto('rooms').values({ id: roomId, name: 'Old room', created_at: now }).execute();
    await old
      .insertInto('incidents')
      .values({
        id: incidentId,
        seq: 1,
        source: 'manual',
        category: 'grooming',
        state: 'new',
        summary: 'Recorded before schools',
        created_at: now,
        occurred_at: now,
        subject_year_group: 'unknown',
        subject_sex: 'not_recorded',
        details: '{}',
      })
      .execute();
    await old.destroy();

    const upgraded = await startInProcess(dataDir);
    try {
      const oldAdmin = new ApiClient(upgraded.url);
      await oldAdmin.login(adminEmail, password);
      const rooms = await oldAdmin.json<{ rooms: { id: string; schoolId: number }[] }>('GET', '/api/rooms');
      expect(rooms.body.rooms.map((r) => r.id)).toEqual([roomId]);
      const dsl = await addStaff(oldAdmin, {
        email: 'old.dsl@school.test',
        displayName: 'Old DSL',
        role: 'dsl',
      });
      const list = await dsl.client.json<{ incidents: { id: string; schoolId: number }[] }>(
        'GET',
        '/api/incidents',
      );
      expect(list.body.incidents.map((i) => i.id)).toEqual([incidentId]);
      expect(list.body.incidents[0]?.schoolId).toBe(rooms.body.rooms[0]?.schoolId);
      expect((await dsl.client.json('GET', `/api/incidents/${incidentId}`)).status).toBe(200);
      // A new room still needs no school named: the install has one.
      expect((await oldAdmin.json('POST', '/api/rooms', { name: 'New room' })).status).toBe(201);
    } finally {
      await upgraded.close();
    }
  });
});
