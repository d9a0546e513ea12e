/**
 * One process of simulated agents. Each is a real socket.io connection to the /agent
 * namespace, authenticated with a real device credential, speaking the protocol from
 * shared/ (typed by its schemas). Started by fleet.ts with the devices to play.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import type { AgentClientToServer, AgentEvent, AgentServerToClient } from '@harbour/shared';
import type { SeededDevice } from './lib/seed.js';

type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

interface Options {
  url: string;
  devicesFile: string;
  changeEverySeconds: number;
  heartbeatSeconds: number;
  connectPerSecond: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const devices = JSON.parse(fs.readFileSync(options.devicesFile, 'utf8')) as SeededDevice[];
const sockets: AgentSocket[] = [];
let connected = 0;
let sent = 0;
let failed = 0;
const timers: NodeJS.Timeout[] = [];

function report() {
  process.send?.({ type: 'status', connected, sent, failed });
}

async function connectAll() {
  const batch = Math.max(1, Math.round(options.connectPerSecond / 10));
  for (let i = 0; i < devices.length; i += batch) {
    for (const d of devices.slice(i, i + batch)) {
      const socket: AgentSocket = io(`${options.url}/agent`, {
        auth: { deviceId: d.deviceId, credential: d.credential, agentVersion: '0.1.0' },
        transports: ['websocket'],
        reconnectionDelayMax: 5000,
      });
      socket.on('connect', () => {
        connected++;
      });
      socket.on('disconnect', () => {
        connected--;
      });
      sockets.push(socket);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start() {
  for (const socket of sockets) {
    // Spread each agent's changes evenly over the interval, like real classrooms.
    const phase = Math.random() * options.changeEverySeconds * 1000;
    timers.push(
      setTimeout(() => {
        const change = () => {
          if (!socket.connected) return;
          sent++;
          // The real activity path: an outbox event whose window title carries its send time,
          // so the dashboard can measure agent-event -> live view latency.
          const sentAt = Date.now();
          const event: AgentEvent = {
            id: randomUUID(),
            occurredAt: new Date(sentAt).toISOString(),
            body: {
              type: 'activity.changed',
              state: 'active',
              user: { username: 'pupil' },
              window: {
                app: 'Bench',
                title: `b${sentAt}`,
                exePath: null,
                url: null,
                domain: null,
                private: false,
              },
            },
          };
          socket.emit('agent:event', event, (r) => {
            if (!r.ok) failed++;
          });
        };
        change();
        timers.push(setInterval(change, options.changeEverySeconds * 1000));
      }, phase),
    );
    timers.push(
      setInterval(
        () =>
          socket.connected &&
          socket.emit('agent:heartbeat', { sentAt: new Date().toISOString() }, () => undefined),
        options.heartbeatSeconds * 1000,
      ),
    );
  }
}

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'start') start();
  if (msg.type === 'stop') {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.close();
    report();
    setTimeout(() => process.exit(0), 200);
  }
});
setInterval(report, 500).unref();
void connectAll();
