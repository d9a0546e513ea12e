/**
 * One process of simulated agents. Each is a real socket.io connection to the /agent
 * namespace, authenticated with a real device credential, speaking the protocol from
 * shared/ (typed by its schemas). Started by fleet.ts with the devices to play.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
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
  /** Which server node these agents are connected to (several nodes: bench/cluster.ts). */
  node: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const devices = JSON.parse(fs.readFileSync(options.devicesFile, 'utf8')) as SeededDevice[];
const sockets: AgentSocket[] = [];
let connected = 0;
let sent = 0;
let failed = 0;
/** Events the server acknowledged as stored. */
let stored = 0;
const timers: NodeJS.Timeout[] = [];

function report() {
  process.send?.({ type: 'status', connected, sent, failed, stored });
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
          // The real activity path: an outbox event whose window title carries its send time
          // and node, so the dashboard can measure agent-event -> live view latency.
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
                title: `b${sentAt} n${options.node}`,
                exePath: null,
                url: null,
                domain: null,
                private: false,
              },
            },
          };
          socket.emit('agent:event', event, (r) => {
            if (r.ok) stored++;
            else failed++;
          });
        };
        change();
        timers.push(setInterval(change, options.changeEverySeconds * 1000));
      }, phase),
    );
    // Heartbeats spread over their interval too: a real agent's heartbeat timer starts when
    // that computer's agent does (agent/src/core/agent.ts). Started together, every agent of
    // the fleet sent its heartbeat in the same millisecond, a burst of 10,000 that the server
    // took seconds to clear once each 30 s, and the tail measured that burst.
    const heartbeatPhase = Math.random() * options.heartbeatSeconds * 1000;
    timers.push(
      setTimeout(() => {
        timers.push(
          setInterval(
            () =>
              socket.connected &&
              socket.emit('agent:heartbeat', { sentAt: new Date().toISOString() }, () => undefined),
            options.heartbeatSeconds * 1000,
          ),
        );
      }, heartbeatPhase),
    );
  }
}

/**
 * A pupil's "turn the screen off and tell", sent the way the real agent's outbox sends it:
 * the screenshot uploaded first (device-authenticated, content-addressed), then the event.
 * Each report's PNG gets a unique tEXt chunk, so every upload is new bytes, like a new screen.
 */
async function tell(index: number, pngFile: string) {
  const device = devices[index % devices.length]!;
  const socket = sockets[index % sockets.length]!;
  const tellId = randomUUID();
  const png = uniquePng(fs.readFileSync(pngFile), tellId);
  const sha256 = createHash('sha256').update(png).digest('hex');
  const triggeredAt = Date.now();
  process.send?.({ type: 'tell-sent', tellId, triggeredAt });
  const upload = await fetch(`${options.url}/api/agent/evidence?sha256=${sha256}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Device ${device.deviceId}:${device.credential}` },
    body: new Uint8Array(png),
  });
  if (!upload.ok) {
    process.send?.({ type: 'tell-failed', tellId, reason: `upload ${upload.status} ${await upload.text()}` });
    return;
  }
  const event: AgentEvent = {
    id: randomUUID(),
    occurredAt: new Date(triggeredAt).toISOString(),
    body: {
      type: 'tell.reported',
      tellId,
      user: { username: 'pupil' },
      evidence: [{ sha256, mime: 'image/png', bytes: png.length }],
      displays: [{ id: 1, name: 'Screen 1', width: 1920, height: 1080 }],
      window: { title: 'Something upsetting', app: 'Google Chrome', url: null },
      captureError: null,
    },
  };
  const r = await socket.emitWithAck('agent:event', event);
  if (!r.ok) process.send?.({ type: 'tell-failed', tellId, reason: r.error.message });
}

/** The PNG with a tEXt chunk after IHDR: still the same picture, but unique bytes. */
function uniquePng(png: Buffer, text: string): Buffer {
  const data = Buffer.from(`Comment\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const ihdrEnd = 8 + 25; // signature + IHDR chunk
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

process.on('message', (msg: { type: string; index?: number; png?: string }) => {
  if (msg.type === 'start') start();
  if (msg.type === 'tell' && msg.index !== undefined && msg.png) {
    tell(msg.index, msg.png).catch((e: unknown) =>
      process.send?.({ type: 'tell-failed', reason: String(e) }),
    );
  }
  if (msg.type === 'stop') {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.close();
    report();
    setTimeout(() => process.exit(0), 200);
  }
});
setInterval(report, 500).unref();
void connectAll();
