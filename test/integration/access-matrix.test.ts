import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRequests } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { connected, dashboardSocket, agentSocket } from '../support/sockets.js';

type Caller = 'anonymous' | 'admin' | 'technician' | 'dsl' | 'teacher';
const callers: Caller[] = ['anonymous', 'admin', 'technician', 'dsl', 'teacher'];
const staff = ['admin', 'technician', 'dsl', 'teacher'] as const;
const everyone = callers;
const dslAndTeachers = ['dsl', 'teacher'] as const;

// Who may call what, written out by hand from the product's rules (not read from the
// server), so a route whose declared access drifts makes this test fail.
const expected: Record<string, readonly Caller[]> = {
  'GET /api/health': everyone,
  'GET /api/setup': everyone,
  'POST /api/setup': everyone,
  'POST /api/auth/login': everyone,
  'POST /api/auth/logout': staff,
  'GET /api/auth/me': staff,
  // Issue 17: a second factor, password changes, admin resets. The second step of a sign-in
  // and a reset link are public (they carry their own proof); the rest is one's own account.
  'POST /api/auth/mfa': everyone,
  'POST /api/auth/password': staff,
  'POST /api/auth/password-reset': everyone,
  'GET /api/auth/second-factor': staff,
  'POST /api/auth/second-factor/setup': staff,
  'POST /api/auth/second-factor/confirm': staff,
  'POST /api/auth/second-factor/recovery-codes': staff,
  // Single sign-on (issue 17, item 1): the sign-in page, the redirect out and back are public
  // (state, PKCE and the provider's signature are their proof); the settings are an admin's.
  'GET /api/auth/sso': everyone,
  'GET /api/auth/sso/start': everyone,
  'GET /api/auth/sso/callback': everyone,
  'GET /api/identity/sso': ['admin'],
  'PUT /api/identity/sso': ['admin'],
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:id': ['admin'],
  'POST /api/users/:id/password-reset': ['admin'],
  'POST /api/users/:id/second-factor/reset': ['admin'],
  // The trust's schools (issue 18 item 4): every member of staff reads them (a school's staff
  // their own school only, for the names on the dashboard); creating and changing them is for
  // trust-level admins only (row level, a school's admin is refused: tenants.test.ts).
  'GET /api/schools': staff,
  'POST /api/schools': ['admin'],
  'PATCH /api/schools/:id': ['admin'],
  'GET /api/identity/settings': ['admin'],
  'PATCH /api/identity/settings': ['admin'],
  // The roster (issue 17): admins import it; pupils and classes follow the records' rules (a
  // teacher sees their classes', row-level in roster.test.ts); technicians see no pupils.
  'POST /api/roster/import': ['admin'],
  'GET /api/roster/imports': ['admin'],
  'GET /api/pupils': ['admin', 'dsl', 'teacher'],
  'GET /api/classes': ['admin', 'dsl', 'teacher'],
  'PUT /api/classes/:id/room': ['admin', 'dsl'],
  // The school's term dates (for report presets): a calendar, nobody's personal data.
  'GET /api/terms': staff,
  'GET /api/rooms': staff,
  // Issue 16: the rooms list's cards (online count; supervision only for roles that see it).
  'GET /api/rooms/overview': staff,
  'POST /api/rooms': ['admin', 'technician'],
  'GET /api/enrolment-tokens': ['admin', 'technician'],
  'POST /api/enrolment-tokens': ['admin', 'technician'],
  'POST /api/enrolment-tokens/:id/revoke': ['admin', 'technician'],
  'POST /api/agent/enrol': everyone,
  // Devices only (by credential); no staff session may upload evidence.
  'POST /api/agent/evidence': [],
  'POST /api/agent/merge': [],
  // Issue 16 item 14: a policy's read-aloud audio, for devices only.
  'GET /api/agent/aup/:id/audio': [],
  'GET /api/devices': staff,
  'POST /api/devices/:id/revoke': ['admin', 'technician'],
  'PATCH /api/devices/:id': ['admin', 'technician'],
  'GET /api/openapi.json': everyone,
  // Incidents (issues 6, 7): teachers see their own (row-level tests in incidents.test.ts),
  // the DSL sees and manages all, technicians and admins who are not DSL see none.
  'GET /api/incidents': dslAndTeachers,
  'POST /api/incidents': dslAndTeachers,
  'GET /api/incidents/:id': dslAndTeachers,
  // Issue 16: new concerns reach the DSL (the alert names no pupil); the recorder follows theirs.
  'GET /api/incidents/categories': dslAndTeachers,
  'GET /api/concerns': ['dsl'],
  'POST /api/concerns/:id/received': ['dsl'],
  'POST /api/concerns/:id/acknowledge': ['dsl'],
  'GET /api/concerns/:id/receipt': dslAndTeachers,
  'GET /api/actions/due': ['dsl'],
  'GET /api/actions': ['dsl'],
  'PATCH /api/incidents/:id': ['dsl'],
  'POST /api/incidents/:id/state': ['dsl'],
  'POST /api/incidents/:id/reopen': ['dsl'],
  'POST /api/incidents/:id/assign': ['dsl'],
  'POST /api/incidents/:id/actions': ['dsl'],
  'PATCH /api/incidents/:id/actions/:actionId': ['dsl'],
  'POST /api/incidents/:id/escalations': ['dsl'],
  'POST /api/incidents/:id/links': ['dsl'],
  'POST /api/incidents/:id/people': ['dsl'],
  'POST /api/incidents/:id/share-evidence': ['dsl'],
  'POST /api/incidents/:id/notes': dslAndTeachers,
  'GET /api/incidents/:id/evidence/:sha256': dslAndTeachers,
  'POST /api/incidents/:id/evidence/:sha256/reveal': dslAndTeachers,
  'POST /api/incidents/:id/evidence/:sha256/suspected-illegal': ['dsl'],
  'GET /api/incidents/:id/sealed-export': ['dsl'],
  'POST /api/incidents/:id/attachments': ['dsl'],
  'GET /api/incidents/export.csv': ['dsl'],
  'GET /api/chronology': ['dsl'],
  'GET /api/reports/governors': ['dsl'],
  'GET /api/subject-access': ['dsl'],
  'GET /api/retention/purges': ['dsl'],
  'POST /api/retention/run': ['dsl'],
  'GET /api/audit/verify': ['admin', 'dsl'],
  'GET /api/tell/alerts': dslAndTeachers,
  'POST /api/tell/:id/acknowledge': dslAndTeachers,
  'POST /api/tell/:id/release': dslAndTeachers,
  'GET /api/safeguarding/settings': ['dsl'],
  'PATCH /api/safeguarding/settings': ['dsl'],
  'PUT /api/safeguarding/staff-pin': ['dsl'],
  // A school's own staff PIN, SMTP server and pupilsMayRelease (docs/trust.md).
  'GET /api/safeguarding/schools/:id/settings': ['dsl'],
  'PATCH /api/safeguarding/schools/:id/settings': ['dsl'],
  'PUT /api/safeguarding/schools/:id/staff-pin': ['dsl'],
  'DELETE /api/safeguarding/schools/:id/staff-pin': ['dsl'],
  'GET /api/aup/overview': ['admin', 'dsl'],
  'POST /api/aup/audiences': ['admin', 'dsl'],
  'GET /api/aup/documents': ['admin', 'dsl'],
  'GET /api/aup/documents/:id': ['admin', 'dsl'],
  'POST /api/aup/documents': ['admin', 'dsl'],
  'POST /api/aup/documents/:id/publish': ['admin', 'dsl'],
  'GET /api/aup/settings': ['admin', 'dsl'],
  'PUT /api/aup/settings': ['admin', 'dsl'],
  'GET /api/aup/register': ['admin', 'dsl'],
  'GET /api/aup/register.csv': ['admin', 'dsl'],
  'GET /api/aup/status': ['admin', 'dsl'],
  // Supervision: teachers and the DSL supervise; admins may look; technicians never watch pupils.
  'GET /api/supervision': ['admin', 'dsl', 'teacher'],
  'POST /api/supervision': ['dsl', 'teacher'],
  'GET /api/supervision/:id': ['admin', 'dsl', 'teacher'],
  'POST /api/supervision/:id/end': ['dsl', 'teacher'],
  'POST /api/supervision/:id/controls': ['dsl', 'teacher'],
  'GET /api/supervision/:id/controls': ['admin', 'dsl', 'teacher'],
  'GET /api/rooms/:id/staff': ['admin', 'dsl'],
  'GET /api/supervision/staff': ['admin', 'dsl'],
  'PUT /api/rooms/:id/staff': ['admin', 'dsl'],
  'GET /api/supervision-settings': ['admin', 'dsl', 'teacher'],
  'PATCH /api/supervision-settings': ['admin', 'dsl'],
  // Activity is about pupils: never technicians, never anonymous. Teachers: any room for now.
  'GET /api/activity': ['admin', 'dsl', 'teacher'],
  'GET /api/activity/search': ['admin', 'dsl', 'teacher'],
  'GET /api/activity/top-domains': ['admin', 'dsl', 'teacher'],
  'GET /api/activity/settings': ['admin', 'dsl', 'teacher'],
  'PUT /api/activity/settings': ['admin', 'dsl'],
  'GET /api/device-health': ['admin', 'technician'],
  'GET /api/watchlists': ['admin', 'dsl'],
  'POST /api/watchlists/entries': ['admin', 'dsl'],
  'PUT /api/watchlists/entries/:id': ['admin', 'dsl'],
  'DELETE /api/watchlists/entries/:id': ['admin', 'dsl'],
  'GET /api/watchlists/export': ['admin', 'dsl'],
  'POST /api/watchlists/import': ['admin', 'dsl'],
  'GET /api/flags': ['admin', 'dsl', 'teacher'],
  'GET /api/flags/:id/evidence/:sha256': ['admin', 'dsl', 'teacher'],
  'GET /api/flags/counts': ['admin', 'dsl', 'teacher'],
  'GET /api/flags/:id': ['admin', 'dsl', 'teacher'],
  'POST /api/flags/:id/dismiss': ['dsl'],
  'POST /api/flags/:id/escalate': ['dsl'],
  'POST /api/flags/:id/link': ['dsl'],
};

const expectedEvents: Record<keyof typeof dashboardRequests, readonly Caller[]> = {
  'room:watch': staff,
  'room:unwatch': staff,
  'activity:watch': ['admin', 'dsl', 'teacher'],
};

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  // Every role here has a second factor, so the table is about roles alone; what a session
  // without one may open is checked in identity.test.ts.
  await clients.admin.enrolSecondFactor();
  await clients.technician.enrolSecondFactor();
});
afterAll(() => harbour.close());

describe('every REST route against every role', () => {
  it('the table covers exactly the routes the server has', () => {
    const actual = harbour.routes.map((r) => `${r.method} ${r.url}`).sort();
    expect(actual).toEqual(Object.keys(expected).sort());
  });

  for (const [route, allowed] of Object.entries(expected)) {
    for (const caller of callers) {
      const may = allowed.includes(caller);
      it(`${route} as ${caller}: ${may ? 'allowed' : 'refused'}`, async () => {
        const [method = 'GET', template = ''] = route.split(' ');
        const url = template.replace(':id', randomUUID());
        // Fresh sign-in for sign-out, so other checks keep their session.
        const client =
          route === 'POST /api/auth/logout' && caller !== 'anonymous' ? await fresh(caller) : clients[caller];
        const body = method === 'GET' ? undefined : {};
        const res = await client.request(method, url, body);
        if (may) {
          // Read the body: a large one left unread (the OpenAPI document) holds the
          // connection open, and the server's close would wait for it.
          await res.arrayBuffer();
          expect([401, 403]).not.toContain(
            res.status === 401 && route === 'POST /api/auth/login' ? 0 : res.status,
          );
        } else {
          expect(res.status).toBe(caller === 'anonymous' ? 401 : 403);
          const json = (await res.json()) as { error: { code: string } };
          expect(json.error.code).toBe(caller === 'anonymous' ? 'unauthenticated' : 'forbidden');
        }
      });
    }
  }
});

async function fresh(caller: Exclude<Caller, 'anonymous'>): Promise<ApiClient> {
  const { ApiClient } = await import('../support/api.js');
  const c = new ApiClient(harbour.url);
  await c.login(caller === 'admin' ? 'admin@school.test' : `${caller}@school.test`, 'a long enough password');
  return c;
}

describe('every dashboard socket event against every role', () => {
  it('the table covers exactly the events the protocol has', () => {
    expect(Object.keys(expectedEvents).sort()).toEqual(Object.keys(dashboardRequests).sort());
  });

  it('an anonymous caller cannot connect at all', async () => {
    await expect(connected(dashboardSocket(harbour.url, ''))).rejects.toThrow('Sign in first.');
  });

  it('a staff session cannot connect as a device', async () => {
    await expect(connected(agentSocket(harbour.url, {}))).rejects.toThrow(/credentials/);
  });

  for (const [event, allowed] of Object.entries(expectedEvents)) {
    for (const caller of staff) {
      const may = allowed.includes(caller);
      it(`${event} as ${caller}: ${may ? 'allowed' : 'refused'}`, async () => {
        const room = await clients.admin.createRoom(`Room ${randomUUID()}`);
        // Live views are also scoped by room: a teacher watches only rooms they are assigned to (tested below).
        if (caller === 'teacher') await assignTeacher(room.id);
        const socket = await connected(dashboardSocket(harbour.url, clients[caller].cookieHeader));
        try {
          const result = await socket.emitWithAck(event as 'room:watch', { roomId: room.id });
          if (may) expect(result).toMatchObject({ ok: true });
          else expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        } finally {
          socket.close();
        }
      });
    }
  }
});

async function assignTeacher(roomId: string): Promise<void> {
  const me = await clients.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
  const r = await clients.admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [me.body.user.id] });
  expect(r.status).toBe(200);
}

describe('activity is scoped to the rooms a teacher supervises', () => {
  it('a teacher not assigned to a room cannot watch it live, nor search or chart its activity, nor read its flags', async () => {
    const room = await clients.admin.createRoom(`Room ${randomUUID()}`);
    const socket = await connected(dashboardSocket(harbour.url, clients.teacher.cookieHeader));
    try {
      // Live data follows the REST rules: not even the room's live view (issue 14).
      const watch = await socket.emitWithAck('room:watch', { roomId: room.id });
      expect(watch).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(watch.ok ? '' : watch.error.message).toMatch(/rooms you are assigned to/);
      const refused = await socket.emitWithAck('activity:watch', { roomId: room.id });
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(refused.ok ? '' : refused.error.message).toMatch(/rooms you are assigned to supervise/);
    } finally {
      socket.close();
    }
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date().toISOString();
    for (const url of [
      `/api/activity/top-domains?roomId=${room.id}&from=${from}&to=${to}`,
      `/api/activity/search?roomId=${room.id}&from=${from}&to=${to}`,
      `/api/flags?roomId=${room.id}`,
    ]) {
      const r = await clients.teacher.request('GET', url);
      expect(r.status, url).toBe(403);
    }
    // The DSL reads any room; once assigned, so does the teacher.
    expect((await clients.dsl.request('GET', `/api/flags?roomId=${room.id}`)).status).toBe(200);
    await assignTeacher(room.id);
    expect((await clients.teacher.request('GET', `/api/flags?roomId=${room.id}`)).status).toBe(200);
    const again = await connected(dashboardSocket(harbour.url, clients.teacher.cookieHeader));
    try {
      expect(await again.emitWithAck('room:watch', { roomId: room.id })).toMatchObject({
        ok: true,
        data: { access: { supervise: true, readActivity: true } },
      });
    } finally {
      again.close();
    }
  });
});
