import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePolicies, samplePoliciesCy, type AupContent, type AupDocument } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ServerConfig } from '../../dashboard/src/server/config.js';
import { wavSeconds } from '../../dashboard/src/server/core/speech.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { agentSocket, connected } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

const ks1 = samplePolicies.ks1;
const ks2Cy = samplePoliciesCy.ks2;
if (!ks1 || !ks2Cy) throw new Error('no samples');

interface Server {
  harbour: Harbour;
  admin: ApiClient;
  roomId: string;
}

async function start(speech?: ServerConfig['speech']): Promise<Server> {
  const harbour = await startInProcess(tempDir('server'), 0, {
    // The tests poll for audio being made: more often than an agent would.
    rateLimits: { deviceSocket: 6000, deviceUpload: 6000, staffSocket: 3000 },
    ...(speech && { speech }),
  });
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  const roomId = (await admin.createRoom('Year 2 Elm')).id;
  return { harbour, admin, roomId };
}

async function enrol(server: Server, hostname = 'PC-VOICE') {
  const { token } = await server.admin.createToken(server.roomId);
  const { body } = await server.admin.json<{ deviceId: string; credential: string }>(
    'POST',
    '/api/agent/enrol',
    { token, hostname, os: 'Linux test', serial: null, agentVersion: '0.1.0' },
  );
  return { ...body, authorization: `Device ${body.deviceId}:${body.credential}` };
}

async function publish(server: Server, audience: string, content: AupContent): Promise<AupDocument> {
  const { status, body } = await server.admin.json<AupDocument>('POST', '/api/aup/documents', {
    audience,
    content,
    publish: true,
  });
  expect(status).toBe(201);
  return body;
}

const audioUrl = (server: Server, id: string) => `${server.harbour.url}/api/agent/aup/${id}/audio`;

/** Asks until the audio is made (it is made in the background after publishing). */
async function audio(server: Server, id: string, authorization: string): Promise<Response> {
  let last: Response | undefined;
  await waitFor(
    async () => {
      last = await fetch(audioUrl(server, id), { headers: { authorization } });
      return last.status !== 202;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'the audio to be made' },
  );
  if (!last) throw new Error('no answer');
  return last;
}

describe('read-aloud audio made on the server', () => {
  let server: Server;
  let device: Awaited<ReturnType<typeof enrol>>;
  beforeAll(async () => {
    server = await start();
    device = await enrol(server);
  });
  afterAll(() => server.harbour.close());

  it('a published English and a published Welsh policy are read aloud as real WAV audio', async () => {
    const english = await publish(server, 'ks1', ks1);
    const welsh = await publish(server, 'ks2', ks2Cy);
    const en = await audio(server, english.id, device.authorization);
    const cy = await audio(server, welsh.id, device.authorization);
    for (const res of [en, cy]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
    }
    const enWav = Buffer.from(await en.arrayBuffer());
    const cyWav = Buffer.from(await cy.arrayBuffer());
    for (const wav of [enWav, cyWav]) {
      expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
      // The header tells the real sizes (a browser shows the right duration).
      expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    }
    // The KS1 text is ~60 words: at 150 words a minute, tens of seconds, not 1 s nor 10 minutes.
    const enSeconds = wavSeconds(enWav);
    expect(enSeconds).toBeGreaterThan(10);
    expect(enSeconds).toBeLessThan(120);
    // The Welsh KS2 text is longer than the English KS1 one.
    expect(wavSeconds(cyWav)).toBeGreaterThan(enSeconds);
  });

  it('the agent gets the same audio over its own connection (aup:audio)', async () => {
    const doc = await publish(server, 'ks1', { ...ks1, title: 'Our computer rules, again' });
    const http = Buffer.from(await (await audio(server, doc.id, device.authorization)).arrayBuffer());
    const socket = await connected(
      agentSocket(server.harbour.url, {
        deviceId: device.deviceId,
        credential: device.credential,
        agentVersion: '0.1.0',
      }),
    );
    try {
      const ack = await socket.emitWithAck('aup:audio', { documentId: doc.id });
      expect(ack).toMatchObject({ ok: true, data: { status: 'ready', mime: 'audio/wav' } });
      if (!ack.ok || ack.data.status !== 'ready') throw new Error('not ready');
      expect(Buffer.from(ack.data.base64, 'base64').equals(http)).toBe(true);
      // A version never published is nobody's business; a malformed id is refused.
      const draft = await server.admin.json<AupDocument>('POST', '/api/aup/documents', {
        audience: 'ks1',
        content: { ...ks1, title: 'Draft' },
      });
      expect(await socket.emitWithAck('aup:audio', { documentId: draft.body.id })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect(await socket.emitWithAck('aup:audio', { documentId: '../../etc' })).toMatchObject({
        ok: false,
      });
    } finally {
      socket.close();
    }
  });

  it('only an enrolled, unrevoked device gets the audio; drafts and bad ids get nothing', async () => {
    const doc = await publish(server, 'ks1', { ...ks1, title: 'Rules for the audio test' });
    expect((await audio(server, doc.id, device.authorization)).status).toBe(200);
    // Nobody, a forged credential, a device of another school (unknown here), a signed-in adult.
    expect((await fetch(audioUrl(server, doc.id))).status).toBe(401);
    const forged = `Device ${device.deviceId}:${'x'.repeat(43)}`;
    expect((await fetch(audioUrl(server, doc.id), { headers: { authorization: forged } })).status).toBe(401);
    const stranger = `Device ${randomUUID()}:${device.credential}`;
    expect((await fetch(audioUrl(server, doc.id), { headers: { authorization: stranger } })).status).toBe(
      401,
    );
    expect((await server.admin.request('GET', `/api/agent/aup/${doc.id}/audio`)).status).toBe(403);
    // A revoked device.
    const gone = await enrol(server, 'PC-GONE');
    expect((await audio(server, doc.id, gone.authorization)).status).toBe(200);
    await server.admin.request('POST', `/api/devices/${gone.deviceId}/revoke`);
    const refused = await fetch(audioUrl(server, doc.id), { headers: { authorization: gone.authorization } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('revoked');
    // A draft, an unknown version, a malformed id.
    const draft = await server.admin.json<AupDocument>('POST', '/api/aup/documents', {
      audience: 'ks1',
      content: { ...ks1, title: 'Not yet' },
    });
    const asked = (id: string) =>
      fetch(audioUrl(server, id), { headers: { authorization: device.authorization } });
    expect((await asked(draft.body.id)).status).toBe(404);
    expect((await asked(randomUUID())).status).toBe(404);
    expect((await asked('..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
  });

  it('shell metacharacters in a policy are spoken, never run', async () => {
    const marker = path.join(tempDir('marker'), 'ran');
    const content: AupContent = {
      ...ks1,
      title: `Rules $(touch ${marker}) \`touch ${marker}\``,
      rules: [{ text: `I will ; touch ${marker} && echo | tee ${marker} > ${marker}` }],
    };
    const doc = await publish(server, 'ks1', content);
    const res = await audio(server, doc.id, device.authorization);
    expect(res.status).toBe(200);
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('when read-aloud cannot work', () => {
  it('with no speech engine installed the agent is told plainly: unavailable, no_engine', async () => {
    const server = await start({ engine: 'harbour-no-such-speech-engine' });
    try {
      const device = await enrol(server);
      const doc = await publish(server, 'ks1', ks1);
      const res = await audio(server, doc.id, device.authorization);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'no_engine' });
    } finally {
      await server.harbour.close();
    }
  });

  it('a hanging engine is killed at its time limit, and the server answers meanwhile', async () => {
    const dir = tempDir('engine');
    const engine = path.join(dir, 'hang-engine');
    fs.writeFileSync(engine, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const server = await start({ engine, limits: { maxChars: 8000, timeoutMs: 1500, maxBytes: 8 << 20 } });
    try {
      const device = await enrol(server);
      const doc = await publish(server, 'ks1', ks1);
      const started = Date.now();
      // While the engine hangs, the pupil's question is answered at once: "being made".
      const first = await fetch(audioUrl(server, doc.id), {
        headers: { authorization: device.authorization },
      });
      expect(first.status).toBe(202);
      expect((await server.admin.request('GET', '/api/aup/overview')).status).toBe(200);
      const res = await audio(server, doc.id, device.authorization);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'failed' });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await server.harbour.close();
    }
  });

  it('a text whose recording would pass the size limit is not read aloud (the engine is stopped)', async () => {
    const server = await start({ limits: { maxChars: 8000, timeoutMs: 30_000, maxBytes: 100_000 } });
    try {
      const device = await enrol(server);
      const doc = await publish(server, 'ks1', ks1);
      const res = await audio(server, doc.id, device.authorization);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'too_long' });
    } finally {
      await server.harbour.close();
    }
  });

  it('a very long policy (the largest the editor allows) is refused before the engine runs', async () => {
    const server = await start({ limits: { maxChars: 2000, timeoutMs: 30_000, maxBytes: 8 << 20 } });
    try {
      const device = await enrol(server);
      const long: AupContent = {
        ...ks1,
        intro: 'I will be kind online. '.repeat(130).trim(),
        rules: Array.from({ length: 40 }, (_, i) => ({
          text: `Rule ${i}: ${'be safe and kind. '.repeat(20)}`.slice(0, 400),
        })),
        closing: 'Thank you. '.repeat(270).trim(),
      };
      const doc = await publish(server, 'ks1', long);
      const started = Date.now();
      const res = await fetch(audioUrl(server, doc.id), { headers: { authorization: device.authorization } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'too_long' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await server.harbour.close();
    }
  });
});
