/**
 * Issue 14 item 8: data from devices is not trusted too far, and nothing a pupil sent is
 * dropped silently: absurd times, activity out of order, the pupil's words before their
 * report, a report id another device already used.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';
import { buildWorld, connectDevice, type World } from './world.js';

let world: World;
let agentA: AgentSocket;
let agentB: AgentSocket;
beforeAll(async () => {
  world = await buildWorld();
  agentA = await connectDevice(world.harbour, world.deviceA);
  agentB = await connectDevice(world.harbour, world.deviceB);
});
afterAll(async () => {
  agentA.close();
  agentB.close();
  await world.close();
});

const send = (socket: AgentSocket, occurredAt: string, body: Record<string, unknown>) =>
  socket.emitWithAck('agent:event', { id: randomUUID(), occurredAt, body: body as never });
const report = (tellId = randomUUID()) => ({
  type: 'tell.reported',
  tellId,
  user: { username: 'pupil', displayName: 'A pupil' },
  evidence: [],
  displays: [],
  window: null,
  captureError: null,
});
const window = (title: string) => ({
  app: 'Chromium',
  title,
  exePath: null,
  url: 'https://example.org/',
  domain: 'example.org',
  private: false,
});
const near = (iso: string) => Math.abs(Date.parse(iso) - Date.now()) < 60_000;

describe('item 8: times outside a sane window around the server’s clock', () => {
  for (const absurd of [
    '0001-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.000Z',
    '2001-01-01T00:00:00.000Z',
    new Date(Date.now() + 3600_000).toISOString(),
  ]) {
    it(`${absurd}: the report, the session and the activity are kept at the time they arrived, with a health warning`, async () => {
      const body = report();
      expect(await send(agentA, absurd, body)).toMatchObject({ ok: true });
      const incident = await world.harbour.db
        .selectFrom('incidents')
        .select('occurred_at')
        .where('tell_id', '=', body.tellId)
        .executeTakeFirstOrThrow();
      expect(near(incident.occurred_at), incident.occurred_at).toBe(true);

      const user = `pupil-${randomUUID().slice(0, 6)}`;
      expect(await send(agentA, absurd, { type: 'session.started', user: { username: user } })).toMatchObject(
        { ok: true },
      );
      const session = await world.harbour.db
        .selectFrom('device_sessions')
        .select('started_at')
        .where('username', '=', user)
        .executeTakeFirstOrThrow();
      expect(near(session.started_at)).toBe(true);

      expect(
        await send(agentA, absurd, {
          type: 'activity.changed',
          state: 'active',
          user: { username: user },
          window: window('x'),
        }),
      ).toMatchObject({ ok: true });
      const times = await world.harbour.db
        .selectFrom('activity_intervals')
        .select(['started_at'])
        .where('username', '=', user)
        .execute();
      expect(times.every((t) => near(t.started_at))).toBe(true);

      const health = await world.staff.technician.json<{
        problems: { deviceId: string; code: string; message: string }[];
      }>('GET', `/api/device-health?deviceId=${world.deviceA.deviceId}`);
      expect(JSON.stringify(health.body)).toMatch(/clock is wrong/);
    });
  }

  it('a heartbeat with the right time clears the warning', async () => {
    expect(await agentA.emitWithAck('agent:heartbeat', { sentAt: new Date().toISOString() })).toMatchObject({
      ok: true,
    });
    const open = await world.harbour.db
      .selectFrom('device_health')
      .select('code')
      .where('device_id', '=', world.deviceA.deviceId)
      .where('source', '=', 'clock')
      .where('cleared_at', 'is', null)
      .execute();
    expect(open).toEqual([]);
  });
});

describe('item 8: activity out of order', () => {
  it('a late change takes its place: no overlapping intervals, none stretched', async () => {
    const device = await world.enrol(world.roomA, 'PC-ORDER');
    const agent = await connectDevice(world.harbour, device);
    const base = Date.now() - 60 * 60_000;
    const t = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const change = (minutes: number, title: string, state = 'active') =>
      send(agent, t(minutes), {
        type: 'activity.changed',
        state,
        user: { username: 'pupil' },
        window: state === 'active' ? window(title) : null,
      });
    for (const [m, title] of [
      [2, 'first'],
      [6, 'third'],
      [4, 'second'],
      [8, 'fourth'],
      [3, 'late, within the first'],
    ] as const) {
      expect(await change(m, title)).toMatchObject({ ok: true });
    }
    expect(await change(1, 'idle before all', 'idle')).toMatchObject({ ok: true });
    const rows = await world.harbour.db
      .selectFrom('activity_intervals')
      .select(['title', 'state', 'started_at', 'ended_at'])
      .where('device_id', '=', device.deviceId)
      .orderBy('started_at')
      .execute();
    expect(rows.map((r) => [r.title, r.started_at, r.ended_at])).toEqual([
      [null, t(1), t(2)],
      ['first', t(2), t(3)],
      ['late, within the first', t(3), t(4)],
      ['second', t(4), t(6)],
      ['third', t(6), t(8)],
      ['fourth', t(8), null],
    ]);
    agent.close();
  });
});

describe('item 8: nothing a pupil sent is dropped', () => {
  it('the pupil’s words arriving before their report are kept and join it', async () => {
    const body = report();
    expect(
      await send(agentA, new Date().toISOString(), {
        type: 'tell.details',
        tellId: body.tellId,
        choice: 'stranger',
        words: 'someone keeps messaging me',
      }),
    ).toMatchObject({ ok: true });
    expect(await send(agentA, new Date().toISOString(), body)).toMatchObject({ ok: true });
    const row = await world.harbour.db
      .selectFrom('incidents')
      .selectAll()
      .where('tell_id', '=', body.tellId)
      .executeTakeFirstOrThrow();
    expect(row.pupil_choice).toBe('stranger');
    expect(row.details).toContain('someone keeps messaging me');
    const pending = await world.harbour.db.selectFrom('tell_pending_details').selectAll().execute();
    expect(pending).toEqual([]);
  });

  it('a report id another device already used: both reports are kept, each device sees its own', async () => {
    const tellId = randomUUID();
    expect(await send(agentA, new Date().toISOString(), report(tellId))).toMatchObject({ ok: true });
    expect(await send(agentB, new Date().toISOString(), report(tellId))).toMatchObject({ ok: true });
    const rows = await world.harbour.db
      .selectFrom('incidents')
      .select(['id', 'device_id', 'tell_id'])
      .where('tell_id', 'like', `${tellId}%`)
      .execute();
    expect(rows.map((r) => r.device_id).sort()).toEqual(
      [world.deviceA.deviceId, world.deviceB.deviceId].sort(),
    );
    // Each computer asks about the report by the id it knows.
    for (const agent of [agentA, agentB]) {
      expect(await agent.emitWithAck('agent:tell-status', { tellId })).toMatchObject({ ok: true });
    }
    // The DSL releases B's report: B's computer hears it, with the id it knows.
    const updates: { tellId: string }[] = [];
    agentB.on('server:tell-update', (u) => updates.push(u));
    const bRow = rows.find((r) => r.device_id === world.deviceB.deviceId)!;
    expect((await world.staff.dsl.json('POST', `/api/tell/${bRow.id}/release`)).status).toBe(200);
    await waitFor(() => updates.some((u) => u.tellId === tellId), { what: 'the release on B' });
  });
});
