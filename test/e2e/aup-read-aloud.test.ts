import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePoliciesCy, type OsUser } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { AupFeature } from '../../agent/src/core/aup/feature.js';
import { UiServer } from '../../agent/src/core/ui-server.js';
import type { SessionControl } from '../../agent/src/platform/session.js';
import { ApiClient } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { PageOverlay } from '../support/page-overlay.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

// "Read it to me" end to end: the built server makes the audio with espeak-ng, the real agent
// core fetches it over its connection and serves it from its UI server, and the pupil page
// in real Chromium plays it in an <audio> element after a click (no autoplay flag: a pupil
// clicks too). With the engine missing from the server's PATH the page says so.

const adminEmail = 'head@school.test';
const password = 'a long enough password';
const log = pino({ level: process.env.HARBOUR_TEST_LOG ?? 'silent' });
const currentUser: OsUser = { username: 'pupil.v', displayName: 'Vic Pupil' };
const session: SessionControl = {
  signOut: () => Promise.resolve('signed-out'),
  groups: () => Promise.resolve([]),
};

let browser: Browser;

interface World {
  server: ServerProcess;
  admin: ApiClient;
  ui: UiServer;
  overlay: PageOverlay;
  agent: HarbourAgent;
  stop(): Promise<void>;
}

async function world(name: string, env: Record<string, string> = {}): Promise<World> {
  const server = await ServerProcess.start(tempDir(`${name}-server`), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
    ...env,
  });
  const admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  const room = await admin.createRoom('Year 4 Oak');
  const { token } = await admin.createToken(room.id);
  const ui = new UiServer({ logger: log });
  const overlay = new PageOverlay(browser, (p) => ui.entryUrl(p));
  const feature = new AupFeature({ ui, overlay, session, checkIntervalMs: 300 });
  await ui.start();
  const agent = new HarbourAgent(
    {
      serverUrl: server.url,
      dataDir: tempDir(`${name}-agent`),
      agentVersion: '0.1.0',
      enrolmentToken: token,
      sessionPollSeconds: 1,
    },
    {
      probes: {
        deviceInfo: () => Promise.resolve({ hostname: 'OAK-PC-01', os: 'Linux test', serial: null }),
        currentUser: () => Promise.resolve(currentUser),
      },
      logger: log,
      features: [feature],
    },
  );
  await agent.start();
  return {
    server,
    admin,
    ui,
    overlay,
    agent,
    stop: async () => {
      await agent.stop();
      await overlay.hide();
      await ui.stop();
      await server.stop();
    },
  };
}

async function shownWith(w: World, title: string): Promise<Page> {
  await waitFor(() => w.overlay.page, { timeoutMs: 15_000, what: 'the AUP to be shown' });
  const page = w.overlay.shown;
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
  return page;
}

/** The page's <audio> element: paused, time, and whether it has ended. */
const player = (page: Page) =>
  page.locator('audio.aup-audio').evaluate((el) => {
    const a = el as unknown as { paused: boolean; currentTime: number; ended: boolean; duration: number };
    return { paused: a.paused, time: a.currentTime, ended: a.ended, duration: a.duration };
  });

/** A page from another origin on this computer: a plain HTML page, no security headers. */
async function hostileSite(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>Another site</title><p>Hello</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('read-aloud with the speech engine on the server', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('voice');
  });
  afterAll(() => w?.stop());

  it('the speaker button plays the English policy and stops it again', async () => {
    const page = await shownWith(w, 'Using computers at school');
    const button = page.getByRole('button', { name: 'Read it to me' });
    await button.waitFor({ timeout: 30_000 });
    // Playing starts with the pupil's click (a user gesture: no autoplay flag needed).
    await page.evaluate(() => {
      const audio = (
        globalThis as unknown as { document: { querySelector(s: string): EventTarget | null } }
      ).document.querySelector('audio.aup-audio');
      (globalThis as unknown as { sawPlaying: boolean }).sawPlaying = false;
      audio?.addEventListener('playing', () => {
        (globalThis as unknown as { sawPlaying: boolean }).sawPlaying = true;
      });
    });
    await button.click();
    await waitFor(() => page.evaluate(() => (globalThis as unknown as { sawPlaying: boolean }).sawPlaying), {
      what: 'the audio to reach playing',
    });
    await waitFor(async () => (await player(page)).time > 0.5, { what: 'the audio to advance' });
    const state = await player(page);
    expect(state.paused).toBe(false);
    // The sample KS2 policy takes about a minute and a half to read at 150 words a minute.
    expect(state.duration).toBeGreaterThan(30);
    expect(state.duration).toBeLessThan(400);
    await page.getByRole('button', { name: 'Stop reading' }).click();
    await waitFor(async () => (await player(page)).paused, { what: 'the audio to stop' });
    await page.getByRole('button', { name: 'Read it to me' }).waitFor();
  });

  it('a page on another origin can neither play nor read the agent’s audio', async () => {
    const uiAudio = `${w.ui.origin}/api/aup/audio`;
    // The pupil page itself gets it (so a refusal below is the origin's, not a missing file).
    const pupilPage = await shownWith(w, 'Using computers at school');
    await pupilPage.getByRole('button', { name: 'Read it to me' }).waitFor({ timeout: 30_000 });
    expect(await pupilPage.evaluate((url) => fetch(url).then((r) => r.status), uiAudio)).toBe(200);
    // Without the agent's secret: refused.
    expect((await fetch(uiAudio)).status).toBe(401);
    // A page of another origin on the same computer (127.0.0.1, another port: the same *site*,
    // so the SameSite cookie would go with it) tries to play the audio and to fetch it.
    // With the pupil page's cookies, as if in the same browser profile.
    // Its own little web server (no CSP of its own to stop it), on another port of 127.0.0.1.
    const hostile = await hostileSite();
    const profile = await browser.newContext();
    await profile.addCookies(await pupilPage.context().cookies());
    const other = await profile.newPage();
    try {
      await other.goto(hostile.url);
      const outcome = await other.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const Audio = (globalThis as unknown as { Audio: new (src: string) => EventTarget }).Audio;
            const audio = new Audio(url);
            audio.addEventListener('canplay', () => resolve('played'));
            audio.addEventListener('error', () => resolve('refused'));
            setTimeout(() => resolve('timeout'), 10_000);
          }),
        uiAudio,
      );
      expect(outcome).toBe('refused');
      const read = await other.evaluate(
        (url) =>
          fetch(url, { credentials: 'include' }).then(
            (r) => `status ${r.status}`,
            () => 'blocked',
          ),
        uiAudio,
      );
      expect(read).toBe('blocked');
    } finally {
      await profile.close();
      hostile.server.close();
    }
  });

  it('a new Welsh policy is read in Welsh, to the end', async () => {
    const base = samplePoliciesCy.ks2;
    if (!base) throw new Error('no sample');
    const title = 'Rheolau byr';
    const res = await w.admin.json('POST', '/api/aup/documents', {
      audience: 'ks2',
      content: { ...base, title, intro: '', closing: '', rules: [{ text: 'Dw i’n garedig.' }] },
      publish: true,
      showNow: true,
    });
    expect(res.status).toBe(201);
    const page = await shownWith(w, title);
    const button = page.getByRole('button', { name: 'Darllena fe i fi' });
    await button.waitFor({ timeout: 30_000 });
    await button.click();
    await waitFor(async () => (await player(page)).ended, { timeoutMs: 60_000, what: 'the audio to end' });
    const state = await player(page);
    // Title, one rule and the monitoring sentence: several seconds, not a blip.
    expect(state.duration).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Darllena fe i fi' }).waitFor();
  });
});

describe('read-aloud without a speech engine', () => {
  let w: World;
  beforeAll(async () => {
    // The server's PATH without espeak-ng (node itself is started by its full path).
    const bin = tempDir('no-engine-bin');
    fs.mkdirSync(bin, { recursive: true });
    w = await world('no-voice', { PATH: path.resolve(bin) });
  });
  afterAll(() => w?.stop());

  it('the speaker button says plainly that reading aloud is not available, and stays in the Tab order', async () => {
    const page = await shownWith(w, 'Using computers at school');
    const button = page.getByRole('button', {
      name: 'Reading aloud is not available on this computer. Ask a grown-up to read it with you.',
    });
    await button.waitFor({ timeout: 30_000 });
    expect(await button.getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('audio').count()).toBe(0);
    // Keyboard operable: it takes the focus and Enter does nothing harmful.
    await button.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'I agree' }).waitFor();
    await page.screenshot({ path: 'test-results/aup-read-aloud-unavailable.png' });
  });
});
