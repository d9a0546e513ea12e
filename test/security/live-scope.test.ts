/**
 * Issue 14 items 3 and 5: live data follows the REST rules, on joining and on every push,
 * and a live connection ends with the sign-in it was opened with.
 *
 * Every role (two teachers: A assigned to room A, B to room B) opens every live view it
 * can, in both rooms; then every kind of live event happens in both rooms; each member of
 * staff must have received exactly what the rules allow, no more.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServerToClient } from '@harbour/shared';
import { waitFor } from '../support/wait.js';
import type { AgentSocket, DashboardSocket } from '../support/sockets.js';
import {
  buildWorld,
  connectDevice,
  connectStaff,
  everyStaff,
  signIn,
  type EnrolledDevice,
  type Staff,
  type World,
} from './world.js';

type Event = keyof DashboardServerToClient;
const liveEvents: Event[] = [
  'device:changed',
  'device:removed',
  'device:thumbnail',
  'supervision:changed',
  'control:updated',
  'activity:changes',
  'flag:raised',
  'tell:alert',
  'incident:created',
  'concern:new',
];

let world: World;
const sockets = {} as Record<Staff, DashboardSocket>;
const received = {} as Record<Staff, Set<string>>;
const watchAnswers = {} as Record<Staff, Record<string, string>>;

/** The rooms an event is about, from its payload (a batch: each change's). */
const roomsOf = (payload: Record<string, unknown>): string[] =>
  Array.isArray(payload.changes)
    ? payload.changes.flatMap((c: Record<string, unknown>) => roomsOf(c))
    : [typeof payload.roomId === 'string' ? payload.roomId : ''];

const window = {
  app: 'Chromium',
  title: 'Maths',
  exePath: null,
  url: 'https://example.org/',
  domain: 'example.org',
  private: false,
};

async function send(socket: AgentSocket, body: Record<string, unknown>) {
  const ack = await socket.emitWithAck('agent:event', {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    body: body as never,
  });
  expect(ack).toMatchObject({ ok: true });
}

beforeAll(async () => {
  world = await buildWorld();
  for (const who of everyStaff) {
    received[who] = new Set();
    watchAnswers[who] = {};
    const socket = await connectStaff(world.harbour, world.staff[who]);
    sockets[who] = socket;
    for (const event of liveEvents) {
      socket.on(event, (payload: unknown) => {
        for (const room of roomsOf(payload as Record<string, unknown>)) {
          received[who].add(`${event} ${room === world.roomA ? 'A' : room === world.roomB ? 'B' : '?'}`);
        }
      });
    }
    for (const [name, roomId] of [
      ['A', world.roomA],
      ['B', world.roomB],
    ] as const) {
      for (const view of ['room:watch', 'activity:watch'] as const) {
        const ack = (await socket.emitWithAck(view, { roomId })) as { ok: boolean; error?: { code: string } };
        watchAnswers[who][`${view} ${name}`] = ack.ok ? 'ok' : (ack.error?.code ?? 'refused');
      }
    }
  }
});
afterAll(async () => {
  for (const s of Object.values(sockets)) s.close();
  await world.close();
});

describe('item 3: who may open which live view', () => {
  it('a teacher only their own room; a technician rooms but never activity; the DSL and admins every room', () => {
    expect(watchAnswers).toEqual({
      admin: {
        'room:watch A': 'ok',
        'activity:watch A': 'ok',
        'room:watch B': 'ok',
        'activity:watch B': 'ok',
      },
      dsl: { 'room:watch A': 'ok', 'activity:watch A': 'ok', 'room:watch B': 'ok', 'activity:watch B': 'ok' },
      technician: {
        'room:watch A': 'ok',
        'activity:watch A': 'forbidden',
        'room:watch B': 'ok',
        'activity:watch B': 'forbidden',
      },
      teacherA: {
        'room:watch A': 'ok',
        'activity:watch A': 'ok',
        'room:watch B': 'forbidden',
        'activity:watch B': 'forbidden',
      },
      teacherB: {
        'room:watch A': 'forbidden',
        'activity:watch A': 'forbidden',
        'room:watch B': 'ok',
        'activity:watch B': 'ok',
      },
    });
  });
});

describe('item 3: every live event, every role, both rooms', () => {
  let tellIncidentA = '';
  it('each member of staff receives exactly what the rules allow', async () => {
    const agents: AgentSocket[] = [];
    const devices: Record<'A' | 'B', EnrolledDevice> = { A: world.deviceA, B: world.deviceB };
    for (const [name, device] of Object.entries(devices) as ['A' | 'B', EnrolledDevice][]) {
      const agent = await connectDevice(world.harbour, device); // device:changed
      agents.push(agent);
      const teacher = name === 'A' ? world.staff.teacherA : world.staff.teacherB;
      const session = await teacher.json<{ id: string }>('POST', '/api/supervision', {
        roomId: device.roomId,
        durationMinutes: 30,
      }); // supervision:changed
      expect(session.status).toBe(201);
      await waitFor(async () => {
        const ack = await agent.emitWithAck('agent:thumbnail', {
          capturedAt: new Date().toISOString(),
          width: 32,
          height: 32,
          jpegBase64: '/9j/4AAQSkZJRgABAQ==',
        });
        return ack.ok;
      }); // device:thumbnail
      const control = await teacher.json('POST', `/api/supervision/${session.body.id}/controls`, {
        kind: 'cover',
      }); // control:updated
      expect(control.status).toBe(201);
      await send(agent, { type: 'activity.changed', state: 'active', user: { username: 'pupil' }, window }); // activity:changes
      await send(agent, {
        type: 'activity.flag',
        user: { username: 'pupil' },
        window,
        match: {
          entryId: randomUUID(),
          kind: 'domain',
          pattern: 'example.org',
          category: 'games',
          severity: 'low',
          where: 'domain',
          matched: 'example.org',
        },
        evidence: [],
      }); // flag:raised
      const tellId = randomUUID();
      await send(agent, {
        type: 'tell.reported',
        tellId,
        user: { username: 'pupil', displayName: 'A pupil' },
        evidence: [],
        displays: [],
        window: null,
        captureError: null,
      }); // tell:alert, incident:created
      if (name === 'A') {
        const row = await world.harbour.db
          .selectFrom('incidents')
          .select('id')
          .where('tell_id', '=', tellId)
          .executeTakeFirstOrThrow();
        tellIncidentA = row.id;
      }
    }
    const revoked = await world.staff.technician.json(
      'POST',
      `/api/devices/${world.deviceA.deviceId}/revoke`,
    );
    expect(revoked.status).toBe(200); // device:removed (room A)
    const moved = await world.staff.technician.json('PATCH', `/api/devices/${world.deviceB.deviceId}`, {
      roomId: world.roomA,
    });
    expect(moved.status).toBe(200); // device:removed (room B)

    const everything = (rooms: ('A' | 'B')[], events: Event[]) =>
      rooms.flatMap((r) => events.map((e) => `${e} ${r}`)).sort();
    const devicesOnly: Event[] = ['device:changed', 'device:removed'];
    const screens: Event[] = [...devicesOnly, 'device:thumbnail', 'supervision:changed', 'control:updated'];
    const activity: Event[] = ['activity:changes', 'flag:raised'];
    const expected: Record<Staff, string[]> = {
      admin: everything(['A', 'B'], [...screens, ...activity]),
      dsl: everything(['A', 'B'], [...screens, ...activity, 'tell:alert', 'incident:created', 'concern:new']),
      technician: everything(['A', 'B'], devicesOnly),
      // device B moved into room A, so teacher A sees it arrive there (device:changed A, already counted).
      teacherA: everything(['A'], [...screens, ...activity, 'tell:alert']),
      teacherB: everything(['B'], [...screens, ...activity, 'tell:alert']),
    };
    await waitFor(() => everyStaff.every((who) => expected[who].every((e) => received[who].has(e))), {
      what: 'every allowed push',
      timeoutMs: 15_000,
    }).catch(() => undefined);
    // A moment more, for anything that should not arrive but might.
    await new Promise((r) => setTimeout(r, 300));
    for (const who of everyStaff) expect([...received[who]].sort(), who).toEqual(expected[who]);
    for (const a of agents) a.close();
  });

  it('a teacher of another room gets no access to a report through the live channel', async () => {
    const r = await world.staff.teacherB.json('GET', `/api/incidents/${tellIncidentA}`);
    expect(r.status).toBe(404);
    const a = await world.staff.teacherA.json('GET', `/api/incidents/${tellIncidentA}`);
    expect(a.status).toBe(200);
  });
});

describe('item 3: checked on every push, not only when joining', () => {
  it('a teacher taken off a room stops receiving its thumbnails at once', async () => {
    const room = (await world.staff.admin.createRoom('Room C')).id;
    expect(
      (await world.staff.admin.json('PUT', `/api/rooms/${room}/staff`, { userIds: [world.userIds.teacherA] }))
        .status,
    ).toBe(200);
    const device = await world.enrol(room, 'PC-C1');
    const agent = await connectDevice(world.harbour, device);
    const watcher = await connectStaff(
      world.harbour,
      await signIn(world.harbour.url, 'teachera@school.test'),
    );
    expect(await watcher.emitWithAck('room:watch', { roomId: room })).toMatchObject({ ok: true });
    const thumbs: string[] = [];
    watcher.on('device:thumbnail', (t) => thumbs.push(t.capturedAt));
    const session = await world.staff.dsl.json<{ id: string }>('POST', '/api/supervision', { roomId: room });
    expect(session.status).toBe(201);
    const thumb = (at: string) =>
      agent.emitWithAck('agent:thumbnail', { capturedAt: at, width: 32, height: 32, jpegBase64: '/9j/4AAQ' });
    const first = new Date().toISOString();
    await waitFor(async () => (await thumb(first)).ok);
    await waitFor(() => thumbs.includes(first), { what: 'the first thumbnail' });
    expect((await world.staff.admin.json('PUT', `/api/rooms/${room}/staff`, { userIds: [] })).status).toBe(
      200,
    );
    const second = new Date(Date.now() + 1000).toISOString();
    expect(await thumb(second)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(thumbs).not.toContain(second);
    watcher.close();
    agent.close();
  });
});

describe('item 5: a live connection ends with its sign-in', () => {
  const closes = async (end: (who: { email: string; id: string }) => Promise<void>) => {
    const email = `leaver-${randomUUID().slice(0, 8)}@school.test`;
    const made = await world.staff.admin.json<{ user: { id: string } }>('POST', '/api/users', {
      temporaryPassword: false,
      email,
      displayName: 'Leaver',
      role: 'teacher',
      password: 'a long enough password',
    });
    const client = await signIn(world.harbour.url, email);
    const socket = await connectStaff(world.harbour, client);
    const closed = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    await end({ email, id: made.body.user.id });
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 3000))])).toBe(
      'io server disconnect',
    );
    return client;
  };

  it('signing out closes it at once', async () => {
    const email = `out-${randomUUID().slice(0, 8)}@school.test`;
    await world.staff.admin.json('POST', '/api/users', {
      temporaryPassword: false,
      email,
      displayName: 'Out',
      role: 'dsl',
      password: 'a long enough password',
    });
    const client = await signIn(world.harbour.url, email);
    const other = await signIn(world.harbour.url, email); // the same person on another computer
    const socket = await connectStaff(world.harbour, client);
    const stays = await connectStaff(world.harbour, other);
    const closed = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    expect((await client.json('POST', '/api/auth/logout')).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    // The other sign-in is still valid, so its connection stays open.
    await new Promise((r) => setTimeout(r, 300));
    expect(stays.connected).toBe(true);
    stays.close();
  });

  it('disabling the account closes it at once', async () => {
    await closes(async ({ id }) => {
      expect((await world.staff.admin.json('PATCH', `/api/users/${id}`, { disabled: true })).status).toBe(
        200,
      );
    });
  });

  it('changing the role closes it at once', async () => {
    await closes(async ({ id }) => {
      expect((await world.staff.admin.json('PATCH', `/api/users/${id}`, { role: 'technician' })).status).toBe(
        200,
      );
    });
  });

  it('a session that expires while connected closes the connection when it ends', async () => {
    const email = `short-${randomUUID().slice(0, 8)}@school.test`;
    const made = await world.staff.admin.json<{ user: { id: string } }>('POST', '/api/users', {
      temporaryPassword: false,
      email,
      displayName: 'Short',
      role: 'teacher',
      password: 'a long enough password',
    });
    const client = await signIn(world.harbour.url, email);
    await world.harbour.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() + 1500).toISOString() })
      .where('user_id', '=', made.body.user.id)
      .execute();
    const socket = await connectStaff(world.harbour, client);
    const reason = await new Promise<string>((resolve) => socket.on('disconnect', (r) => resolve(r)));
    expect(reason).toBe('io server disconnect');
  });

  it('a session deleted behind its back: the next request is refused and the connection closed', async () => {
    const email = `gone-${randomUUID().slice(0, 8)}@school.test`;
    const made = await world.staff.admin.json<{ user: { id: string } }>('POST', '/api/users', {
      temporaryPassword: false,
      email,
      displayName: 'Gone',
      role: 'teacher',
      password: 'a long enough password',
    });
    const client = await signIn(world.harbour.url, email);
    const socket = await connectStaff(world.harbour, client);
    await world.harbour.db.deleteFrom('sessions').where('user_id', '=', made.body.user.id).execute();
    const ack = await socket.emitWithAck('room:watch', { roomId: world.roomA });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    await waitFor(() => !socket.connected, { what: 'the connection to close' });
  });
});
