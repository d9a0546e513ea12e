import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { agentSocket, connected, dashboardSocket, type AgentSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

let harbour: Harbour;
let admin: ApiClient;
let roomId: string;

const device = { hostname: 'PC-01', os: 'Linux test', serial: 'SN123', agentVersion: '0.1.0' };

async function enrolDevice(): Promise<{ deviceId: string; credential: string }> {
  const { token } = await admin.createToken(roomId);
  const res = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    ...device,
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function connectDevice(): Promise<{ socket: AgentSocket; deviceId: string }> {
  const { deviceId, credential } = await enrolDevice();
  const socket = await connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' }));
  return { socket, deviceId };
}

const storedEvents = async (deviceId: string) =>
  harbour.db.selectFrom('agent_events').selectAll().where('device_id', '=', deviceId).execute();

const sessionEvent = () => ({
  id: randomUUID(),
  occurredAt: new Date().toISOString(),
  body: { type: 'session.started' as const, user: { username: 'pupil1' } },
});

beforeAll(async () => {
  harbour = await startInProcess();
  admin = (await staffClients(harbour)).admin;
  roomId = (await admin.createRoom('Year 5')).id;
});
afterAll(() => harbour.close());

describe('device credentials', () => {
  it('a forged credential is refused with a clear error', async () => {
    const { deviceId } = await enrolDevice();
    await expect(
      connected(
        agentSocket(harbour.url, { deviceId, credential: 'hdc_' + 'x'.repeat(40), agentVersion: '0.1.0' }),
      ),
    ).rejects.toThrow('Unknown device or wrong credential.');
  });

  it('a forged device id is refused', async () => {
    const { credential } = await enrolDevice();
    await expect(
      connected(agentSocket(harbour.url, { deviceId: randomUUID(), credential, agentVersion: '0.1.0' })),
    ).rejects.toThrow('Unknown device or wrong credential.');
  });

  it('malformed handshake data is refused', async () => {
    await expect(connected(agentSocket(harbour.url, { deviceId: 'nope', credential: 1 }))).rejects.toThrow(
      /missing or malformed/,
    );
  });

  it('only a hash of the credential is stored', async () => {
    const { deviceId, credential } = await enrolDevice();
    const row = await harbour.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', deviceId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(credential);
    expect(row.credential_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a revoked device is cut off at once, open connection included, and refused afterwards', async () => {
    const { deviceId, credential } = await enrolDevice();
    const socket = await connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' }));
    const revokedNotice = new Promise((resolve) => socket.once('server:revoked', resolve));
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    const res = await admin.request('POST', `/api/devices/${deviceId}/revoke`);
    expect(res.status).toBe(200);
    await expect(revokedNotice).resolves.toMatchObject({
      reason: expect.stringMatching(/revoked/) as unknown,
    });
    await disconnected;
    await expect(
      connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' })),
    ).rejects.toThrow(/revoked/);
    // It no longer appears among the room's devices.
    expect((await admin.devices(roomId)).map((d) => d.id)).not.toContain(deviceId);
  });
});

describe('agent messages', () => {
  it('an unknown event gets an error back', async () => {
    const { socket } = await connectDevice();
    const result = await (
      socket as unknown as AgentSocket & { emitWithAck(e: string, p: unknown): Promise<unknown> }
    ).emitWithAck('agent:self-destruct', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
    socket.close();
  });

  it('an event without an acknowledgement gets a server:error push', async () => {
    const { socket } = await connectDevice();
    const pushed = new Promise((resolve) => socket.once('server:error', resolve));
    (socket as unknown as { emit(e: string, p: unknown): void }).emit('agent:heartbeat', {
      sentAt: new Date().toISOString(),
    });
    await expect(pushed).resolves.toMatchObject({ code: 'bad_request' });
    socket.close();
  });

  it('an invalid payload is refused with the failing path, and nothing is stored', async () => {
    const { socket, deviceId } = await connectDevice();
    const bad = { ...sessionEvent(), body: { type: 'session.started', user: { username: 42 } } };
    const result = await socket.emitWithAck('agent:event', bad as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    if (!result.ok) expect(result.error.issues?.[0]?.path).toBe('body.user.username');
    expect(await storedEvents(deviceId)).toHaveLength(0);
    socket.close();
  });

  it('an unknown event type inside the envelope is refused', async () => {
    const { socket, deviceId } = await connectDevice();
    const bad = { ...sessionEvent(), body: { type: 'session.exploded' } };
    const result = await socket.emitWithAck('agent:event', bad as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await storedEvents(deviceId)).toHaveLength(0);
    socket.close();
  });

  it('an oversized payload is refused, and the connection stays usable', async () => {
    const { socket, deviceId } = await connectDevice();
    const big = sessionEvent();
    big.body.user.username = 'x'.repeat(limits.maxSocketPayloadBytes);
    const result = await socket.emitWithAck('agent:event', big);
    expect(result).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(await storedEvents(deviceId)).toHaveLength(0);
    const ok = await socket.emitWithAck('agent:heartbeat', { sentAt: new Date().toISOString() });
    expect(ok.ok).toBe(true);
    socket.close();
  });

  it('a replayed event is stored once', async () => {
    const { socket, deviceId } = await connectDevice();
    const event = sessionEvent();
    const first = await socket.emitWithAck('agent:event', event);
    const again = await socket.emitWithAck('agent:event', event);
    expect(first).toEqual({ ok: true, data: { duplicate: false } });
    expect(again).toEqual({ ok: true, data: { duplicate: true } });
    expect(await storedEvents(deviceId)).toHaveLength(1);
    const sessions = await harbour.db
      .selectFrom('device_sessions')
      .selectAll()
      .where('device_id', '=', deviceId)
      .execute();
    expect(sessions).toHaveLength(1);
    socket.close();
  });

  it("an event id replayed by a different device is that device's own event, not a clash", async () => {
    const a = await connectDevice();
    const b = await connectDevice();
    const event = sessionEvent();
    await a.socket.emitWithAck('agent:event', event);
    const fromB = await b.socket.emitWithAck('agent:event', event);
    expect(fromB).toEqual({ ok: true, data: { duplicate: false } });
    a.socket.close();
    b.socket.close();
  });

  it('presence reaches a watching dashboard within a second', async () => {
    const { socket, deviceId } = await connectDevice();
    const dash = await connected(dashboardSocket(harbour.url, admin.cookieHeader));
    await dash.emitWithAck('room:watch', { roomId });
    const seen = new Promise<number>((resolve) =>
      dash.on('device:changed', (d) => {
        if (d.id === deviceId && d.user === 'SCHOOL\\pupil7') resolve(Date.now());
      }),
    );
    const sent = Date.now();
    await socket.emitWithAck('agent:presence', {
      user: { username: 'pupil7', domain: 'SCHOOL' },
      locked: false,
    });
    expect((await seen) - sent).toBeLessThan(1000);
    dash.close();
    socket.close();
  });

  it('the server is still healthy after all of that', async () => {
    const res = await fetch(`${harbour.url}/api/health`);
    expect(res.status).toBe(200);
  });
});

describe('enrolment tokens', () => {
  const enrolWith = (token: string) => admin.json('POST', '/api/agent/enrol', { token, ...device });

  it('an unknown token is refused', async () => {
    const res = await enrolWith('het_nonsense');
    expect(res).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/not recognised/) as unknown } },
    });
  });

  it('a revoked token is refused', async () => {
    const { id, token } = await admin.createToken(roomId);
    await admin.request('POST', `/api/enrolment-tokens/${id}/revoke`);
    expect(await enrolWith(token)).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/revoked/) as unknown } },
    });
  });

  it('an expired token is refused', async () => {
    const { id, token } = await admin.createToken(roomId);
    await harbour.db
      .updateTable('enrolment_tokens')
      .set({ expires_at: '2020-01-01T00:00:00.000Z' })
      .where('id', '=', id)
      .execute();
    expect(await enrolWith(token)).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/expired/) as unknown } },
    });
  });

  it('a token with a use limit stops at the limit', async () => {
    const { token } = await admin.createToken(roomId, { maxUses: 1 });
    expect((await enrolWith(token)).status).toBe(201);
    expect(await enrolWith(token)).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringMatching(/used up/) as unknown } },
    });
  });

  it('the token decides the room, and only its hash is stored', async () => {
    const other = await admin.createRoom('Year 6');
    const { token } = await admin.createToken(other.id);
    const res = await enrolWith(token);
    expect(res.body).toMatchObject({ roomId: other.id });
    const rows = await harbour.db.selectFrom('enrolment_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('hostile device details are refused clearly', async () => {
    const { token } = await admin.createToken(roomId);
    const res = await admin.json('POST', '/api/agent/enrol', { ...device, token, hostname: 'PC\u202E01' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });
});

describe('live room view data', () => {
  it('GET /api/devices lists id, hostname, online and lastSeen', async () => {
    const { socket, deviceId } = await connectDevice();
    const found = await waitFor(async () =>
      (await admin.devices(roomId)).find((d) => d.id === deviceId && d.online),
    );
    expect(found).toMatchObject({ hostname: 'PC-01', online: true });
    expect(Date.parse(found.lastSeen ?? '')).toBeGreaterThan(Date.now() - 60_000);
    socket.close();
    await waitFor(async () => (await admin.devices(roomId)).find((d) => d.id === deviceId && !d.online), {
      what: 'offline',
    });
  });
});
