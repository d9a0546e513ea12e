import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlAction } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { SupervisionFeature, type ScreenControls } from '../../agent/src/core/supervision.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { agentSocket, connected, dashboardSocket, type DashboardSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let otherTeacher: ApiClient;
let teacherId: string;
let roomId: string;
const agents: HarbourAgent[] = [];

/** What the screens of a test agent were told to do, in order. */
class RecordedScreens implements ScreenControls {
  readonly calls: string[] = [];
  cover(message: string | null) {
    this.calls.push(`cover:${message ?? ''}`);
    return Promise.resolve();
  }
  release() {
    this.calls.push('release');
    return Promise.resolve();
  }
  message(text: string) {
    this.calls.push(`message:${text}`);
    return Promise.resolve();
  }
}

async function startAgent(name: string, screens: ScreenControls | null) {
  const { token } = await clients.admin.createToken(roomId);
  const feature = new SupervisionFeature({
    screens,
    thumbnail: () =>
      // JPEG-shaped bytes: this test is about delivery; the X-display test uses real screen captures.
      Promise.resolve({ jpeg: Buffer.from('/9j/4AAQSkZJRgABAQ==', 'base64'), width: 320, height: 200 }),
  });
  const agent = new HarbourAgent(
    {
      serverUrl: harbour.url,
      dataDir: tempDir('sup-agent'),
      agentVersion: '0.1.0',
      enrolmentToken: token,
      deviceName: name,
    },
    { probes: platformProbes(), logger: pino({ level: 'silent' }), features: [feature] },
  );
  agents.push(agent);
  const credentials = await agent.start();
  await waitFor(() => agent.status === 'online', { what: `${name} online` });
  return { agent, feature, deviceId: credentials.deviceId, credential: credentials.credential };
}

async function watch(client: ApiClient): Promise<DashboardSocket> {
  const socket = await connected(dashboardSocket(harbour.url, client.cookieHeader));
  const r = await socket.emitWithAck('room:watch', { roomId });
  expect(r.ok).toBe(true);
  return socket;
}

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  roomId = (await clients.admin.createRoom('Year 2 Willow')).id;
  const me = await clients.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
  teacherId = me.body.user.id;
  await clients.admin.json('POST', '/api/users', {
    email: 'other@school.test',
    displayName: 'Other Teacher',
    role: 'teacher',
    password: 'a long enough password',
    temporaryPassword: false,
  });
  otherTeacher = new ApiClient(harbour.url);
  await otherTeacher.login('other@school.test', 'a long enough password');
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await harbour.close();
});

describe('who may supervise', () => {
  it('a teacher not assigned to the room cannot start supervising it', async () => {
    const res = await clients.teacher.json('POST', '/api/supervision', { roomId });
    expect(res).toMatchObject({
      status: 403,
      body: { error: { message: expect.stringMatching(/may supervise/) as unknown } },
    });
  });

  it('an admin assigns staff; bad ids change nothing', async () => {
    const bad = await clients.admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [randomUUID()] });
    expect(bad.status).toBe(400);
    expect((await clients.admin.json('GET', `/api/rooms/${roomId}/staff`)).body).toEqual({ userIds: [] });
    const ok = await clients.admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [teacherId] });
    expect(ok).toMatchObject({ status: 200, body: { userIds: [teacherId] } });
  });
});

describe('a supervised lesson', () => {
  let sessionId: string;
  let pc1: Awaited<ReturnType<typeof startAgent>>;
  let screens1: RecordedScreens;
  let dash: DashboardSocket;

  beforeAll(async () => {
    screens1 = new RecordedScreens();
    pc1 = await startAgent('WIL-01', screens1);
    dash = await watch(clients.teacher);
  });
  afterAll(() => dash.close());

  it('starts, and only one teacher supervises a room at a time', async () => {
    const thumbs: string[] = [];
    dash.on('device:thumbnail', (t) => thumbs.push(t.deviceId));
    expect(pc1.feature.supervised).toBe(false);
    const res = await clients.teacher.json<{ id: string; teacherId: string }>('POST', '/api/supervision', {
      roomId,
      durationMinutes: 45,
    });
    expect(res.status).toBe(201);
    sessionId = res.body.id;
    await waitFor(() => pc1.feature.supervised, { what: 'the agent to learn it is supervised' });
    // Thumbnails flow to the watching teacher only now.
    await waitFor(() => thumbs.includes(pc1.deviceId), { what: 'a thumbnail' });
    const dsl = await clients.dsl.json('POST', '/api/supervision', { roomId });
    expect(dsl).toMatchObject({ status: 409 });
  });

  it('is listed for its teacher and for the DSL, not for another teacher', async () => {
    const mine = await clients.teacher.json<{ sessions: { id: string }[] }>('GET', '/api/supervision');
    expect(mine.body.sessions.map((s) => s.id)).toEqual([sessionId]);
    const dsl = await clients.dsl.json<{ sessions: { id: string; teacherName: string }[] }>(
      'GET',
      '/api/supervision',
    );
    expect(dsl.body.sessions).toEqual([expect.objectContaining({ id: sessionId, teacherName: 'A teacher' })]);
    const other = await otherTeacher.json<{ sessions: unknown[] }>('GET', '/api/supervision');
    expect(other.body.sessions).toEqual([]);
    expect((await otherTeacher.json('GET', `/api/supervision/${sessionId}`)).status).toBe(403);
  });

  it('records which pupils it supervised', async () => {
    const detail = await clients.teacher.json<{ pupils: { hostname: string; username: string }[] }>(
      'GET',
      `/api/supervision/${sessionId}`,
    );
    expect(detail.body.pupils).toEqual([expect.objectContaining({ hostname: 'WIL-01' })]);
  });

  it('"eyes on me" covers online devices, each acknowledged, and marks an offline one "did not reach"', async () => {
    const offline = await startAgent('WIL-02', new RecordedScreens());
    await offline.agent.stop();
    await waitFor(
      async () =>
        (await clients.admin.devices(roomId)).find((d) => d.id === offline.deviceId)?.online === false,
    );

    const updates: ControlAction[] = [];
    dash.on('control:updated', (a) => updates.push(a));
    const res = await clients.teacher.json<ControlAction>('POST', `/api/supervision/${sessionId}/controls`, {
      kind: 'cover',
      message: 'Eyes on me, please',
    });
    expect(res.status).toBe(201);
    const states = Object.fromEntries(res.body.targets.map((t) => [t.hostname, t.state]));
    expect(states).toEqual({ 'WIL-01': 'sent', 'WIL-02': 'not_reached' });
    await waitFor(() =>
      updates.some(
        (u) =>
          u.id === res.body.id && u.targets.find((t) => t.hostname === 'WIL-01')?.state === 'acknowledged',
      ),
    );
    expect(screens1.calls).toContain('cover:Eyes on me, please');

    const release = await clients.teacher.json<ControlAction>(
      'POST',
      `/api/supervision/${sessionId}/controls`,
      {
        kind: 'release',
        deviceIds: [pc1.deviceId],
      },
    );
    expect(release.status).toBe(201);
    await waitFor(() => screens1.calls.at(-1) === 'release');
    const listed = await clients.teacher.json<{ actions: ControlAction[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    expect(listed.body.actions.map((a) => a.kind)).toEqual(['release', 'cover']);
  });

  it('a message reaches one pupil', async () => {
    const res = await clients.teacher.json<ControlAction>('POST', `/api/supervision/${sessionId}/controls`, {
      kind: 'message',
      deviceIds: [pc1.deviceId],
      message: 'Well done, Sam!',
    });
    expect(res.status).toBe(201);
    await waitFor(() => screens1.calls.includes('message:Well done, Sam!'));
  });

  it('bad controls are refused and change nothing', async () => {
    const count = async () =>
      (await clients.teacher.json<{ actions: unknown[] }>('GET', `/api/supervision/${sessionId}/controls`))
        .body.actions.length;
    const before = await count();
    const cases: [unknown, number][] = [
      [{ kind: 'message' }, 400],
      [{ kind: 'message', message: 'x'.repeat(281) }, 400],
      [{ kind: 'explode' }, 400],
      [{ kind: 'cover', deviceIds: [randomUUID()] }, 400],
    ];
    for (const [body, status] of cases) {
      expect(
        (await clients.teacher.json('POST', `/api/supervision/${sessionId}/controls`, body)).status,
      ).toBe(status);
    }
    // Another teacher cannot use this session's controls.
    expect(
      (await otherTeacher.json('POST', `/api/supervision/${sessionId}/controls`, { kind: 'cover' })).status,
    ).toBe(403);
    expect(await count()).toBe(before);
  });

  it('a device cannot forge controls, nor acknowledge one it was not sent', async () => {
    const other = await startAgent('WIL-03', null);
    const socket = await connected(
      agentSocket(harbour.url, {
        deviceId: other.deviceId,
        credential: other.credential,
        agentVersion: '0.1.0',
      }),
    );
    const forged = await (
      socket as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }
    ).emitWithAck('control:apply', {
      actionId: randomUUID(),
      kind: 'cover',
      message: null,
      teacherName: 'x',
    });
    expect(forged).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    const listed = await clients.teacher.json<{ actions: { id: string }[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    const someoneElses = listed.body.actions[0]!.id;
    const ack = await socket.emitWithAck('agent:control-ack', { actionId: someoneElses });
    expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    socket.close();
  });

  it('ends by itself at the time set, releasing covered screens and stopping thumbnails', async () => {
    await clients.teacher.json('POST', `/api/supervision/${sessionId}/controls`, { kind: 'cover' });
    await waitFor(() => screens1.calls.at(-1)?.startsWith('cover') === true);
    await harbour.db
      .updateTable('supervision_sessions')
      .set({ ends_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', sessionId)
      .execute();
    expect(await harbour.features.supervision.endExpiredSessions()).toBe(1);
    await waitFor(() => !pc1.feature.supervised, { what: 'the agent to learn supervision ended' });
    await waitFor(() => screens1.calls.at(-1) === 'release', { what: 'covered screens released' });
    expect(
      (await clients.teacher.json<{ sessions: unknown[] }>('GET', '/api/supervision')).body.sessions,
    ).toEqual([]);
    // The server refuses thumbnails now.
    const socket = await connected(
      agentSocket(harbour.url, { deviceId: pc1.deviceId, credential: pc1.credential, agentVersion: '0.1.0' }),
    );
    const refused = await socket.emitWithAck('agent:thumbnail', {
      capturedAt: new Date().toISOString(),
      width: 320,
      height: 200,
      jpegBase64: '/9j/4AAQSkZJRgABAQ==',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    socket.close();
  });
});
