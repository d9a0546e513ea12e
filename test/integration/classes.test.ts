/**
 * Classes on the roster as the dashboard uses them (issue 17, item 5): giving a class its room,
 * its teachers supervising it, and everything a teacher of another class (or a device sending
 * nonsense) might try through the API instead of the screens.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flag, RosterClass } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { addStaff, staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { sampleRoster, rosterFiles, uploadRoster } from '../support/roster.js';
import { connected, dashboardSocket } from '../support/sockets.js';
import { enrolTestDevice, sendEvent } from '../support/tell.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
/** Teaches Year 2 Robins (the sample roster's `other@school.test`). */
let other: ApiClient;
/** A teacher with no class at all, given the Owls' room by hand. */
let stranger: { id: string; client: ApiClient };
let owls: RosterClass;
let robins: RosterClass;

const classes = async (client: ApiClient) =>
  (await client.json<{ classes: RosterClass[] }>('GET', '/api/classes')).body.classes;
const roomOf = async (id: string) =>
  (
    await harbour.db
      .selectFrom('roster_classes')
      .select('room_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).room_id;
const running = async () =>
  (await harbour.db.selectFrom('supervision_sessions').select('id').where('ended_at', 'is', null).execute())
    .length;
const audited = async (id: string) =>
  harbour.db
    .selectFrom('audit_log')
    .select(['actor', 'detail'])
    .where('action', '=', 'roster.class_room')
    .where('subject', '=', id)
    .execute();

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  other = (
    await addStaff(clients.admin, { email: 'other@school.test', displayName: 'Mr Other', role: 'teacher' })
  ).client;
  stranger = await addStaff(clients.admin, {
    email: 'stranger@school.test',
    displayName: 'Ms Stranger',
    role: 'teacher',
  });
  expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
  const all = await classes(clients.dsl);
  owls = all.find((c) => c.name === 'Year 5 Owls')!;
  robins = all.find((c) => c.name === 'Year 2 Robins')!;
});
afterAll(() => harbour.close());

describe('giving a class its room', () => {
  it('its teachers may then supervise the room; a teacher of another class may not', async () => {
    const room = await clients.admin.createRoom('Owls room');
    // Before: the Owls' teacher is nobody's in this room.
    expect((await clients.teacher.json('POST', '/api/supervision', { roomId: room.id })).status).toBe(403);
    const put = await clients.admin.json('PUT', `/api/classes/${owls.id}/room`, { roomId: room.id });
    expect(put).toMatchObject({ status: 200, body: { ok: true } });
    expect((await classes(clients.teacher)).find((c) => c.id === owls.id)?.roomId).toBe(room.id);

    const overview = async (client: ApiClient) =>
      (
        await client.json<{ rooms: { id: string; mine: boolean }[] }>('GET', '/api/rooms/overview')
      ).body.rooms.find((r) => r.id === room.id);
    expect(await overview(clients.teacher)).toMatchObject({ mine: true });
    expect(await overview(other)).toMatchObject({ mine: false });

    expect((await other.json('POST', '/api/supervision', { roomId: room.id })).status).toBe(403);
    const started = await clients.teacher.json<{ id: string; roomId: string }>('POST', '/api/supervision', {
      roomId: room.id,
      durationMinutes: 30,
    });
    expect(started.status).toBe(201);
    expect((await clients.teacher.json('POST', `/api/supervision/${started.body.id}/end`)).status).toBe(200);
  });

  it('the DSL may set it too; a teacher, even the class’s own, may not, and nothing changes', async () => {
    const room = await clients.admin.createRoom('Robins room');
    expect(
      (await clients.dsl.json('PUT', `/api/classes/${robins.id}/room`, { roomId: room.id })).status,
    ).toBe(200);
    const elsewhere = await clients.admin.createRoom('Somewhere else');
    for (const client of [other, clients.teacher, clients.technician, stranger.client]) {
      const r = await client.json<{ error: { code: string } }>('PUT', `/api/classes/${robins.id}/room`, {
        roomId: elsewhere.id,
      });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect(
      (await clients.anonymous.json('PUT', `/api/classes/${robins.id}/room`, { roomId: null })).status,
    ).toBe(401);
    expect(await roomOf(robins.id)).toBe(room.id);
  });

  it('bad input gets a clear 4xx and changes nothing', async () => {
    const before = await roomOf(owls.id);
    const audits = (await audited(owls.id)).length;
    const room = await clients.admin.createRoom('A real room');
    const long = 'a'.repeat(10 * 1024);
    const cases: [string, unknown, number][] = [
      [`/api/classes/${randomUUID()}/room`, { roomId: room.id }, 404], // unknown class
      [`/api/classes/${owls.id}/room`, { roomId: randomUUID() }, 404], // unknown room
      [`/api/classes/${long}/room`, { roomId: room.id }, 414], // a 10 kB id: refused before it is read
      [`/api/classes/${owls.id}/room`, { roomId: long }, 400],
      [`/api/classes/not-an-id/room`, { roomId: room.id }, 400],
      [`/api/classes/${owls.id}/room`, { roomId: 42 }, 400], // wrong types
      [`/api/classes/${owls.id}/room`, { roomId: [room.id] }, 400],
      [`/api/classes/${owls.id}/room`, { roomId: { id: room.id } }, 400],
      [`/api/classes/${owls.id}/room`, {}, 400],
      [`/api/classes/${owls.id}/room`, { roomId: room.id, teacherIds: [randomUUID()] }, 400], // unknown field
      [`/api/classes/${owls.id}/room`, [room.id], 400],
      [`/api/classes/${owls.id}/room`, 'null', 400],
    ];
    for (const [path, body, status] of cases) {
      const r = await clients.admin.json<{ error: { code: string; message: string } }>('PUT', path, body);
      expect(r.status, `${path.slice(0, 60)} ${JSON.stringify(body).slice(0, 60)}`).toBe(status);
      expect(r.body.error.message.length).toBeGreaterThan(0);
      expect(r.body.error.message.length).toBeLessThan(400); // says what is wrong, not the 10 kB back
    }
    expect(await roomOf(owls.id)).toBe(before);
    expect(await audited(owls.id)).toHaveLength(audits);
  });

  it('two admins at once: the last write wins and both are audited', async () => {
    const a = await clients.admin.createRoom('First choice');
    const b = await clients.admin.createRoom('Second choice');
    const audits = (await audited(robins.id)).length;
    const results = await Promise.all([
      clients.admin.json('PUT', `/api/classes/${robins.id}/room`, { roomId: a.id }),
      clients.dsl.json('PUT', `/api/classes/${robins.id}/room`, { roomId: b.id }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const trail = (await audited(robins.id)).slice(audits);
    expect(trail).toHaveLength(2);
    // Whichever write the database applied last is the room, and is the last audited.
    const last = JSON.parse(trail[1]!.detail ?? '{}') as { roomId: string };
    expect([a.id, b.id]).toContain(last.roomId);
    expect(await roomOf(robins.id)).toBe(last.roomId);
  });

  it('a roster without rooms leaves every class without one; a class that left cannot be given one', async () => {
    const spec = sampleRoster();
    spec.classes.push({ id: 'c-6', title: 'Year 6 Kestrels', grades: '6' });
    spec.enrolments.push(['c-6', 't-2', 'teacher']);
    expect((await uploadRoster(clients.admin, rosterFiles(spec))).status).toBe(200);
    const kestrels = (await classes(clients.dsl)).find((c) => c.name === 'Year 6 Kestrels')!;
    expect(kestrels.roomId).toBeNull();
    // The next export no longer has the class: it has left, and is nobody's to place.
    expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
    const room = await clients.admin.createRoom('Kestrels room');
    expect(
      (await clients.admin.json('PUT', `/api/classes/${kestrels.id}/room`, { roomId: room.id })).status,
    ).toBe(404);
    expect(await roomOf(kestrels.id)).toBeNull();
  });
});

describe('starting supervision for a class', () => {
  it('its teacher can; a teacher of another class gets 403, even one who may use the room, and nothing starts', async () => {
    const room = await clients.admin.createRoom('Owls lesson room');
    expect(
      (await clients.admin.json('PUT', `/api/classes/${owls.id}/room`, { roomId: room.id })).status,
    ).toBe(200);
    // The stranger may use the room (given it by hand), but does not teach the Owls.
    expect(
      (await clients.admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [stranger.id] })).status,
    ).toBe(200);
    const before = await running();
    for (const client of [other, stranger.client]) {
      const r = await client.json<{ error: { code: string } }>('POST', '/api/supervision', {
        classId: owls.id,
      });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await clients.technician.json('POST', '/api/supervision', { classId: owls.id })).status).toBe(
      403,
    );
    expect(await running()).toBe(before);

    const started = await clients.teacher.json<{ id: string; roomId: string }>('POST', '/api/supervision', {
      classId: owls.id,
      durationMinutes: 45,
    });
    expect(started.status).toBe(201);
    expect(started.body.roomId).toBe(room.id);
    expect((await clients.teacher.json('POST', `/api/supervision/${started.body.id}/end`)).status).toBe(200);
  });

  it('bad input gets a clear 4xx and starts nothing', async () => {
    const before = await running();
    const long = 'a'.repeat(10 * 1024);
    const cases: [unknown, number][] = [
      [{ classId: randomUUID() }, 404], // a guessed id
      [{ classId: long }, 400],
      [{ classId: 42 }, 400],
      [{ classId: [owls.id] }, 400],
      [{ classId: owls.id, roomId: randomUUID() }, 400], // both
      [{ classId: owls.id, durationMinutes: 'sixty' }, 400],
      [{ classId: owls.id, durationMinutes: 100_000 }, 400],
      [{ classId: owls.id, teacherId: randomUUID() }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await clients.teacher.json<{ error: { message: string } }>('POST', '/api/supervision', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(r.body.error.message.length).toBeLessThan(400);
    }
    expect(await running()).toBe(before);
  });

  it('a class without a room says so (409) and starts nothing', async () => {
    const spec = sampleRoster();
    spec.classes.push({ id: 'c-3', title: 'Year 3 Wrens', grades: '3' });
    spec.enrolments.push(['c-3', 't-1', 'teacher']);
    expect((await uploadRoster(clients.admin, rosterFiles(spec))).status).toBe(200);
    const wrens = (await classes(clients.teacher)).find((c) => c.name === 'Year 3 Wrens')!;
    const before = await running();
    const r = await clients.teacher.json<{ error: { code: string } }>('POST', '/api/supervision', {
      classId: wrens.id,
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
    expect(await running()).toBe(before);
  });

  it('the supervised lesson names the class’s pupils, not their logins', async () => {
    const room = await clients.admin.createRoom('Owls pupils room');
    expect(
      (await clients.admin.json('PUT', `/api/classes/${owls.id}/room`, { roomId: room.id })).status,
    ).toBe(200);
    const device = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-OWLS-1');
    const guest = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-OWLS-2');
    const started = await clients.teacher.json<{ id: string }>('POST', '/api/supervision', {
      classId: owls.id,
    });
    expect(started.status).toBe(201);
    expect(await sendEvent(device, { type: 'session.started', user: { username: 'cevans' } })).toMatchObject({
      ok: true,
    });
    expect(await sendEvent(guest, { type: 'session.started', user: { username: 'jdoe' } })).toMatchObject({
      ok: true,
    });
    const detail = await clients.teacher.json<{
      pupils: {
        username: string;
        person?: { known: boolean; name: string | null; className: string | null };
      }[];
    }>('GET', `/api/supervision/${started.body.id}`);
    expect(detail.status).toBe(200);
    const byLogin = new Map(detail.body.pupils.map((p) => [p.username, p.person]));
    expect(byLogin.get('cevans')).toMatchObject({
      known: true,
      name: 'Cerys Evans',
      className: 'Year 5 Owls',
    });
    expect(byLogin.get('jdoe')).toMatchObject({ known: false, name: null });
    // Another teacher's lesson stays theirs.
    expect((await other.json('GET', `/api/supervision/${started.body.id}`)).status).toBe(403);
    await clients.teacher.json('POST', `/api/supervision/${started.body.id}/end`);
    device.socket.close();
    guest.socket.close();
  });
});

describe('flags pushed live', () => {
  it('carry the pupil behind the login, as the flags list does', async () => {
    const room = await clients.admin.createRoom('Live flags room');
    const device = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-LIVE-FLAG');
    const dash = await connected(dashboardSocket(harbour.url, clients.dsl.cookieHeader));
    await dash.emitWithAck('activity:watch', { roomId: room.id });
    const pushed = new Map<string, Flag>();
    dash.on('flag:raised', (f) => {
      if (f.deviceId === device.deviceId && f.user) pushed.set(f.user, f);
    });
    const window = {
      app: 'Chromium',
      title: 'Games',
      exePath: null,
      url: 'https://games.example/',
      domain: 'games.example',
      private: false,
    };
    for (const [i, username] of ['dthomas', 'jdoe'].entries()) {
      const sent = await sendEvent(device, {
        type: 'activity.flag',
        user: { username },
        window,
        match: {
          entryId: randomUUID(),
          kind: 'domain',
          pattern: `live${i}.example`,
          category: 'games',
          severity: 'low',
          where: 'domain',
          matched: 'games.example',
        },
        evidence: [],
      });
      expect(sent).toMatchObject({ ok: true });
    }
    await expect.poll(() => pushed.size).toBe(2);
    expect(pushed.get('dthomas')?.person).toMatchObject({
      known: true,
      name: 'Dylan Thomas',
      yearGroup: 'Y5',
      className: 'Year 5 Owls',
    });
    expect(pushed.get('jdoe')?.person).toMatchObject({ known: false, name: null });
    dash.close();
    device.socket.close();
  });
});
