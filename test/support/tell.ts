/** Helpers for tests of pupils' reports and incidents: a real enrolled device on a real server. */
import { randomUUID } from 'node:crypto';
import type { TellReported } from '@harbour/shared';
import { sha256Of } from '../../dashboard/src/server/features/evidence/index.js';
import type { ApiClient } from './api.js';
import { agentSocket, connected, type AgentSocket } from './sockets.js';

/** A real 1x1 PNG; append bytes to make distinct valid-looking images (PNG readers ignore trailing data). */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
export const uniquePng = (tag = randomUUID()) => Buffer.concat([tinyPng, Buffer.from(tag)]);

export interface TestDevice {
  deviceId: string;
  credential: string;
  socket: AgentSocket;
  url: string;
}

export async function enrolTestDevice(
  url: string,
  admin: ApiClient,
  roomId: string,
  hostname: string,
): Promise<TestDevice> {
  const { token } = await admin.createToken(roomId);
  const res = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    hostname,
    os: 'Linux test',
    serial: `SN-${hostname}`,
    agentVersion: '0.1.0',
  });
  if (res.status !== 201) throw new Error(`enrol failed: ${JSON.stringify(res.body)}`);
  const { deviceId, credential } = res.body;
  const socket = await connected(agentSocket(url, { deviceId, credential, agentVersion: '0.1.0' }));
  return { deviceId, credential, socket, url };
}

export async function uploadPng(
  device: TestDevice,
  png: Buffer,
): Promise<{ sha256: string; mime: 'image/png'; bytes: number }> {
  const sha256 = sha256Of(png);
  const res = await fetch(`${device.url}/api/agent/evidence?sha256=${sha256}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Device ${device.deviceId}:${device.credential}` },
    body: new Uint8Array(png),
  });
  if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return { sha256, mime: 'image/png', bytes: png.length };
}

export function tellBody(over: Partial<TellReported> = {}): TellReported {
  return {
    type: 'tell.reported',
    tellId: randomUUID(),
    user: { username: 'pupil7', domain: 'SCHOOL', displayName: 'Pupil Seven' },
    evidence: [],
    displays: [{ id: 1, name: 'screen', width: 1, height: 1 }],
    window: { title: 'A page', app: 'chromium', url: 'https://example.test/page' },
    captureError: null,
    ...over,
  };
}

export async function sendEvent(device: TestDevice, body: unknown, id = randomUUID(), at = new Date()) {
  return device.socket.emitWithAck('agent:event', {
    id,
    occurredAt: at.toISOString(),
    body: body as TellReported,
  });
}
