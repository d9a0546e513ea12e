/**
 * Batched pushes to a dashboard that never reads its socket, on a real socket.io server and a
 * real socket.io client whose TCP socket stops reading: the server must not queue every batch
 * for it (engine.io's write queue stays bounded, changes are held back newest per device),
 * and once it reads again it gets each device's newest change, each device's in order.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceActivity } from '@harbour/shared';
import { channel } from '../core/ports.js';
import { socketPush, type AgentNamespace, type DashboardNamespace } from './socket-push.js';

let http: HttpServer | undefined;
let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  http?.close();
});

const change = (deviceId: string, n: number, title: string): DeviceActivity => ({
  deviceId,
  roomId: 'room-1',
  user: 'pupil',
  state: 'active',
  app: 'Bench',
  title: `${n} ${title}`,
  url: null,
  domain: null,
  private: false,
  reason: null,
  since: new Date().toISOString(),
});

describe('batched pushes to a dashboard that does not read', () => {
  it('hold its changes back, newest per device, instead of queueing every batch', async () => {
    http = createServer();
    server = new Server(http, { transports: ['websocket'] });
    const dashboards = server.of('/dashboard') as DashboardNamespace;
    dashboards.use((socket, next) => {
      socket.data.user = { id: 'u1', role: 'admin' } as never;
      void socket.join('activity:room-1');
      next();
    });
    const push = socketPush(server.of('/agent') as AgentNamespace, dashboards, {
      scope: { mayJoin: () => Promise.resolve(true), mayReceive: () => Promise.resolve(true) },
      log: pino({ level: 'silent' }),
      batch: { windowMs: 5, maxUnsentPackets: 2 },
    });
    await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
    const { port } = http.address() as AddressInfo;
    client = io(`http://127.0.0.1:${port}/dashboard`, { transports: ['websocket'], reconnection: false });
    const received: DeviceActivity[] = [];
    client.on('activity:changes', ({ changes }: { changes: DeviceActivity[] }) => received.push(...changes));
    await new Promise<void>((r) => client!.once('connect', () => r()));
    const serverSocket = [...dashboards.sockets.values()][0]!;
    // The client stops reading: its TCP window fills, then the server's.
    const tcp = (client.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket;
    tcp.pause();

    const big = 'x'.repeat(256 * 1024);
    const devices = ['d0', 'd1', 'd2', 'd3'];
    const rounds = 120;
    let mostQueued = 0;
    for (let n = 0; n < rounds; n++) {
      for (const d of devices)
        push.toStaffBatched(channel.activity('room-1'), 'activity:changes', change(d, n, big), d);
      await new Promise((r) => setTimeout(r, 10));
      const queued = (serverSocket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      mostQueued = Math.max(mostQueued, queued);
    }
    // Bounded: never more than the limit and the one batch sent past it.
    expect(mostQueued).toBeLessThanOrEqual(3);

    tcp.resume();
    const last = (d: string) =>
      received
        .filter((c) => c.deviceId === d)
        .at(-1)
        ?.title?.split(' ')[0];
    for (let i = 0; i < 400 && !devices.every((d) => last(d) === String(rounds - 1)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const d of devices) {
      const seen = received.filter((c) => c.deviceId === d).map((c) => Number(c.title!.split(' ')[0]));
      expect(seen.at(-1), d).toBe(rounds - 1);
      // In order, and some left out: held back changes keep only each device's newest.
      expect(seen, d).toEqual([...seen].sort((a, b) => a - b));
      expect(new Set(seen).size, d).toBe(seen.length);
      expect(seen.length, d).toBeLessThan(rounds);
    }
  });
});
