/**
 * Issue 18 item 4, the paths that answered across the trust (docs/trust.md): the roster, the
 * AUP register, device health and supervision. Two schools on one real server (SQLite, or
 * PostgreSQL in integration-pg), each with a room and a real enrolled device, an admin, a DSL
 * and a teacher. School B's staff try every path against school A's ids and get nothing of
 * A's (another school's record answers 404, as one that does not exist), A's data is unchanged
 * afterwards, and nothing reaches A's computer; A's own staff do get it.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pupil, RosterClass } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { databaseAtMigration } from '../support/database.js';
import { tempDir } from '../support/paths.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { rosterFiles, sampleRoster, uploadRoster, type RosterSpec } from '../support/roster.js';
import { connected, dashboardSocket } from '../support/sockets.js';
import { enrolTestDevice, type TestDevice } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

let harbour: Harbour;
let trustAdmin: ApiClient;
const school = { a: 0, b: 0 };
const room = { a: '', b: '' };
const device = {} as Record<'a' | 'b', TestDevice>;
type Who = 'adminA' | 'dslA' | 'teacherA' | 'adminB' | 'dslB' | 'teacherB';
const staff = {} as Record<Who, { id: string; client: ApiClient }>;
const applied: Record<'a' | 'b', unknown[]> = { a: [], b: [] };

/** School A's export: the sample roster, its teacher teacher.a@. */
function rosterA(): RosterSpec {
  const spec = sampleRoster();
  spec.teachers = [{ id: 't-1', given: 'Tess', family: 'Teacher', email: 'teacher.a@trust.test' }];
  spec.enrolments = spec.enrolments.filter(([, u]) => u !== 't-2');
  spec.classes[0]!.location = 'Year 3 a';
  return spec;
}

/** School B's export: the same MIS ids (p-1, c-2, t-1) as A's, other children and logins. */
function rosterB(): RosterSpec {
  return {
    pupils: [
      { id: 'p-1', given: 'Bea', family: 'Brook', grades: '2', username: 'bbrook' },
      { id: 'p-9', given: 'Ben', family: 'Brook', grades: '5', username: 'bbenb' },
    ],
    teachers: [{ id: 't-1', given: 'Tom', family: 'Brook', email: 'teacher.b@trust.test' }],
    classes: [{ id: 'c-2', title: 'Brook Class 2', grades: '2', location: 'Year 3 b' }],
    enrolments: [
      ['c-2', 'p-1', 'student'],
      ['c-2', 'p-9', 'student'],
      ['c-2', 't-1', 'teacher'],
    ],
  };
}

const pupilsOf = async (client: ApiClient) =>
  (await client.json<{ pupils: Pupil[] }>('GET', '/api/pupils')).body.pupils;
const classesOf = async (client: ApiClient) =>
  (await client.json<{ classes: RosterClass[] }>('GET', '/api/classes')).body.classes;
const names = (list: { name: string }[]) => list.map((p) => p.name).sort();
const aNames = ['Ada Lovelace', 'Brian Jones', 'Cerys Evans', 'Dylan Thomas'];

beforeAll(async () => {
  harbour = await startInProcess();
  trustAdmin = new ApiClient(harbour.url);
  await trustAdmin.login(adminEmail, password);
  await trustAdmin.enrolSecondFactor();
  const schools = await trustAdmin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  school.a = schools.body.schools[0]!.id;
  const b = await trustAdmin.json<{ id: number }>('POST', '/api/schools', { name: 'Brook', code: 'brook' });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  school.b = b.body.id;
  for (const k of ['a', 'b'] as const) {
    const r = await trustAdmin.json<{ id: string }>('POST', '/api/rooms', {
      name: `Year 3 ${k}`,
      schoolId: school[k],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    room[k] = r.body.id;
    device[k] = await enrolTestDevice(harbour.url, trustAdmin, room[k], `pc-${k}`);
    device[k].socket.on('control:apply', (payload: unknown, ack?: (r: unknown) => void) => {
      applied[k].push(payload);
      ack?.({ ok: true, data: {} });
    });
  }
  const make = async (who: Who, role: 'admin' | 'dsl' | 'teacher', schoolId: number) => {
    const email = `${role}.${who.endsWith('A') ? 'a' : 'b'}@trust.test`;
    staff[who] = await trustAdmin.createStaff(email, role, password, schoolId);
  };
  await make('adminA', 'admin', school.a);
  await make('dslA', 'dsl', school.a);
  await make('teacherA', 'teacher', school.a);
  await make('adminB', 'admin', school.b);
  await make('dslB', 'dsl', school.b);
  await make('teacherB', 'teacher', school.b);
});

afterAll(async () => {
  for (const d of Object.values(device)) d.socket.close();
  await harbour?.close();
});

describe('the roster', () => {
  it('a school admin’s import is their school’s: the same MIS ids in another school do not merge', async () => {
    const a = await uploadRoster(staff.adminA.client, rosterFiles(rosterA()));
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const b = await uploadRoster(staff.adminB.client, rosterFiles(rosterB()));
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    // B's import added B's two pupils and marked none of A's as left, renamed none of them.
    expect((b.body as { changes: { pupils: unknown } }).changes.pupils).toEqual({
      added: 2,
      updated: 0,
      left: 0,
    });
    const rows = await harbour.db
      .selectFrom('roster_pupils')
      .select(['sourced_id', 'given_name', 'school_id', 'left_at'])
      .orderBy('given_name')
      .execute();
    expect(rows.map((r) => [r.given_name, Number(r.school_id), r.left_at])).toEqual([
      ['Ada', school.a, null],
      ['Bea', school.b, null],
      ['Ben', school.b, null],
      ['Brian', school.a, null],
      ['Cerys', school.a, null],
      ['Dylan', school.a, null],
    ]);
    const classes = await harbour.db.selectFrom('roster_classes').select(['title', 'school_id']).execute();
    expect(classes.map((c) => [c.title, Number(c.school_id)]).sort()).toEqual(
      [
        ['Brook Class 2', school.b],
        ['Year 2 Robins', school.a],
        ['Year 5 Owls', school.a],
      ].sort(),
    );
    // A's logins still work after B's import replaced B's.
    const logins = await harbour.db.selectFrom('roster_logins').select('login').execute();
    expect(logins.map((l) => l.login)).toEqual(expect.arrayContaining(['alovelace', 'ada01', 'bbrook']));
    // The same import again changes nothing in either school.
    const again = await uploadRoster(staff.adminB.client, rosterFiles(rosterB()));
    expect((again.body as { changes: { pupils: unknown } }).changes.pupils).toEqual({
      added: 0,
      updated: 0,
      left: 0,
    });
  });

  it('school B’s staff list only B’s pupils and classes; A’s staff only A’s', async () => {
    for (const who of ['adminB', 'dslB'] as const) {
      expect(names(await pupilsOf(staff[who].client)), who).toEqual(['Bea Brook', 'Ben Brook']);
      expect(names(await classesOf(staff[who].client)), who).toEqual(['Brook Class 2']);
    }
    expect(names(await pupilsOf(staff.teacherB.client))).toEqual(['Bea Brook', 'Ben Brook']);
    for (const who of ['adminA', 'dslA'] as const) {
      expect(names(await pupilsOf(staff[who].client)), who).toEqual(aNames);
      expect(names(await classesOf(staff[who].client)), who).toEqual(['Year 2 Robins', 'Year 5 Owls']);
    }
    // Trust-level staff see both.
    expect(names(await pupilsOf(trustAdmin))).toHaveLength(6);
  });

  it('a class location names a room of the class’s school only', async () => {
    const classes = await classesOf(staff.adminB.client);
    expect(classes[0]?.roomId).toBe(room.b);
  });

  it('B’s admin cannot set the room of A’s class, nor give B’s class A’s room; A’s admin can', async () => {
    const aClass = (await classesOf(staff.adminA.client)).find((c) => c.name === 'Year 5 Owls')!;
    const bClass = (await classesOf(staff.adminB.client))[0]!;
    const r1 = await staff.adminB.client.json('PUT', `/api/classes/${aClass.id}/room`, { roomId: room.b });
    expect(r1.status).toBe(404);
    const r2 = await staff.dslB.client.json('PUT', `/api/classes/${aClass.id}/room`, { roomId: null });
    expect(r2.status).toBe(404);
    const r3 = await staff.adminB.client.json('PUT', `/api/classes/${bClass.id}/room`, { roomId: room.a });
    expect(r3.status).toBe(404);
    const row = await harbour.db
      .selectFrom('roster_classes')
      .select('room_id')
      .where('id', '=', aClass.id)
      .executeTakeFirstOrThrow();
    expect(row.room_id).toBeNull();
    const ok = await staff.adminA.client.json('PUT', `/api/classes/${aClass.id}/room`, { roomId: room.a });
    expect(ok.status).toBe(200);
  });

  it('the import reports are the school’s own', async () => {
    const b = await staff.adminB.client.json<{ imports: { result: { added: string[] } }[] }>(
      'GET',
      '/api/roster/imports',
    );
    expect(b.status).toBe(200);
    expect(JSON.stringify(b.body)).not.toContain('Ada Lovelace');
    expect(b.body.imports.length).toBeGreaterThan(0);
    const a = await staff.adminA.client.json('GET', '/api/roster/imports');
    expect(JSON.stringify(a.body)).toContain('Ada Lovelace');
    expect(JSON.stringify(a.body)).not.toContain('Bea Brook');
  });

  it('a trust-level admin names the school of an import: none is refused when the trust has two', async () => {
    const before = await harbour.db.selectFrom('roster_pupils').select('id').execute();
    const none = await uploadRoster(trustAdmin, rosterFiles(rosterB()));
    expect(none.status, JSON.stringify(none.body)).toBe(400);
    const bad = await uploadRoster(trustAdmin, rosterFiles(rosterB()), '?school=999999');
    expect(bad.status).toBe(400);
    expect(await harbour.db.selectFrom('roster_pupils').select('id').execute()).toHaveLength(before.length);
    const spec = rosterB();
    spec.pupils[1]!.family = 'Brookes';
    const named = await uploadRoster(trustAdmin, rosterFiles(spec), `?school=${school.b}`);
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    expect(names(await pupilsOf(staff.dslB.client))).toEqual(['Bea Brook', 'Ben Brookes']);
    expect(names(await pupilsOf(staff.dslA.client))).toEqual(aNames);
  });

  it('a school admin naming another school in the import is refused, and nothing changes', async () => {
    const r = await uploadRoster(staff.adminB.client, rosterFiles(rosterB()), `?school=${school.a}`);
    expect(r.status).toBe(403);
    expect(names(await pupilsOf(staff.dslA.client))).toEqual(aNames);
  });

  it('a login another school’s pupil has is B’s own pupil’s too (two children), and A’s roster is unchanged', async () => {
    const aLogins = (await pupilsOf(staff.dslA.client)).map((p) => [p.id, p.logins]);
    const spec = rosterB();
    spec.pupils[1]!.family = 'Brookes';
    const asItWas = rosterFiles(spec);
    spec.pupils[1]!.username = 'alovelace';
    const r = await uploadRoster(staff.adminB.client, rosterFiles(spec));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await pupilsOf(staff.dslA.client)).map((p) => [p.id, p.logins])).toEqual(aLogins);
    const ben = (await pupilsOf(staff.dslB.client)).find((p) => p.name === 'Ben Brookes');
    expect(ben?.logins).toContain('alovelace');
    expect(aLogins.map(([id]) => id)).not.toContain(ben?.id);
    // B's export as it was, for what follows.
    expect((await uploadRoster(staff.adminB.client, asItWas)).status).toBe(200);
    expect(names(await pupilsOf(staff.dslB.client))).toEqual(['Bea Brook', 'Ben Brookes']);
  });
});

describe('supervision', () => {
  let sessionA = '';

  it('B’s staff cannot start supervising A’s room: 404, nothing written, nothing sent', async () => {
    for (const who of ['dslB', 'teacherB'] as const) {
      const r = await staff[who].client.json('POST', '/api/supervision', { roomId: room.a });
      expect(r.status, who).toBe(404);
    }
    // An admin may not supervise at all (their role), in any school.
    expect((await staff.adminB.client.json('POST', '/api/supervision', { roomId: room.a })).status).toBe(403);
    const rows = await harbour.db.selectFrom('supervision_sessions').select('id').execute();
    expect(rows).toHaveLength(0);
  });

  it('B’s staff cannot see A’s room staff, nor assign anyone to it', async () => {
    const get = await staff.adminB.client.json('GET', `/api/rooms/${room.a}/staff`);
    expect(get.status).toBe(404);
    const put = await staff.adminB.client.json('PUT', `/api/rooms/${room.a}/staff`, {
      userIds: [staff.teacherB.id],
    });
    expect(put.status).toBe(404);
  });

  it('only staff of the room’s school (or trust-level) may be assigned to it', async () => {
    const r1 = await staff.adminB.client.json('PUT', `/api/rooms/${room.b}/staff`, {
      userIds: [staff.teacherB.id, staff.teacherA.id],
    });
    expect([400, 403]).toContain(r1.status);
    const r2 = await trustAdmin.json('PUT', `/api/rooms/${room.a}/staff`, { userIds: [staff.teacherB.id] });
    expect([400, 403]).toContain(r2.status);
    const rows = await harbour.db.selectFrom('room_staff').select('user_id').execute();
    expect(rows).toHaveLength(0);
    const ok = await staff.adminA.client.json<{ userIds: string[] }>('PUT', `/api/rooms/${room.a}/staff`, {
      userIds: [staff.teacherA.id],
    });
    expect(ok.status).toBe(200);
  });

  it('the staff offered for rooms are the school’s own and trust-level', async () => {
    const r = await staff.adminB.client.json<{ staff: { id: string }[] }>('GET', '/api/supervision/staff');
    const ids = r.body.staff.map((s) => s.id);
    expect(ids).toContain(staff.teacherB.id);
    expect(ids).not.toContain(staff.teacherA.id);
    expect(ids).not.toContain(staff.dslA.id);
  });

  it('A’s session is invisible to B’s staff, and its controls answer 404 with nothing sent', async () => {
    const started = await staff.teacherA.client.json<{ id: string }>('POST', '/api/supervision', {
      roomId: room.a,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    sessionA = started.body.id;
    for (const who of ['dslB', 'adminB'] as const) {
      const list = await staff[who].client.json<{ sessions: { id: string }[] }>('GET', '/api/supervision');
      expect(JSON.stringify(list.body), who).not.toContain(sessionA);
      expect((await staff[who].client.json('GET', `/api/supervision/${sessionA}`)).status, who).toBe(404);
      expect((await staff[who].client.json('GET', `/api/supervision/${sessionA}/controls`)).status).toBe(404);
    }
    const control = await staff.dslB.client.json('POST', `/api/supervision/${sessionA}/controls`, {
      kind: 'message',
      message: 'From another school',
    });
    expect(control.status).toBe(404);
    const end = await staff.dslB.client.json('POST', `/api/supervision/${sessionA}/end`);
    expect(end.status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(applied.a).toHaveLength(0);
    const rows = await harbour.db
      .selectFrom('supervision_sessions')
      .select('ended_at')
      .where('id', '=', sessionA)
      .executeTakeFirstOrThrow();
    expect(rows.ended_at).toBeNull();
    // A's DSL does see it.
    expect((await staff.dslA.client.json('GET', `/api/supervision/${sessionA}`)).status).toBe(200);
    const list = await staff.dslA.client.json('GET', '/api/supervision');
    expect(JSON.stringify(list.body)).toContain(sessionA);
  });

  it('B’s staff cannot watch A’s room live: it answers as no room, with none of its computers', async () => {
    for (const who of ['dslB', 'adminB'] as const) {
      const socket = await connected(dashboardSocket(harbour.url, staff[who].client.cookieHeader));
      try {
        const watch = await socket.emitWithAck('room:watch', { roomId: room.a });
        expect(watch, who).toMatchObject({ ok: false, error: { code: 'not_found' } });
        expect(JSON.stringify(watch)).not.toContain(device.a.deviceId);
      } finally {
        socket.close();
      }
    }
    const socket = await connected(dashboardSocket(harbour.url, staff.dslA.client.cookieHeader));
    try {
      const watch = await socket.emitWithAck('room:watch', { roomId: room.a });
      expect(watch).toMatchObject({ ok: true });
      expect(JSON.stringify(watch)).toContain(device.a.deviceId);
    } finally {
      socket.close();
    }
  });

  it('B’s DSL cannot start a lesson for A’s class', async () => {
    const aClass = (await classesOf(staff.adminA.client)).find((c) => c.name === 'Year 5 Owls')!;
    const r = await staff.dslB.client.json('POST', '/api/supervision', { classId: aClass.id });
    expect(r.status).toBe(404);
  });
});

describe('device health and the AUP register', () => {
  it('device health lists the school’s devices only', async () => {
    for (const k of ['a', 'b'] as const) {
      const ack = await device[k].socket.emitWithAck('agent:health', {
        problems: [{ code: `probe.${k}`, message: `problem of ${k}` }],
      });
      expect(ack.ok).toBe(true);
    }
    const b = await staff.adminB.client.json<{ problems: { deviceId: string }[] }>(
      'GET',
      '/api/device-health',
    );
    expect(b.status).toBe(200);
    expect(b.body.problems.map((p) => p.deviceId)).toEqual([device.b.deviceId]);
    const byId = await staff.adminB.client.json<{ problems: unknown[] }>(
      'GET',
      `/api/device-health?deviceId=${device.a.deviceId}`,
    );
    expect(byId.body.problems ?? []).toHaveLength(0);
    const a = await staff.adminA.client.json<{ problems: { deviceId: string }[] }>(
      'GET',
      '/api/device-health',
    );
    expect(a.body.problems.map((p) => p.deviceId)).toEqual([device.a.deviceId]);
  });

  it('the register and standings are of the school’s computers only', async () => {
    const docs = await trustAdmin.json<{
      documents: { id: string; version: number; textHash: string; status: string }[];
    }>('GET', '/api/aup/documents?audience=ks2');
    const doc = docs.body.documents.find((d) => d.status === 'published')!;
    for (const k of ['a', 'b'] as const) {
      const ack = (await device[k].socket.emitWithAck('agent:event', {
        id: crypto.randomUUID(),
        occurredAt: new Date().toISOString(),
        body: {
          type: 'aup.decision',
          user: { username: `pupil-${k}` },
          audience: 'ks2',
          documentId: doc.id,
          version: doc.version,
          textHash: doc.textHash,
          decision: 'accepted',
          source: 'server',
        },
      } as never)) as { ok: boolean };
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
    }
    for (const path of ['/api/aup/register', '/api/aup/status', '/api/aup/register.csv']) {
      const b = await staff.dslB.client.request('GET', path);
      const text = await b.text();
      expect(text, path).toContain('pupil-b');
      expect(text, path).not.toContain('pupil-a');
      const a = await staff.adminA.client.request('GET', path);
      const aText = await a.text();
      expect(aText, path).toContain('pupil-a');
      expect(aText, path).not.toContain('pupil-b');
    }
    const filtered = await staff.dslB.client.request('GET', `/api/aup/register?roomId=${room.a}`);
    expect(await filtered.text()).not.toContain('pupil-a');
  });
});

describe('the new-incident email', () => {
  const received: { to: string[]; data: string }[] = [];
  let smtp: SMTPServer;

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address).sort(),
            data: Buffer.concat(chunks).toString(),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const r = await trustAdmin.json('POST', '/api/users', {
      email: 'dsl.trustwide@trust.test',
      displayName: 'Trust DSL',
      role: 'dsl',
      password,
      temporaryPassword: false,
      schoolId: null,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const trustDsl = new ApiClient(harbour.url);
    await trustDsl.login('dsl.trustwide@trust.test', password);
    await trustDsl.enrolSecondFactor();
    const set = await trustDsl.json('PATCH', '/api/safeguarding/settings', {
      smtp: {
        host: '127.0.0.1',
        port: (smtp.server.address() as AddressInfo).port,
        secure: false,
        from: 'harbour@trust.test',
        to: ['everyone@trust.test', 'dsl.a@trust.test'],
      },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
  });
  afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  it('school B’s concern is emailed to B’s DSLs and trust-level DSLs only; A’s to A’s', async () => {
    const b = await staff.dslB.client.json<{ ref: string }>('POST', '/api/incidents', {
      summary: 'A concern of school B',
      category: 'other',
      subject: { name: 'Bea Brook' },
    });
    expect(b.status).toBe(201);
    const mailB = await waitFor(() => received.find((m) => m.data.includes(b.body.ref)), {
      what: 'B’s email',
      timeoutMs: 15_000,
    });
    expect(mailB.to).toEqual(['dsl.b@trust.test', 'dsl.trustwide@trust.test']);
    const a = await staff.dslA.client.json<{ ref: string }>('POST', '/api/incidents', {
      summary: 'A concern of school A',
      category: 'other',
      subject: { name: 'Ada Lovelace' },
    });
    expect(a.status).toBe(201);
    const mailA = await waitFor(() => received.find((m) => m.data.includes(a.body.ref)), {
      what: 'A’s email',
      timeoutMs: 15_000,
    });
    expect(mailA.to).toEqual(['dsl.a@trust.test', 'dsl.trustwide@trust.test']);
    expect(mailA.data).not.toContain('Ada');
  });
});

describe('retention', () => {
  /** A closed incident of the recorder's school, closed long before any retention period. */
  const oldIncident = async (client: ApiClient, summary: string) => {
    const { status, body } = await client.json<{ id: string; ref: string }>('POST', '/api/incidents', {
      summary,
      category: 'other',
    });
    expect(status, JSON.stringify(body)).toBe(201);
    const closed = await client.json('POST', `/api/incidents/${body.id}/state`, {
      state: 'closed',
      outcome: 'no_further_action',
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await harbour.db
      .updateTable('incidents')
      .set({ closed_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', body.id)
      .execute();
    return body;
  };
  const exists = async (id: string) =>
    (await harbour.db.selectFrom('incidents').select('id').where('id', '=', id).executeTakeFirst()) !==
    undefined;
  const purged = async (client: ApiClient) => {
    const r = await client.json<{ purges: { detail: string }[] }>('GET', '/api/retention/purges');
    expect(r.status).toBe(200);
    return r.body.purges.map((p) => p.detail).join(', ');
  };

  it('a school’s DSL purges and reads their school’s purges only; trust-level staff every school’s', async () => {
    const a = await oldIncident(staff.dslA.client, 'A, long closed');
    const b = await oldIncident(staff.dslB.client, 'B, long closed');
    // B's DSL running retention purges B's record, and leaves A's for A's school.
    const run = await staff.dslB.client.json<{ incidents: number }>('POST', '/api/retention/run', {});
    expect(run.status).toBe(200);
    expect(run.body.incidents).toBe(1);
    expect(await exists(b.id)).toBe(false);
    expect(await exists(a.id)).toBe(true);
    // The record of the purge names B's reference, and only B's staff (and the trust) read it.
    expect(await purged(staff.dslB.client)).toContain(b.ref);
    expect(await purged(staff.dslA.client)).not.toContain(b.ref);
    // A trust-level DSL's run covers every school; each school reads its own purge only.
    const trustDsl = await trustAdmin.createStaff('dsl.purges@trust.test', 'dsl', password, null);
    const all = await trustDsl.client.json<{ incidents: number }>('POST', '/api/retention/run', {});
    expect(all.body.incidents).toBe(1);
    expect(await exists(a.id)).toBe(false);
    expect(await purged(staff.dslA.client)).toContain(a.ref);
    expect(await purged(staff.dslB.client)).not.toContain(a.ref);
    const everything = await purged(trustDsl.client);
    expect(everything).toContain(a.ref);
    expect(everything).toContain(b.ref);
    const rows = await harbour.db.selectFrom('retention_purges').select(['detail', 'school_id']).execute();
    expect(rows.find((r) => r.detail.includes(a.ref))?.school_id).toBe(school.a);
    expect(rows.find((r) => r.detail.includes(b.ref))?.school_id).toBe(school.b);
  });
});

describe('upgrade from 0015', () => {
  it('keeps the roster with its logins, classes and terms, and the next import updates it in place', async () => {
    const dataDir = tempDir('roster-schools-upgrade');
    const old = await databaseAtMigration(dataDir, '0015_control_language');
    const now = new Date().toISOString();
    const pupil = randomUUID();
    const klass = randomUUID();
    await old
      .insertInto('roster_pupils')
      .values({
        id: pupil,
        sourced_id: 'p-1',
        given_name: 'Ada',
        family_name: 'Lovelace',
        year_group: 'Y2',
        created_at: now,
        updated_at: now,
        left_at: null,
      })
      .execute();
    await old.insertInto('roster_logins').values({ login: 'alovelace', pupil_id: pupil }).execute();
    await old
      .insertInto('roster_classes')
      .values({
        id: klass,
        sourced_id: 'c-2',
        title: 'Year 2 Robins',
        class_code: null,
        year_group: 'Y2',
        room_id: null,
        created_at: now,
        updated_at: now,
        left_at: null,
      })
      .execute();
    await old.insertInto('roster_class_pupils').values({ class_id: klass, pupil_id: pupil }).execute();
    await old
      .insertInto('roster_sessions')
      .values({
        sourced_id: 'term-1',
        title: 'Autumn',
        type: 'term',
        start_date: '2026-09-01',
        end_date: '2026-12-18',
      })
      .execute();
    await old.destroy();

    const upgraded = await startInProcess(dataDir);
    try {
      const admin = new ApiClient(upgraded.url);
      await admin.login(adminEmail, password);
      const listed = await admin.json<{ pupils: Pupil[] }>('GET', '/api/pupils');
      expect(listed.body.pupils).toMatchObject([
        { id: pupil, name: 'Ada Lovelace', logins: ['alovelace'], classes: [{ id: klass }] },
      ]);
      const terms = await admin.json<{ sessions: { id: string }[] }>('GET', '/api/terms');
      expect(terms.body.sessions.map((t) => t.id)).toEqual(['term-1']);
      // The install's one school: an import needs no school named, and p-1 is the same pupil.
      const r = await uploadRoster(admin, rosterFiles(sampleRoster()));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const again = await admin.json<{ pupils: Pupil[] }>('GET', '/api/pupils');
      expect(again.body.pupils.find((p) => p.name === 'Ada Lovelace')?.id).toBe(pupil);
    } finally {
      await upgraded.close();
    }
  });
});
