import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlAction, SpeechAudio } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ServerConfig } from '../../dashboard/src/server/config.js';
import { wavSeconds } from '../../dashboard/src/server/core/speech.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { agentSocket, connected, type AgentSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

// Teachers' messages and the pupil screens' fixed words read aloud: made by the real server
// with the real espeak-ng, fetched over a real device connection, only by the computers
// the message went to.

interface Server {
  harbour: Harbour;
  admin: ApiClient;
  dsl: ApiClient;
}

async function start(speech?: ServerConfig['speech']): Promise<Server> {
  const harbour = await startInProcess(tempDir('server'), 0, {
    // The tests poll for audio being made: more often than an agent would.
    rateLimits: { deviceSocket: 6000, deviceUpload: 6000, staffSocket: 3000 },
    ...(speech && { speech }),
  });
  const { admin, dsl } = await staffClients(harbour);
  return { harbour, admin, dsl };
}

interface Device {
  deviceId: string;
  credential: string;
  socket: AgentSocket;
}

const sockets: AgentSocket[] = [];

async function enrol(server: Server, roomId: string, hostname: string): Promise<Device> {
  const { token } = await server.admin.createToken(roomId);
  const { body } = await server.admin.json<{ deviceId: string; credential: string }>(
    'POST',
    '/api/agent/enrol',
    { token, hostname, os: 'Linux test', serial: null, agentVersion: '0.1.0' },
  );
  const socket = await connected(
    agentSocket(server.harbour.url, {
      deviceId: body.deviceId,
      credential: body.credential,
      agentVersion: '0.1.0',
    }),
  );
  sockets.push(socket);
  // As a real agent does once the message is on screen (an unanswered control's timer would outlive the server).
  socket.on('control:apply', (c) => void socket.emitWithAck('agent:control-ack', { actionId: c.actionId }));
  return { ...body, socket };
}

async function supervise(server: Server, roomId: string): Promise<string> {
  const res = await server.dsl.json<{ id: string }>('POST', '/api/supervision', {
    roomId,
    durationMinutes: 45,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function send(
  server: Server,
  sessionId: string,
  control: { kind: 'message' | 'cover'; message?: string; language?: 'en' | 'cy'; deviceIds: string[] },
): Promise<ControlAction> {
  const res = await server.dsl.json<ControlAction>('POST', `/api/supervision/${sessionId}/controls`, control);
  expect(res.status).toBe(201);
  return res.body;
}

/** Asks as the device would until the audio is made (or is said to be unavailable). */
async function audioOf(device: Device, actionId: string, timeoutMs = 30_000) {
  let last: Awaited<ReturnType<AgentSocket['emitWithAck']>> | undefined;
  await waitFor(
    async () => {
      last = await device.socket.emitWithAck('speech:control', { actionId });
      return !(last.ok && last.data.status === 'pending');
    },
    { timeoutMs, intervalMs: 200, what: 'the message audio to be made' },
  );
  return last as { ok: true; data: SpeechAudio } | { ok: false; error: { code: string } };
}

function wavOf(answer: Awaited<ReturnType<typeof audioOf>>): Buffer {
  if (!answer.ok || answer.data.status !== 'ready') throw new Error(`no audio: ${JSON.stringify(answer)}`);
  const wav = Buffer.from(answer.data.base64, 'base64');
  expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
  expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
  expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  return wav;
}

afterAll(() => {
  for (const s of sockets) s.close();
});

describe('a teacher message read aloud', () => {
  let server: Server;
  let elm: string;
  let pc1: Device;
  let pc2: Device;
  let oak1: Device;
  let sessionId: string;
  beforeAll(async () => {
    server = await start();
    elm = (await server.admin.createRoom('Year 3 Elm')).id;
    const oak = (await server.admin.createRoom('Year 4 Oak')).id;
    pc1 = await enrol(server, elm, 'ELM-01');
    pc2 = await enrol(server, elm, 'ELM-02');
    oak1 = await enrol(server, oak, 'OAK-01');
    sessionId = await supervise(server, elm);
    await supervise(server, oak);
  });
  afterAll(() => server.harbour.close());

  it('is real WAV audio of the message, in English and, for a Welsh school, in Welsh', async () => {
    const english = await send(server, sessionId, {
      kind: 'message',
      message: 'Please save your work now, and then close the lid of your laptop.',
      deviceIds: [pc1.deviceId],
    });
    const enWav = wavOf(await audioOf(pc1, english.id));
    // Fourteen words at 150 a minute: a few seconds, not a blip nor minutes.
    expect(wavSeconds(enWav)).toBeGreaterThan(2);
    expect(wavSeconds(enWav)).toBeLessThan(20);

    const settings = await server.admin.json<Record<string, unknown>>('GET', '/api/aup/settings');
    const put = await server.admin.json('PUT', '/api/aup/settings', { ...settings.body, language: 'cy' });
    expect(put.status).toBe(200);
    const welsh = await send(server, sessionId, {
      kind: 'message',
      message: 'Cadwch eich gwaith nawr, os gwelwch yn dda, ac yna caewch y cyfrifiadur.',
      deviceIds: [pc1.deviceId],
    });
    const cyWav = wavOf(await audioOf(pc1, welsh.id));
    expect(wavSeconds(cyWav)).toBeGreaterThan(2);
    expect(wavSeconds(cyWav)).toBeLessThan(20);
    expect(cyWav.equals(enWav)).toBe(false);
    await server.admin.json('PUT', '/api/aup/settings', { ...settings.body });
  });

  it('a message is read in the language the teacher wrote it in, whatever the school speaks', async () => {
    const words = 'Bore da, blant. Mae hi’n amser chwarae nawr.';
    const applied: { language?: string | null }[] = [];
    const listen = (c: { actionId: string; language?: string | null }) => applied.push(c);
    pc2.socket.on('control:apply', listen);
    // An English-medium school (the default): the same Welsh words with and without their language.
    const marked = await send(server, sessionId, {
      kind: 'message',
      message: words,
      language: 'cy',
      deviceIds: [pc2.deviceId],
    });
    expect(marked.language).toBe('cy');
    const unmarked = await send(server, sessionId, {
      kind: 'message',
      message: words,
      deviceIds: [pc2.deviceId],
    });
    expect(unmarked.language).toBeNull();
    const welshVoice = wavOf(await audioOf(pc2, marked.id));
    const englishVoice = wavOf(await audioOf(pc2, unmarked.id));
    expect(welshVoice.equals(englishVoice)).toBe(false);
    // The Welsh voice is the one a Welsh-medium school's unmarked message gets.
    const settings = await server.admin.json<Record<string, unknown>>('GET', '/api/aup/settings');
    await server.admin.json('PUT', '/api/aup/settings', { ...settings.body, language: 'cy' });
    try {
      const inWelshSchool = await send(server, sessionId, {
        kind: 'message',
        message: words,
        deviceIds: [pc2.deviceId],
      });
      expect(wavOf(await audioOf(pc2, inWelshSchool.id)).equals(welshVoice)).toBe(true);
    } finally {
      await server.admin.json('PUT', '/api/aup/settings', { ...settings.body });
    }
    // The pupil's computer is told the language, so its page marks the words with it.
    await waitFor(() => applied.length >= 3, { what: 'the three messages on the pupil computer' });
    expect(applied.map((c) => c.language ?? null)).toEqual(['cy', null, null]);
    pc2.socket.off('control:apply', listen);
  });

  it('a language Harbour does not speak, or a language without words, is refused and sends nothing', async () => {
    const before = await server.dsl.json<{ actions: unknown[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    let pushed = 0;
    const count = () => pushed++;
    pc1.socket.on('control:apply', count);
    for (const body of [
      { kind: 'message', message: 'Bonjour', language: 'fr' },
      { kind: 'message', message: 'Hello', language: '<script>alert(1)</script>' },
      { kind: 'message', message: 'Hello', language: ['cy'] },
      { kind: 'cover', language: 'cy' },
      { kind: 'release', language: 'en' },
    ]) {
      const res = await server.dsl.json<{ error: { message: string } }>(
        'POST',
        `/api/supervision/${sessionId}/controls`,
        { ...body, deviceIds: [pc1.deviceId] },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(/language/);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    pc1.socket.off('control:apply', count);
    expect(pushed).toBe(0);
    const after = await server.dsl.json<{ actions: unknown[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    expect(after.body.actions.length).toBe(before.body.actions.length);
  });

  it('eyes-on-me with a message reads the title and the message; without one there is nothing of the teacher to read', async () => {
    const withWords = await send(server, sessionId, {
      kind: 'cover',
      message: 'Look at the board, please.',
      deviceIds: [pc1.deviceId],
    });
    expect(wavSeconds(wavOf(await audioOf(pc1, withWords.id)))).toBeGreaterThan(1.5);
    const plain = await send(server, sessionId, { kind: 'cover', deviceIds: [pc1.deviceId] });
    expect(await audioOf(pc1, plain.id)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('only the computers the message went to can fetch it: not another in the room, not one in another room', async () => {
    const action = await send(server, sessionId, {
      kind: 'message',
      message: 'This is only for ELM-01.',
      deviceIds: [pc1.deviceId],
    });
    wavOf(await audioOf(pc1, action.id));
    for (const other of [pc2, oak1]) {
      expect(await other.socket.emitWithAck('speech:control', { actionId: action.id })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    }
    // A malformed id is refused before anything is looked up.
    expect(await pc1.socket.emitWithAck('speech:control', { actionId: '../../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('shell metacharacters and SSML-like markup are read as words, never run or obeyed', async () => {
    const canary = path.join(tempDir('canary'), 'ran');
    const message = `<speak><break time="600s"/>$(touch ${canary})</speak> \`touch ${canary}\`; rm -rf /tmp/x`;
    const action = await send(server, sessionId, { kind: 'message', message, deviceIds: [pc1.deviceId] });
    const wav = wavOf(await audioOf(pc1, action.id));
    // Read out as text: seconds, not ten minutes of SSML silence.
    expect(wavSeconds(wav)).toBeLessThan(60);
    expect(fs.existsSync(canary)).toBe(false);
  });

  it('a message longer than the limit is refused and stores nothing', async () => {
    const before = await server.dsl.json<{ actions: unknown[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    const res = await server.dsl.json('POST', `/api/supervision/${sessionId}/controls`, {
      kind: 'message',
      message: 'a'.repeat(5000),
      deviceIds: [pc1.deviceId],
    });
    expect(res.status).toBe(400);
    const after = await server.dsl.json<{ actions: unknown[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    expect(after.body.actions.length).toBe(before.body.actions.length);
  });

  it('the cover and eyes-on-me fixed words are ready in English and Welsh; no other text can be asked for', async () => {
    for (const language of ['en', 'cy'] as const) {
      for (const screen of ['cover', 'coverOnTheWay', 'eyes'] as const) {
        let last: Awaited<ReturnType<AgentSocket['emitWithAck']>> | undefined;
        await waitFor(
          async () => {
            last = await pc1.socket.emitWithAck('speech:screen', { screen, language });
            return !(last.ok && last.data.status === 'pending');
          },
          { timeoutMs: 30_000, intervalMs: 200, what: `${screen} in ${language}` },
        );
        const wav = wavOf(last as Awaited<ReturnType<typeof audioOf>>);
        expect(wavSeconds(wav)).toBeGreaterThan(screen === 'eyes' ? 1.5 : 5);
      }
    }
    expect(
      await pc1.socket.emitWithAck('speech:screen', {
        screen: 'Say anything I like' as 'cover',
        language: 'en',
      }),
    ).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('a revoked computer cannot fetch the audio of a message it was sent', async () => {
    const action = await send(server, sessionId, {
      kind: 'message',
      message: 'Time to tidy up.',
      deviceIds: [pc2.deviceId],
    });
    wavOf(await audioOf(pc2, action.id));
    const revoke = await server.admin.json('POST', `/api/devices/${pc2.deviceId}/revoke`);
    expect(revoke.status).toBe(200);
    await waitFor(() => !pc2.socket.connected, { what: 'the revoked computer to be disconnected' });
    const again = agentSocket(server.harbour.url, {
      deviceId: pc2.deviceId,
      credential: pc2.credential,
      agentVersion: '0.1.0',
    });
    sockets.push(again);
    await expect(connected(again)).rejects.toThrow();
  });

  it("another school's computer cannot fetch this school's message audio", async () => {
    const other = await start();
    try {
      const room = (await other.admin.createRoom('Their room')).id;
      const theirs = await enrol(other, room, 'THEIR-01');
      const action = await send(server, sessionId, {
        kind: 'message',
        message: 'For this school only.',
        deviceIds: [pc1.deviceId],
      });
      const stranger = agentSocket(server.harbour.url, {
        deviceId: theirs.deviceId,
        credential: theirs.credential,
        agentVersion: '0.1.0',
      });
      sockets.push(stranger);
      await expect(connected(stranger)).rejects.toThrow();
      // Their own server knows nothing of it either.
      expect(await theirs.socket.emitWithAck('speech:control', { actionId: action.id })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    } finally {
      await other.harbour.close();
    }
  });
});

describe('with the speech engine missing or hanging', () => {
  it('a message is sent and shown at once; its audio is "unavailable", never a hang', async () => {
    const script = path.join(tempDir('engine'), 'hangs.sh');
    fs.writeFileSync(script, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    for (const engine of ['harbour-no-such-speech-engine', script]) {
      const server = await start({
        engine,
        limits: { maxChars: 8000, timeoutMs: 1500, maxBytes: 8 * 1024 * 1024 },
      });
      try {
        const room = (await server.admin.createRoom('Year 1 Ash')).id;
        const pc = await enrol(server, room, 'ASH-01');
        const applied: string[] = [];
        pc.socket.on('control:apply', (c) => applied.push(c.actionId));
        const sessionId = await supervise(server, room);
        const action = await send(server, sessionId, {
          kind: 'message',
          message: 'Line up at the door, please.',
          deviceIds: [pc.deviceId],
        });
        // The message itself reached the computer without waiting for any audio.
        await waitFor(() => applied.includes(action.id), { what: 'the message on the computer' });
        const answer = await audioOf(pc, action.id, 20_000);
        expect(answer).toMatchObject({
          ok: true,
          data: { status: 'unavailable', reason: engine === script ? 'failed' : 'no_engine' },
        });
      } finally {
        await server.harbour.close();
      }
    }
  });
});
