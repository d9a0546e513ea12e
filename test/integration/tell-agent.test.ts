/**
 * The agent's tell core with the real HarbourAgent, its real outbox and evidence store,
 * the real local UI server and the real Harbour server. The screen grab returns a known
 * PNG and the overlay records what it was asked (the real Chromium cover and real screen
 * capture are proved on Xvfb in test/e2e/tell-desktop.test.ts).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, IncidentSummary } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import type { OverlayView, ScreenOverlay } from '../../agent/src/core/overlay.js';
import { TellFeature } from '../../agent/src/core/tell.js';
import { UiServer } from '../../agent/src/core/ui-server.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { sha256Of } from '../../dashboard/src/server/features/evidence/index.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { uniquePng } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

/** Records what it is asked to show, with the moment, so the test can check the order of things. */
class RecordingOverlay implements ScreenOverlay {
  current: OverlayView | null = null;
  log: { what: 'show' | 'hide'; at: number }[] = [];
  show(view: OverlayView): Promise<void> {
    this.current = view;
    this.log.push({ what: 'show', at: performance.now() });
    return Promise.resolve();
  }
  hide(): Promise<void> {
    this.current = null;
    this.log.push({ what: 'hide', at: performance.now() });
    return Promise.resolve();
  }
}

let harbour: Harbour;
let port: number;
let serverDir: string;
let clients: Record<Caller, ApiClient>;
let token: string;

async function startServer(): Promise<void> {
  harbour = await startInProcess(serverDir, port);
}

beforeAll(async () => {
  serverDir = tempDir('tell-server');
  harbour = await startInProcess(serverDir);
  port = (harbour.app.server.address() as AddressInfo).port;
  clients = await staffClients(harbour);
  const room = await clients.admin.createRoom('Class 2');
  token = (await clients.admin.createToken(room.id)).token;
});
afterAll(() => harbour.close());

function makeAgent(dataDir: string, png: Buffer) {
  const overlay = new RecordingOverlay();
  const ui = new UiServer({ logger: pino({ level: 'silent' }), root: tempDir('no-pages') });
  let grabbedAt = 0;
  const tell = new TellFeature({
    overlay,
    ui,
    grab: () => {
      grabbedAt = performance.now();
      return Promise.resolve({
        encode: () =>
          Promise.resolve([
            { display: { id: 1, name: 'screen', x: 0, y: 0, width: 1, height: 1, primary: true }, png },
          ]),
      });
    },
    activeWindow: {
      activeWindow: () => Promise.resolve({ title: 'Games', app: 'chromium', url: 'https://games.example/' }),
    },
  });
  const agent = new HarbourAgent(
    {
      serverUrl: `http://127.0.0.1:${port}`,
      dataDir,
      agentVersion: '0.1.0',
      enrolmentToken: token,
      deviceName: 'C2-PC-03',
    },
    { probes: platformProbes(), logger: pino({ level: 'silent' }), features: [tell] },
  );
  return { agent, tell, overlay, ui, grabbedAt: () => grabbedAt };
}

const incidentsOf = async (tellId: string) =>
  harbour.db.selectFrom('incidents').select(['id', 'tell_status']).where('tell_id', '=', tellId).execute();

describe('tell on the agent', () => {
  it('grabs, then covers, then reports; the pupil’s words follow; the teacher’s answers reach the cover', async () => {
    const png = uniquePng();
    const a = makeAgent(tempDir('tell-agent'), png);
    await a.ui.start();
    await a.agent.start();
    try {
      await waitFor(() => a.agent.status === 'online', { what: 'online' });
      const before = a.agent.outbox.size();
      const tellId = await a.tell.tell('badge');
      expect(a.overlay.current?.path).toBe('/cover');
      expect(a.overlay.log[0]!.at).toBeGreaterThanOrEqual(a.grabbedAt());
      expect(a.agent.outbox.size() + 1).toBeGreaterThanOrEqual(before); // committed before tell() returned
      const [row] = await waitFor(
        async () => {
          const rows = await incidentsOf(tellId);
          return rows.length === 1 ? rows : undefined;
        },
        { what: 'the incident' },
      );
      const dsl = clients.dsl;
      const incident = (await dsl.json<Incident>('GET', `/api/incidents/${row!.id}`)).body;
      expect(incident).toMatchObject({
        source: 'report',
        deviceName: 'C2-PC-03',
        roomName: 'Class 2',
        window: { url: 'https://games.example/' },
        evidence: [{ sha256: sha256Of(png), received: true }],
      });

      // A second press while covered is the same report, not a new one.
      expect(await a.tell.tell('shortcut')).toBe(tellId);

      // The cover page's own API (real UI server, authenticated as the page is).
      const headers = { ...a.ui.authHeaders(), 'content-type': 'application/json' };
      const post = (path: string, body: unknown) =>
        fetch(`${a.ui.origin}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect((await fetch(`${a.ui.origin}/api/tell/state`)).status).toBe(401);
      expect(
        (
          await post('/api/tell/details', {
            choice: 'stranger',
            words: 'a man in the game asked where I live',
          })
        ).status,
      ).toBe(200);
      expect((await post('/api/tell/details', { choice: 'nonsense', words: null })).status).toBe(400);
      await waitFor(
        async () =>
          (await dsl.json<Incident>('GET', `/api/incidents/${row!.id}`)).body.pupilChoice === 'stranger',
        { what: 'the pupil’s words' },
      );
      expect((await dsl.json<Incident>('GET', `/api/incidents/${row!.id}`)).body.details.pupilWords).toBe(
        'a man in the game asked where I live',
      );

      // Acknowledge: the cover says the teacher is on the way. Release: the cover goes.
      await dsl.json('POST', `/api/tell/${row!.id}/acknowledge`, {});
      const state = async () =>
        (await (await fetch(`${a.ui.origin}/api/tell/state`, { headers })).json()) as {
          status: string;
          by: string;
        };
      await waitFor(async () => (await state()).status === 'acknowledged', { what: 'on the way' });
      expect((await state()).by).toBe('A dsl');
      // A pupil alone cannot release it.
      expect(await (await post('/api/tell/release', {})).json()).toMatchObject({ released: false });
      expect(a.overlay.current).not.toBeNull();
      await dsl.json('POST', `/api/tell/${row!.id}/release`, {});
      await waitFor(() => a.overlay.current === null, { what: 'the cover to go' });
      expect(await incidentsOf(tellId)).toHaveLength(1);
    } finally {
      await a.agent.stop();
      await a.ui.stop();
    }
  });

  it('a staff PIN typed on the cover releases it', async () => {
    expect((await clients.dsl.json('PUT', '/api/safeguarding/staff-pin', { pin: '2468' })).status).toBe(200);
    const a = makeAgent(tempDir('tell-agent-pin'), uniquePng());
    await a.ui.start();
    await a.agent.start();
    try {
      await waitFor(() => a.agent.status === 'online', { what: 'online' });
      const tellId = await a.tell.tell('tray');
      await waitFor(async () => (await incidentsOf(tellId)).length === 1, { what: 'the incident' });
      const headers = { ...a.ui.authHeaders(), 'content-type': 'application/json' };
      const release = async (pin: string) =>
        (await (
          await fetch(`${a.ui.origin}/api/tell/release`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ pin }),
          })
        ).json()) as { released: boolean; message: string };
      expect(await release('1111')).toMatchObject({ released: false, message: 'That PIN is not right.' });
      expect(a.overlay.current).not.toBeNull();
      expect(await release('2468')).toMatchObject({ released: true });
      expect(a.overlay.current).toBeNull();
      expect((await incidentsOf(tellId))[0]?.tell_status).toBe('released');
    } finally {
      await a.agent.stop();
      await a.ui.stop();
    }
  });

  it('covers at once with the server down; the report and its screenshot arrive once after it restarts; the cover survives an agent restart', async () => {
    const dataDir = tempDir('tell-agent-offline');
    const png = uniquePng();
    let a = makeAgent(dataDir, png);
    await a.ui.start();
    await a.agent.start();
    await waitFor(() => a.agent.status === 'online', { what: 'online' });
    await harbour.close();
    await waitFor(() => a.agent.status === 'offline', { what: 'offline' });
    const tellId = await a.tell.tell('badge');
    expect(a.overlay.current?.path).toBe('/cover');
    expect(a.agent.outbox.size()).toBeGreaterThan(0);

    // The agent restarts while the server is still down: the cover comes back.
    await a.agent.stop();
    await a.ui.stop();
    a = makeAgent(dataDir, png);
    await a.ui.start();
    await a.agent.start();
    try {
      expect(a.overlay.current?.path).toBe('/cover');
      expect(a.tell.current?.tellId).toBe(tellId);

      await startServer();
      await waitFor(async () => (await incidentsOf(tellId)).length === 1 && a.agent.outbox.size() === 0, {
        what: 'delivery after restart',
        timeoutMs: 40_000,
      });
      const list = await clients.dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents');
      const mine = list.body.incidents.filter((i) => i.evidence.some((e) => e.sha256 === sha256Of(png)));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.evidence[0]?.received).toBe(true);
    } finally {
      await a.agent.stop();
      await a.ui.stop();
    }
  });

  it('a screenshot the server refuses (damaged on disk) does not cost the pupil their report', async () => {
    const dataDir = tempDir('tell-agent-damaged');
    const png = uniquePng();
    const a = makeAgent(dataDir, png);
    await a.ui.start();
    await a.agent.start();
    try {
      await waitFor(() => a.agent.status === 'online', { what: 'online' });
      await harbour.close();
      await waitFor(() => a.agent.status === 'offline', { what: 'offline' });
      const tellId = await a.tell.tell('badge');
      // The saved screenshot is damaged before it can be uploaded: its hash no longer matches.
      const file = path.join(dataDir, 'evidence', `${sha256Of(png)}.png`);
      await waitFor(() => fs.existsSync(file), { what: 'the saved screenshot' });
      fs.writeFileSync(file, Buffer.concat([png, Buffer.from('damage')]));

      await startServer();
      await waitFor(async () => (await incidentsOf(tellId)).length === 1 && a.agent.outbox.size() === 0, {
        what: 'the report to arrive without its screenshot',
        timeoutMs: 40_000,
      });
      expect(a.agent.outbox.rejectedCount()).toBe(0);
      const stored = await harbour.db
        .selectFrom('agent_events')
        .select('body')
        .where('type', '=', 'tell.reported')
        .execute();
      const report = stored
        .map(
          (r) => JSON.parse(r.body) as { tellId: string; evidence: unknown[]; captureError: string | null },
        )
        .find((b) => b.tellId === tellId);
      expect(report?.evidence).toEqual([]);
      expect(report?.captureError).toMatch(/1 screenshot\(s\) could not be stored: .*corrupt/);
    } finally {
      await a.agent.stop();
      await a.ui.stop();
    }
  });
});
