/**
 * Issue 18 item 5: activity changes reach dashboards batched (`activity:changes`, one
 * message with every change of a window), on the real server with real agent sockets.
 * Nothing is lost or reordered per device, a batch is built per recipient (a teacher of
 * room B never receives a change of room A, looked for in the raw socket.io frames), and a
 * dashboard leaving with a batch on its way harms nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceActivity } from '@harbour/shared';
import {
  buildWorld,
  connectDevice,
  connectStaff,
  type EnrolledDevice,
  type World,
} from '../security/world.js';
import type { AgentSocket, DashboardSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

let world: World;
const roomADevices: EnrolledDevice[] = [];
const agents = new Map<string, AgentSocket>();
const sockets: DashboardSocket[] = [];

/** Every socket.io frame the dashboard socket receives, as sent on the wire. */
function rawFrames(socket: DashboardSocket): string[] {
  const frames: string[] = [];
  socket.io.engine.on('packet', (packet) => {
    if (packet.type === 'message' && typeof packet.data === 'string') frames.push(packet.data);
  });
  return frames;
}

/** The `activity:changes` messages among raw frames (socket.io's `2/dashboard,["event",payload]`). */
function batches(frames: readonly string[]): DeviceActivity[][] {
  const prefix = '2/dashboard,';
  return frames
    .filter((f) => f.startsWith(prefix))
    .map((f) => JSON.parse(f.slice(prefix.length)) as [string, { changes: DeviceActivity[] }])
    .filter(([event]) => event === 'activity:changes')
    .map(([, payload]) => payload.changes);
}

async function show(agent: AgentSocket, title: string) {
  const ack = await agent.emitWithAck('agent:event', {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    body: {
      type: 'activity.changed',
      state: 'active',
      user: { username: 'pupil' },
      window: { app: 'Chromium', title, exePath: null, url: null, domain: null, private: false },
    },
  });
  expect(ack).toMatchObject({ ok: true });
}

async function watching(client: World['staff'][keyof World['staff']], roomIds: string[]) {
  const socket = await connectStaff(world.harbour, client);
  sockets.push(socket);
  const frames = rawFrames(socket);
  for (const roomId of roomIds) {
    const ack = await socket.emitWithAck('activity:watch', { roomId });
    expect(ack.ok).toBe(true);
  }
  return { socket, frames };
}

beforeAll(async () => {
  world = await buildWorld();
  for (let i = 0; i < 50; i++) roomADevices.push(await world.enrol(world.roomA, `PC-A${i + 10}`));
  for (const d of [...roomADevices, world.deviceB])
    agents.set(d.deviceId, await connectDevice(world.harbour, d));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const a of agents.values()) a.close();
  await world?.close();
});

describe('batched activity pushes', () => {
  it('a dashboard watching a room gets every change of 50 devices, each device’s in order, in fewer messages; another room’s teacher gets none of them', async () => {
    const teacherA = await watching(world.staff.teacherA, [world.roomA]);
    const teacherB = await watching(world.staff.teacherB, [world.roomB]);
    const admin = await watching(world.staff.admin, [world.roomA, world.roomB]);
    const rounds = 5;
    // Every device changes window five times, one after another; the devices all at once.
    await Promise.all(
      [...roomADevices, world.deviceB].map(async (d) => {
        for (let n = 0; n < rounds; n++) await show(agents.get(d.deviceId)!, `${d.deviceId} ${n}`);
      }),
    );
    const titlesOf = (frames: readonly string[], deviceId: string) =>
      batches(frames)
        .flat()
        .filter((a) => a.deviceId === deviceId)
        .map((a) => a.title);
    const expected = (deviceId: string) => Array.from({ length: rounds }, (_, n) => `${deviceId} ${n}`);
    const allArrived = (frames: readonly string[], devices: readonly EnrolledDevice[]) =>
      devices.every((d) => titlesOf(frames, d.deviceId).length >= rounds);
    await waitFor(() => allArrived(teacherA.frames, roomADevices), {
      what: "room A's changes for teacher A",
    });
    await waitFor(() => allArrived(teacherB.frames, [world.deviceB]), {
      what: "room B's changes for teacher B",
    });
    await waitFor(() => allArrived(admin.frames, [...roomADevices, world.deviceB]), {
      what: 'every change for the admin',
    });
    // A moment more, for anything that should not arrive but might.
    await new Promise((r) => setTimeout(r, 500));

    for (const d of roomADevices) {
      expect(titlesOf(teacherA.frames, d.deviceId), d.deviceId).toEqual(expected(d.deviceId));
      expect(titlesOf(admin.frames, d.deviceId), d.deviceId).toEqual(expected(d.deviceId));
    }
    expect(titlesOf(teacherB.frames, world.deviceB.deviceId)).toEqual(expected(world.deviceB.deviceId));
    expect(titlesOf(admin.frames, world.deviceB.deviceId)).toEqual(expected(world.deviceB.deviceId));
    // Batched: 250 changes, each message carrying several.
    const aBatches = batches(teacherA.frames);
    expect(aBatches.flat()).toHaveLength(50 * rounds);
    expect(aBatches.length).toBeLessThan(50 * rounds);
    expect(Math.max(...aBatches.map((b) => b.length))).toBeGreaterThan(1);
    // Built per recipient: teacher A's batches hold only room A; teacher B's only room B, and
    // no frame teacher B received names a device of room A at all.
    expect(new Set(aBatches.flat().map((a) => a.roomId))).toEqual(new Set([world.roomA]));
    expect(
      new Set(
        batches(teacherB.frames)
          .flat()
          .map((a) => a.roomId),
      ),
    ).toEqual(new Set([world.roomB]));
    const strangers = roomADevices.map((d) => d.deviceId);
    expect(teacherB.frames.filter((f) => strangers.some((id) => f.includes(id)))).toEqual([]);
    expect(teacherA.frames.filter((f) => f.includes(world.deviceB.deviceId))).toEqual([]);
  });

  it('a dashboard that leaves while its batch is being gathered harms nothing: the server keeps serving', async () => {
    const leaving = await watching(world.staff.admin, [world.roomA]);
    const staying = await watching(world.staff.teacherA, [world.roomA]);
    const d = roomADevices[0]!;
    await show(agents.get(d.deviceId)!, 'before leaving');
    leaving.socket.disconnect();
    await show(agents.get(d.deviceId)!, 'after leaving');
    const titles = () =>
      batches(staying.frames)
        .flat()
        .map((a) => a.title);
    await waitFor(() => titles().includes('after leaving'), {
      what: 'the staying dashboard to get its batch',
    });
    expect(titles()).toEqual(['before leaving', 'after leaving']);
    // Another batch later, and REST, still answer.
    await show(agents.get(d.deviceId)!, 'later');
    await waitFor(() => titles().includes('later'), { what: 'a later batch' });
    expect((await fetch(`${world.harbour.url}/api/health`)).status).toBe(200);
    const current = await staying.socket.emitWithAck('activity:watch', { roomId: world.roomA });
    expect(current.ok && current.data.current.find((a) => a.deviceId === d.deviceId)?.title).toBe('later');
  });
});
