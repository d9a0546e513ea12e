/**
 * One computer, one device record, and what the record says about it (issues 12 and 14):
 * enrolment tokens that stop at a room's worth of computers and say who used them; the
 * upgrade's `POST /api/agent/merge`, attacked by a device that forges another computer's id;
 * "stopped while in use" and a stopped helper kept on the record, shown to the room's staff
 * and technicians, never to a teacher of another class.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device, InventoryDevice } from '@harbour/shared';
import { startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { waitFor } from '../support/wait.js';
import {
  buildWorld,
  connectDevice,
  connectStaff,
  hostile,
  signIn,
  type EnrolledDevice,
  type Staff,
  type World,
} from './world.js';

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});
afterAll(() => world.close());

const deviceDetails = { hostname: 'PC-T1', os: 'Linux test', serial: null, agentVersion: '0.1.0' };

async function enrolWith(token: string, hostname = `PC-${randomUUID().slice(0, 6)}`) {
  const res = await fetch(`${world.harbour.url}/api/agent/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...deviceDetails, hostname, token }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function devicesAs(who: Staff, roomId?: string): Promise<InventoryDevice[]> {
  const query = roomId ? `?roomId=${roomId}` : '';
  const res = await world.staff[who].json<{ devices: InventoryDevice[] }>('GET', `/api/devices${query}`);
  expect(res.status).toBe(200);
  return res.body.devices;
}

function merge(caller: EnrolledDevice | null, devices: unknown) {
  return fetch(`${world.harbour.url}/api/agent/merge`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(caller && { authorization: `Device ${caller.deviceId}:${caller.credential}` }),
    },
    body: JSON.stringify({ devices }),
  });
}

describe('enrolment tokens (issue 14 item 11)', () => {
  it('default to a room of computers for a week, and list the computers that used them', async () => {
    const created = await world.staff.technician.json<{ id: string; token: string; maxUses: number }>(
      'POST',
      '/api/enrolment-tokens',
      { roomId: world.roomA },
    );
    expect(created.status).toBe(201);
    expect(created.body.maxUses).toBe(40);
    const { expiresAt, createdAt } = created.body as unknown as { expiresAt: string; createdAt: string };
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(7 * 24 * 3600_000);

    expect((await enrolWith(created.body.token, 'PC-USED-1')).status).toBe(201);
    expect((await enrolWith(created.body.token, 'PC-USED-2')).status).toBe(201);
    const list = await world.staff.technician.json<{
      tokens: { id: string; uses: number; usedBy: { hostname: string }[] }[];
    }>('GET', '/api/enrolment-tokens');
    const mine = list.body.tokens.find((t) => t.id === created.body.id);
    expect(mine?.uses).toBe(2);
    expect(mine?.usedBy.map((d) => d.hostname)).toEqual(['PC-USED-1', 'PC-USED-2']);
  });

  it('a replayed, used-up token enrols nothing and counts nothing', async () => {
    const { id, token } = await world.staff.technician.createToken(world.roomA, { maxUses: 1 });
    expect((await enrolWith(token)).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const res = await hostile(world.harbour, () => enrolWith(token));
      expect(res).toMatchObject({
        status: 401,
        body: { error: { message: expect.stringMatching(/used up/) as unknown } },
      });
    }
    const row = await world.harbour.db
      .selectFrom('enrolment_tokens')
      .select('uses')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.uses).toBe(1);
  });

  it('a token without a limit is no longer possible: 0 and "unlimited" are refused clearly', async () => {
    for (const maxUses of [0, null, 'unlimited', 10_001]) {
      const res = await hostile(world.harbour, () =>
        world.staff.technician.json('POST', '/api/enrolment-tokens', { roomId: world.roomA, maxUses }),
      );
      expect(res.status, String(maxUses)).toBe(400);
    }
  });
});

describe('POST /api/agent/merge (issue 12 item 7)', () => {
  it("retires this computer's other records into it, keeping their history; a retry is harmless", async () => {
    const machine = await world.enrol(world.roomA, 'PC-MACHINE');
    const old1 = await world.enrol(world.roomA, 'PC-MACHINE');
    const old2 = await world.enrol(world.roomA, 'PC-MACHINE');
    // The old records have history: a session each.
    for (const old of [old1, old2]) {
      const socket = await connectDevice(world.harbour, old);
      const ack = await socket.emitWithAck('agent:event', {
        id: randomUUID(),
        occurredAt: new Date().toISOString(),
        body: { type: 'session.started', user: { username: 'pupil1' } } as never,
      });
      expect(ack).toMatchObject({ ok: true });
      socket.close();
    }
    const sessionsBefore = await world.harbour.db
      .selectFrom('device_sessions')
      .select('device_id')
      .where('device_id', 'in', [old1.deviceId, old2.deviceId])
      .execute();
    expect(sessionsBefore).toHaveLength(2);
    // One of the old ones is still connected when it is retired: it is cut off at once.
    const live = await connectDevice(world.harbour, old1);
    const cut = new Promise<string>((resolve) => live.on('server:revoked', (p) => resolve(p.reason)));

    const res = await merge(
      machine,
      [old1, old2].map((d) => ({ deviceId: d.deviceId, credential: d.credential })),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      merged: [old1.deviceId, old2.deviceId],
      refused: [],
      waiting: [],
    });
    expect(await cut).toMatch(/merged/);

    // One record left in the inventory; the old credentials open nothing; history is all there.
    const inRoom = await devicesAs('technician', world.roomA);
    expect(inRoom.filter((d) => d.hostname === 'PC-MACHINE').map((d) => d.id)).toEqual([machine.deviceId]);
    await expect(connectDevice(world.harbour, old2)).rejects.toThrow(/revoked/);
    const sessionsAfter = await world.harbour.db
      .selectFrom('device_sessions')
      .select('device_id')
      .where('device_id', 'in', [old1.deviceId, old2.deviceId])
      .execute();
    expect(sessionsAfter).toEqual(sessionsBefore);
    const merged = await world.harbour.db
      .selectFrom('devices')
      .select(['id', 'merged_into', 'revoked_at'])
      .where('id', 'in', [old1.deviceId, old2.deviceId])
      .execute();
    for (const row of merged) expect(row).toMatchObject({ merged_into: machine.deviceId });
    const audits = await world.harbour.db
      .selectFrom('audit_log')
      .select(['actor', 'subject'])
      .where('action', '=', 'device.merge')
      .where('actor', '=', `device:${machine.deviceId}`)
      .execute();
    expect(audits.map((a) => a.subject).sort()).toEqual([old1.deviceId, old2.deviceId].sort());

    // The service lost the answer and asks again: nothing changes, it is told they are merged.
    const again = await hostile(world.harbour, () =>
      merge(machine, [{ deviceId: old1.deviceId, credential: old1.credential }]),
    );
    expect(await again.json()).toEqual({ merged: [old1.deviceId], refused: [], waiting: [] });
  });

  it("a device naming another computer's id without its credential retires nothing (and is audited)", async () => {
    const attacker = await world.enrol(world.roomA, 'PC-ATTACKER');
    const victim = world.deviceA;
    for (const forged of [
      { deviceId: victim.deviceId, credential: `hdc_${randomBytes(32).toString('base64url')}` },
      { deviceId: victim.deviceId, credential: attacker.credential },
      { deviceId: randomUUID(), credential: attacker.credential },
      { deviceId: attacker.deviceId, credential: attacker.credential },
    ]) {
      const res = await hostile(world.harbour, () => merge(attacker, [forged]), ['audit_log']);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ merged: [], refused: [forged.deviceId], waiting: [] });
    }
    // The victim is untouched: still enrolled, still connects.
    const socket = await connectDevice(world.harbour, victim);
    socket.close();
    const refusals = await world.harbour.db
      .selectFrom('audit_log')
      .select('subject')
      .where('action', '=', 'device.merge_refused')
      .where('actor', '=', `device:${attacker.deviceId}`)
      .execute();
    expect(refusals.length).toBe(3);
  });

  it('needs a device credential: anonymous callers and a revoked device get 401, staff 403, bad bodies 400', async () => {
    const old = await world.enrol(world.roomA);
    const body = [{ deviceId: old.deviceId, credential: old.credential }];
    expect((await hostile(world.harbour, () => merge(null, body))).status).toBe(401);
    const asStaff = await hostile(world.harbour, () =>
      world.staff.admin.request('POST', '/api/agent/merge', { devices: body }),
    );
    expect(asStaff.status).toBe(403);
    const revoked = await world.enrol(world.roomA);
    expect(
      (await world.staff.technician.request('POST', `/api/devices/${revoked.deviceId}/revoke`)).status,
    ).toBe(200);
    expect((await hostile(world.harbour, () => merge(revoked, body))).status).toBe(401);
    const caller = await world.enrol(world.roomA);
    for (const bad of [
      [],
      'x',
      [{ deviceId: 'x', credential: 'y' }],
      Array.from({ length: 65 }, () => body[0]),
    ]) {
      expect(
        (await hostile(world.harbour, () => merge(caller, bad))).status,
        JSON.stringify(bad).slice(0, 80),
      ).toBe(400);
    }
  });

  it("waits for a record in another room until a technician moves it, and says so in the computer's health", async () => {
    const machine = await world.enrol(world.roomA, 'PC-MOVED');
    const elsewhere = await world.enrol(world.roomB, 'PC-MOVED');
    const presented = [{ deviceId: elsewhere.deviceId, credential: elsewhere.credential }];
    const first = await merge(machine, presented);
    expect(await first.json()).toEqual({ merged: [], refused: [], waiting: [elsewhere.deviceId] });
    // Room B's record is untouched (still enrolled, still in room B).
    expect((await devicesAs('technician', world.roomB)).some((d) => d.id === elsewhere.deviceId)).toBe(true);
    const health = (await devicesAs('technician', world.roomA)).find(
      (d) => d.id === machine.deviceId,
    )?.health;
    expect(health?.map((h) => h.message).join()).toMatch(/another room: PC-MOVED \(Room B\)/);

    const moved = await world.staff.technician.request('PATCH', `/api/devices/${elsewhere.deviceId}`, {
      roomId: world.roomA,
    });
    expect(moved.status).toBe(200);
    const second = await merge(machine, presented);
    expect(await second.json()).toEqual({ merged: [elsewhere.deviceId], refused: [], waiting: [] });
    const after = (await devicesAs('technician', world.roomA)).find((d) => d.id === machine.deviceId)?.health;
    expect(after?.some((h) => h.code === 'upgrade.records_elsewhere')).toBe(false);
  });
});

describe('stopped while in use, and a stopped helper, on the device record (issue 12 item 3)', () => {
  const helperMessage = "helper stopped in pupil7's session at 2026-12-01 10:31:02";

  async function tamperAndGoodbye(device: EnrolledDevice) {
    const socket = await connectDevice(world.harbour, device);
    expect(
      await socket.emitWithAck('agent:health', {
        problems: [{ code: 'helper.stopped.1007', message: helperMessage }],
      }),
    ).toMatchObject({ ok: true });
    expect(
      await socket.emitWithAck('agent:goodbye', { reason: 'service-stopped', user: { username: 'pupil7' } }),
    ).toMatchObject({ ok: true });
    socket.close();
  }

  it("the room's teacher, the DSL and technicians see both; a teacher of another class sees neither", async () => {
    const device = await world.enrol(world.roomA, 'PC-STOPPED');
    await tamperAndGoodbye(device);
    await waitFor(async () => {
      const d = (await devicesAs('technician', world.roomA)).find((x) => x.id === device.deviceId);
      return d && !d.online && d.stoppedInUse !== null;
    });
    for (const who of ['technician', 'dsl', 'admin', 'teacherA'] as Staff[]) {
      const d = (await devicesAs(who, world.roomA)).find((x) => x.id === device.deviceId);
      expect(d?.stoppedInUse, who).toMatchObject({ user: 'pupil7' });
      expect(d?.tamper, who).toEqual([
        {
          kind: 'helperStopped',
          user: 'pupil7',
          since: expect.any(String) as unknown,
          message: helperMessage,
        },
      ]);
    }
    const other = (await devicesAs('teacherB', world.roomA)).find((x) => x.id === device.deviceId);
    expect(other).toBeDefined();
    expect(other?.stoppedInUse ?? null).toBeNull();
    expect(other?.tamper ?? []).toEqual([]);
    expect(JSON.stringify(other)).not.toContain('pupil7');
  });

  it("reaches the room's live view at once, and only there", async () => {
    const device = await world.enrol(world.roomA, 'PC-LIVE');
    const watchers = {} as Record<'teacherA' | 'teacherB', Device[]>;
    const sockets = [];
    for (const who of ['teacherA', 'teacherB'] as const) {
      const socket = await connectStaff(world.harbour, world.staff[who]);
      watchers[who] = [];
      socket.on('device:changed', (d) => watchers[who].push(d));
      await socket.emitWithAck('room:watch', { roomId: world.roomA });
      sockets.push(socket);
    }
    await tamperAndGoodbye(device);
    await waitFor(() =>
      watchers.teacherA.some(
        (d) => d.id === device.deviceId && d.stoppedInUse && (d.tamper ?? []).length === 1,
      ),
    );
    expect(JSON.stringify(watchers.teacherB)).not.toContain('pupil7');
    for (const s of sockets) s.close();
  });

  it('"stopped while in use" survives a server restart and clears when the service is back', async () => {
    const dataDir = tempDir('restart');
    let harbour = await startInProcess(dataDir);
    const restartWorld = await buildWorld(harbour);
    const device = await restartWorld.enrol(restartWorld.roomA, 'PC-RESTART');
    const socket = await connectDevice(harbour, device);
    await socket.emitWithAck('agent:goodbye', { reason: 'service-stopped', user: { username: 'pupil8' } });
    socket.close();
    await harbour.close();

    harbour = await startInProcess(dataDir, 0);
    try {
      const client = await signIn(harbour.url, 'technician@school.test');
      const list = async () =>
        (await client.json<{ devices: InventoryDevice[] }>('GET', '/api/devices')).body.devices.find(
          (d) => d.id === device.deviceId,
        );
      expect((await list())?.stoppedInUse).toMatchObject({ user: 'pupil8' });
      const back = await connectDevice(harbour, device);
      await waitFor(async () => (await list())?.online === true);
      expect((await list())?.stoppedInUse ?? null).toBeNull();
      back.close();
      await waitFor(async () => (await list())?.online === false);
      expect((await list())?.stoppedInUse ?? null).toBeNull();
    } finally {
      await harbour.close();
    }
  });
});
