/**
 * Issue 14 item 9: limits per device credential and per staff sign-in, with a clear error,
 * and no durable event lost: a real agent process whose outbox holds more than the limit
 * delivers every event, exactly once, by trying again later.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../agent/src/core/outbox.js';
import { ApiClient } from '../support/api.js';
import { outsideQueryIn } from '../support/database.js';
import { adminEmail, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { buildWorld, connectDevice, connectStaff, hostile, type World } from './world.js';

describe('item 9: limits on the real server in this process (the defaults)', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(() => world.close());

  it('a device sending more than 600 requests a minute is told to wait; the server keeps answering', async () => {
    const agent = await connectDevice(world.harbour, world.deviceA);
    const answers = await hostile(
      world.harbour,
      () =>
        Promise.all(
          Array.from({ length: 700 }, () =>
            agent.emitWithAck('agent:heartbeat', { sentAt: new Date().toISOString() }),
          ),
        ),
      ['devices', 'device_health'],
    );
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThanOrEqual(100);
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(refused[0]?.ok ? '' : refused[0]?.error.message).toMatch(/at most 600 a minute/);
    // Another device is not affected.
    const other = await connectDevice(world.harbour, world.deviceB);
    expect(await other.emitWithAck('agent:heartbeat', { sentAt: new Date().toISOString() })).toMatchObject({
      ok: true,
    });
    agent.close();
    other.close();
  });

  it('a staff sign-in sending more than 300 live requests a minute is told to wait', async () => {
    const socket = await connectStaff(world.harbour, world.staff.dsl);
    const answers = await Promise.all(
      Array.from({ length: 320 }, () => socket.emitWithAck('room:watch', { roomId: world.roomA })),
    );
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // The limit is the sign-in's, not the person's other sign-ins'.
    const fresh = new ApiClient(world.harbour.url);
    await fresh.login('dsl@school.test', password);
    const other = await connectStaff(world.harbour, fresh);
    expect(await other.emitWithAck('room:watch', { roomId: world.roomA })).toMatchObject({ ok: true });
    socket.close();
    other.close();
  });

  it('evidence uploads over 120 a minute from one device get 429 with a clear message', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const statuses: number[] = [];
    let message = '';
    for (let i = 0; i < 125; i++) {
      const res = await fetch(
        `${world.harbour.url}/api/agent/evidence?sha256=${createHash('sha256').update(png).digest('hex')}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'image/png',
            authorization: `Device ${world.deviceB.deviceId}:${world.deviceB.credential}`,
          },
          body: new Uint8Array(png),
        },
      );
      statuses.push(res.status);
      const body = (await res.json()) as { error?: { message: string } };
      if (res.status === 429) message = body.error?.message ?? '';
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(message).toMatch(/at most 120 a minute/);
  });
});

describe('item 9: a real agent process over its limit loses nothing', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start(tempDir('server'), {
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
      HARBOUR_DEVICE_RATE_LIMIT: '30',
    });
  });
  afterAll(() => server.stop());

  it('delivers 40 queued events at 30 requests a minute: refused, retried, each stored once', async () => {
    const admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    const room = await admin.createRoom('Limited');
    const { token } = await admin.createToken(room.id);
    const dataDir = tempDir('agent');
    const first = new AgentProcess({ server: server.url, dataDir, token, name: 'LIMITED-01' });
    await waitFor(async () => (await admin.devices(room.id)).find((d) => d.online), {
      what: 'the agent online',
    });
    await first.kill('SIGTERM');

    const outbox = new Outbox(dataDir);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        outbox.enqueue({ type: 'session.started', user: { username: `pupil-${randomUUID().slice(0, 8)}` } })
          .id,
      );
    }
    outbox.close();

    const agent = new AgentProcess({ server: server.url, dataDir, name: 'LIMITED-01' });
    const stored = async () =>
      (
        await outsideQueryIn<{ event_id: string }>(
          server.dataDir,
          `select event_id from agent_events where type = 'session.started'`,
        )
      ).map((r) => r.event_id);
    await waitFor(() => agent.output.includes('rate_limited'), {
      what: 'the server to refuse for the rate',
      timeoutMs: 30_000,
    });
    expect((await stored()).length).toBeLessThan(ids.length);
    await waitFor(
      async () => {
        const now = await stored();
        return ids.every((id) => now.includes(id));
      },
      {
        what: 'every event stored',
        timeoutMs: 100_000,
      },
    );
    const all = await stored();
    for (const id of ids) expect(all.filter((s) => s === id)).toHaveLength(1);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    await agent.kill('SIGTERM');
  }, 150_000);
});
