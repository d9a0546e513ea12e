import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlAction } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { SupervisionFeature } from '../../agent/src/core/supervision.js';
import { OverlayScreenControls } from '../../agent/src/core/teacher-screens.js';
import { UiServer } from '../../agent/src/core/ui-server.js';
import { ApiClient } from '../support/api.js';
import { addStaff } from '../support/harbour.js';
import { launchChromium } from '../support/browser.js';
import { PageOverlay } from '../support/page-overlay.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

// The speaker button on the teacher's message, eyes-on-me and the tell cover, end to end:
// the built server makes the audio with espeak-ng (the message when the teacher sends it),
// the real agent core fetches it over its device connection and serves it from its UI
// server, and the real pupil pages in Chromium play it to the end after a click.

const adminEmail = 'head@school.test';
const password = 'a long enough password';
const log = pino({ level: process.env.HARBOUR_TEST_LOG ?? 'silent' });

let browser: Browser;
let server: ServerProcess;
let admin: ApiClient;
let dsl: ApiClient;
let ui: UiServer;
let teacherLane: PageOverlay;
let messageLane: PageOverlay;
let spare: PageOverlay;
let agent: HarbourAgent;
let sessionId: string;
let deviceId: string;

/** Counts the page's <audio> events from now on (the element may be replaced: listen on the document). */
async function listen(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { addEventListener(t: string, f: (e: { target: unknown }) => void, c: boolean): void };
      heard: { playing: number; ended: number; src: string[] };
    };
    g.heard = { playing: 0, ended: 0, src: [] };
    g.document.addEventListener(
      'playing',
      (e) => {
        g.heard.playing++;
        g.heard.src.push((e.target as { src: string }).src);
      },
      true,
    );
    g.document.addEventListener('ended', () => g.heard.ended++, true);
  });
}

const heard = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { heard: { playing: number; ended: number; src: string[] } }).heard,
  );

/** Clicks the speaker button once its audio is ready, and waits for the reading to end. */
async function playToTheEnd(page: Page): Promise<string[]> {
  const button = page.getByRole('button', { name: 'Read it to me' });
  await button.waitFor({ timeout: 30_000 });
  await listen(page);
  await button.click();
  await waitFor(async () => (await heard(page)).playing > 0, { what: 'the audio to reach playing' });
  await waitFor(async () => (await heard(page)).ended > 0, { timeoutMs: 30_000, what: 'the audio to end' });
  await page.getByRole('button', { name: 'Read it to me' }).waitFor();
  return (await heard(page)).src;
}

async function control(body: Record<string, unknown>): Promise<ControlAction> {
  const res = await dsl.json<ControlAction>('POST', `/api/supervision/${sessionId}/controls`, {
    deviceIds: [deviceId],
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await ServerProcess.start(tempDir('voice-screens-server'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  dsl = (await addStaff(admin, { email: 'dsl@school.test', displayName: 'Dee Lead', role: 'dsl' })).client;
  const room = await admin.createRoom('Year 5 Ash');
  const { token } = await admin.createToken(room.id);
  ui = new UiServer({ logger: log });
  teacherLane = new PageOverlay(browser, (p) => ui.entryUrl(p));
  messageLane = new PageOverlay(browser, (p) => ui.entryUrl(p));
  spare = new PageOverlay(browser, (p) => ui.entryUrl(p));
  const screens = new OverlayScreenControls({ teacher: teacherLane, message: messageLane }, ui);
  await ui.start();
  agent = new HarbourAgent(
    {
      serverUrl: server.url,
      dataDir: tempDir('voice-screens-agent'),
      agentVersion: '0.1.0',
      enrolmentToken: token,
      sessionPollSeconds: 1,
    },
    {
      probes: {
        deviceInfo: () => Promise.resolve({ hostname: 'ASH-PC-01', os: 'Linux test', serial: null }),
        currentUser: () => Promise.resolve({ username: 'pupil.a', displayName: 'Ash Pupil' }),
      },
      logger: log,
      features: [new SupervisionFeature({ screens })],
    },
  );
  deviceId = (await agent.start()).deviceId;
  await waitFor(() => agent.status === 'online', { what: 'the agent online' });
  const started = await dsl.json<{ id: string }>('POST', '/api/supervision', { roomId: room.id });
  expect(started.status).toBe(201);
  sessionId = started.body.id;
});

afterAll(async () => {
  await agent?.stop();
  for (const lane of [teacherLane, messageLane, spare]) await lane?.hide();
  await ui?.stop();
  await server?.stop();
  await browser?.close();
});

describe('read-aloud on the pupil screens', () => {
  it("a teacher's message is read aloud to its end; the next message plays its own audio, never the first's", async () => {
    const first = await control({ kind: 'message', message: 'Please save your work now.' });
    await waitFor(() => messageLane.page, { what: 'the message on screen' });
    let page = messageLane.shown;
    await page.getByText('Please save your work now.').waitFor();
    const played = await playToTheEnd(page);
    expect(played.every((src) => src.includes(first.id))).toBe(true);

    // Two in quick succession: the screen shows the second, and its button plays the second.
    await control({ kind: 'message', message: 'First of two.' });
    const second = await control({ kind: 'message', message: 'Line up by the door, quietly.' });
    await waitFor(
      async () =>
        (await messageLane.page
          ?.getByText('Line up by the door, quietly.')
          .isVisible()
          .catch(() => false)) ?? false,
      { what: 'the second message on screen' },
    );
    page = messageLane.shown;
    const again = await playToTheEnd(page);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((src) => src.includes(second.id))).toBe(true);
  });

  it('a message in Welsh is marked as Welsh on the pupil’s page and read by the Welsh voice', async () => {
    const welsh = await control({
      kind: 'message',
      message: 'Amser tacluso, os gwelwch yn dda.',
      language: 'cy',
    });
    await waitFor(
      async () =>
        (await messageLane.page
          ?.getByText('Amser tacluso, os gwelwch yn dda.')
          .isVisible()
          .catch(() => false)) ?? false,
      { what: 'the Welsh message on screen' },
    );
    const page = messageLane.shown;
    // A screen reader, and the browser's own hyphenation, read the words as Welsh.
    expect(await page.locator('#message-text').getAttribute('lang')).toBe('cy');
    const played = await playToTheEnd(page);
    expect(played.every((src) => src.includes(welsh.id))).toBe(true);
    // An unmarked message takes the page's (the school's) language.
    await control({ kind: 'message', message: 'Back to your seats.' });
    await waitFor(
      async () =>
        (await messageLane.page
          ?.getByText('Back to your seats.')
          .isVisible()
          .catch(() => false)) ?? false,
      { what: 'the English message on screen' },
    );
    expect(await messageLane.shown.locator('#message-text').getAttribute('lang')).toBeNull();
  });

  it('eyes-on-me with the teacher’s words is read aloud to its end', async () => {
    const cover = await control({ kind: 'cover', message: 'Eyes on the board, everyone.' });
    await waitFor(() => teacherLane.page, { what: 'eyes-on-me on screen' });
    const page = teacherLane.shown;
    await page.getByText('Eyes on the board, everyone.').waitFor();
    const played = await playToTheEnd(page);
    expect(played.every((src) => src.includes(cover.id))).toBe(true);
    await control({ kind: 'release' });
  });

  it('the tell cover reads its own words aloud to the end', async () => {
    await spare.show({ path: '/cover', title: 'cover', background: '#ffffff' });
    const page = spare.shown;
    await page.getByRole('heading', { name: 'You did the right thing.' }).waitFor();
    const played = await playToTheEnd(page);
    expect(played.some((src) => src.includes('screen%3Acover%3Aen'))).toBe(true);
    // The audio is the server's, fetched once: served from the agent to this page only.
    const direct = await fetch(`${ui.origin}/api/audio?clip=screen%3Acover%3Aen`);
    expect(direct.status).toBe(401);
  });
});
