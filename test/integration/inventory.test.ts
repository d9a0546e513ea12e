// The device inventory: GET /api/devices with health, rename and move, the agent's
// health report, and the warnings the server works out itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryDevice } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { reportHealth } from '../../dashboard/src/server/features/devices/index.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { agentSocket, connected, dashboardSocket, type AgentSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let roomA: string;
let roomB: string;
const sockets: { close(): void }[] = [];

async function enrolDevice(hostname: string, agentVersion = '0.1.0') {
  const { token } = await clients.technician.createToken(roomA);
  const res = await clients.anonymous.json<{ deviceId: string; credential: string }>(
    'POST',
    '/api/agent/enrol',
    {
      token,
      hostname,
      os: 'Windows 11 (10.0.22631)',
      serial: 'SN-123',
      agentVersion,
    },
  );
  expect(res.status).toBe(201);
  const socket = await connected(
    agentSocket(harbour.url, { deviceId: res.body.deviceId, credential: res.body.credential, agentVersion }),
  );
  sockets.push(socket);
  return { id: res.body.deviceId, socket };
}

async function device(id: string): Promise<InventoryDevice> {
  const { status, body } = await clients.technician.json<{ devices: InventoryDevice[] }>(
    'GET',
    '/api/devices',
  );
  expect(status).toBe(200);
  const found = body.devices.find((d) => d.id === id);
  if (!found) throw new Error(`device ${id} not listed`);
  return found;
}

const health = (socket: AgentSocket, problems: unknown) =>
  socket.emitWithAck('agent:health', { problems } as never);

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  roomA = (await clients.technician.createRoom('ICT Suite')).id;
  roomB = (await clients.technician.createRoom('Library')).id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await harbour.close();
});

describe('GET /api/devices', () => {
  it('lists each device with the stable fields, health, and "—" hooks for AUP and extension', async () => {
    const { id } = await enrolDevice('PC-01');
    const d = await waitFor(async () => {
      const found = await device(id);
      return found.online ? found : undefined;
    });
    expect(d).toMatchObject({
      hostname: 'PC-01',
      serial: 'SN-123',
      os: 'Windows 11 (10.0.22631)',
      agentVersion: '0.1.0',
      roomId: roomA,
      health: [],
      aup: null,
      extension: null,
    });
    expect(d.lastSeen).not.toBeNull();
    expect(d.enrolledAt).toMatch(/^\d{4}-/);
  });

  it('warns when the agent is older than the server expects', async () => {
    const { id } = await enrolDevice('PC-OLD', '0.0.9');
    const d = await device(id);
    expect(d.health).toEqual([expect.objectContaining({ code: 'agent.outdated', source: 'server' })]);
    expect(d.health[0]?.message).toMatch(/Agent 0\.0\.9 is older than this server expects \(0\.1\.0\)/);
  });

  it('warns when a device has not been seen for days', async () => {
    const { id, socket } = await enrolDevice('PC-AWAY');
    socket.close();
    await waitFor(async () => !(await device(id)).online);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await harbour.db.updateTable('devices').set({ last_seen: tenDaysAgo }).where('id', '=', id).execute();
    const d = await device(id);
    expect(d.health.map((h) => h.code)).toEqual(['device.not_seen']);
    expect(d.health[0]?.message).toMatch(/^Not seen for 10 days/);
  });
});

describe('whether the browser extension reports', () => {
  const change = (window: { app: string; title: string; url: string | null; domain: string | null }) => ({
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    body: {
      type: 'activity.changed' as const,
      state: 'active' as const,
      user: { username: 'pupil1' },
      window: { ...window, exePath: null, private: false },
    },
  });

  it('shows when it last reported a page, and marks a browser with no pages as not reporting', async () => {
    const withExtension = await enrolDevice('PC-EXT');
    const sent = change({
      app: 'Chromium',
      title: 'Maths',
      url: 'https://maths.example/',
      domain: 'maths.example',
    });
    expect(await withExtension.socket.emitWithAck('agent:event', sent as never)).toMatchObject({ ok: true });
    const reporting = await waitFor(async () => (await device(withExtension.id)).extension ?? undefined);
    expect(reporting).toEqual({ reporting: true, lastReport: sent.occurredAt });

    const without = await enrolDevice('PC-NOEXT');
    const noUrl = change({ app: 'Google Chrome', title: 'New Tab', url: null, domain: null });
    expect(await without.socket.emitWithAck('agent:event', noUrl as never)).toMatchObject({ ok: true });
    const silent = await waitFor(async () => (await device(without.id)).extension ?? undefined);
    expect(silent).toEqual({ reporting: false, lastReport: null });
  });
});

describe('agent:health', () => {
  it('stores the reported problems, keeps when each started, and clears the ones no longer reported', async () => {
    const { id, socket } = await enrolDevice('PC-HEALTH');
    const problems = [
      { code: 'config.invalid.heartbeatSeconds', message: 'heartbeatSeconds must be a whole number' },
      { code: 'probe.screen-capture', message: '<img src=x onerror=alert(1)> permission missing' },
    ];
    expect(await health(socket, problems)).toEqual({ ok: true, data: {} });
    const first = await device(id);
    expect(first.health.map((h) => [h.code, h.message, h.source])).toEqual(
      problems.map((p) => [p.code, p.message, 'agent']),
    );
    const since = first.health[1]?.since;

    await new Promise((r) => setTimeout(r, 20));
    expect(await health(socket, [problems[1]])).toMatchObject({ ok: true });
    const second = await device(id);
    expect(second.health).toEqual([expect.objectContaining({ code: 'probe.screen-capture', since })]);
    const history = await harbour.db
      .selectFrom('device_health')
      .select(['code', 'cleared_at'])
      .where('device_id', '=', id)
      .orderBy('id')
      .execute();
    expect(history.map((h) => [h.code, h.cleared_at === null])).toEqual([
      ['config.invalid.heartbeatSeconds', false],
      ['probe.screen-capture', true],
    ]);
  });

  it("a report from another source never clears the agent's problems, and the other way round", async () => {
    const { id, socket } = await enrolDevice('PC-SOURCES');
    await health(socket, [{ code: 'config.bad_json', message: 'bad file' }]);
    await reportHealth(harbour.db, id, [{ code: 'probe.window', message: 'no window probe' }], 'probes');
    await health(socket, []);
    expect((await device(id)).health.map((h) => h.code)).toEqual(['probe.window']);
  });

  it.each([
    ['a code with spaces', [{ code: 'not a code', message: 'x' }]],
    ['an empty message', [{ code: 'a.b', message: '   ' }]],
    ['a control character', [{ code: 'a.b', message: 'bell\u0007' }]],
    ['an extra field', [{ code: 'a.b', message: 'x', severity: 'high' }]],
    ['too many problems', Array.from({ length: 51 }, (_, i) => ({ code: `p.${i}`, message: 'x' }))],
    ['not a list', 'everything is fine'],
  ])('refuses %s and stores nothing', async (_what, problems) => {
    const { id, socket } = await enrolDevice(`PC-${randomUUID().slice(0, 8)}`);
    await health(socket, [{ code: 'kept.problem', message: 'still here' }]);
    const result = await health(socket, problems);
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect((await device(id)).health.map((h) => h.code)).toEqual(['kept.problem']);
  });
});

describe('PATCH /api/devices/:id', () => {
  it('renames a device, storing hostile text as it is', async () => {
    const { id } = await enrolDevice('PC-NAME');
    const name = `<script>alert(1)</script>'; DROP TABLE devices; -- Ünïcödé 🐳`;
    const res = await clients.technician.json<InventoryDevice>('PATCH', `/api/devices/${id}`, {
      hostname: name,
    });
    expect(res.status).toBe(200);
    expect(res.body.hostname).toBe(name);
    expect((await device(id)).hostname).toBe(name);
    const audit = await harbour.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'device.update')
      .where('subject', '=', id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('moves a device: live views of the old room see it leave, the new room sees it arrive', async () => {
    const { id } = await enrolDevice('PC-MOVE');
    // The technician's device view (a teacher watches only rooms they are assigned to).
    const watcherA = await connected(dashboardSocket(harbour.url, clients.technician.cookieHeader));
    const watcherB = await connected(dashboardSocket(harbour.url, clients.technician.cookieHeader));
    sockets.push(watcherA, watcherB);
    await watcherA.emitWithAck('room:watch', { roomId: roomA });
    await watcherB.emitWithAck('room:watch', { roomId: roomB });
    const left = new Promise((resolve) => watcherA.once('device:removed', resolve));
    const arrived = new Promise((resolve) => watcherB.once('device:changed', resolve));
    const res = await clients.technician.json<InventoryDevice>('PATCH', `/api/devices/${id}`, {
      roomId: roomB,
    });
    expect(res.status).toBe(200);
    expect(res.body.roomId).toBe(roomB);
    expect(await left).toEqual({ id, roomId: roomA });
    expect(await arrived).toMatchObject({ id, roomId: roomB, hostname: 'PC-MOVE' });
    const inB = await clients.technician.json<{ devices: InventoryDevice[] }>(
      'GET',
      `/api/devices?roomId=${roomB}`,
    );
    expect(inB.body.devices.map((d) => d.id)).toContain(id);
  });

  it.each([
    ['an empty name', { hostname: '   ' }, 400, 'validation_failed'],
    ['a two-line name', { hostname: 'a\nb' }, 400, 'validation_failed'],
    ['a name too long', { hostname: 'x'.repeat(256) }, 400, 'validation_failed'],
    ['nothing to change', {}, 400, 'validation_failed'],
    ['an unknown field', { hostname: 'ok', colour: 'red' }, 400, 'validation_failed'],
    ['a room that does not exist', { roomId: randomUUID() }, 404, 'not_found'],
  ])('refuses %s and changes nothing', async (_what, body, status, code) => {
    const { id } = await enrolDevice('PC-KEEP');
    const before = await device(id);
    const res = await clients.technician.json<{ error: { code: string } }>(
      'PATCH',
      `/api/devices/${id}`,
      body,
    );
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    const after = await device(id);
    expect([after.hostname, after.roomId]).toEqual([before.hostname, before.roomId]);
  });

  it('refuses to change an unknown or revoked device', async () => {
    expect(
      (await clients.technician.json('PATCH', `/api/devices/${randomUUID()}`, { hostname: 'x' })).status,
    ).toBe(404);
    const { id } = await enrolDevice('PC-GONE');
    await clients.technician.request('POST', `/api/devices/${id}/revoke`);
    const res = await clients.technician.json<{ error: { code: string } }>('PATCH', `/api/devices/${id}`, {
      hostname: 'x',
    });
    expect(res.status).toBe(409);
  });
});
