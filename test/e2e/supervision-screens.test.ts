import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { adminEmail, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { signInUi } from '../support/sign-in.js';
import { waitFor } from '../support/wait.js';
import { colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

// Live supervision for real: a pupil's computer is an X display (Xvfb + openbox) running a
// real agent process; the teacher's dashboard runs in another (headless) Chromium. The
// pupil's desktop is magenta, so what is on their screen is easy to recognise.

const magenta: Rgb = [255, 0, 255];
const eyesBlue: Rgb = [11, 79, 108]; // the "eyes on me" page
const messageDim: Rgb = [90, 99, 107]; // the message page's dimmed background

let x: XDisplay;
let server: ServerProcess;
let agent: AgentProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  x = await XDisplay.start('1024x640');
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  server = await ServerProcess.start(tempDir('sup-e2e'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  const admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  const room = await admin.createRoom('Year 6 Rowan');
  const created = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
    email: 'rowan@school.test',
    displayName: 'Mr Rowan',
    role: 'teacher',
    password,
    temporaryPassword: false,
  });
  await admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [created.body.user.id] });
  // Teachers have a second factor (issue 17), so the dashboard asks Mr Rowan for a code.
  const rowan = new ApiClient(server.url);
  await rowan.login('rowan@school.test', password);
  await rowan.enrolSecondFactor();
  const { token } = await admin.createToken(room.id);
  agent = new AgentProcess({
    server: server.url,
    token,
    dataDir: tempDir('sup-agent'),
    name: 'ROWAN-07',
    env: x.env,
  });
  await waitFor(async () => (await admin.devices(room.id)).some((d) => d.online), {
    timeoutMs: 20_000,
    what: 'agent online',
  });

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await signInUi(page, 'rowan@school.test', password);
  await page.getByRole('link', { name: 'Year 6 Rowan' }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await agent?.kill('SIGTERM');
  await server?.stop();
  await x?.stop();
});

/** The average colour of the thumbnail the dashboard shows for the pupil's screen. */
async function thumbnailColour(): Promise<Rgb> {
  const src = await page.getByRole('img', { name: 'Screen of ROWAN-07' }).getAttribute('src');
  const jpeg = Buffer.from((src ?? '').replace(/^data:image\/jpeg;base64,/, ''), 'base64');
  const { channels } = await sharp(jpeg).stats();
  return [channels[0]?.mean ?? 0, channels[1]?.mean ?? 0, channels[2]?.mean ?? 0];
}

const near = (a: Rgb, b: Rgb, tolerance = 40) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

describe('a supervised room on a real screen', () => {
  it('no thumbnails before supervision; once supervising, the thumbnail matches the pupil’s screen', async () => {
    expect(await page.getByRole('img', { name: 'Screen of ROWAN-07' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Start supervising' }).click();
    await page.getByRole('heading', { name: /Supervised by Mr Rowan/ }).waitFor();
    await page.getByRole('img', { name: 'Screen of ROWAN-07' }).waitFor({ timeout: 20_000 });
    expect(near(await thumbnailColour(), magenta)).toBe(true);
    await page.screenshot({ path: 'test-results/supervision-dashboard.png', fullPage: true });
  });

  it('"Eyes on me" covers the real screen, the agent acknowledges, and release restores it', async () => {
    await page.getByRole('button', { name: 'Eyes on me' }).click();
    await waitFor(() => colourShare(x.capture(), eyesBlue) > 0.8 && colourShare(x.capture(), magenta) === 0, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the eyes-on-me cover on the pupil’s screen',
    });
    x.snapshot('supervision-eyes-on-me');
    await page
      .getByRole('list', { name: 'Controls sent' })
      .getByText(/Eyes on me.*1 done/)
      .waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Release screens' }).click();
    await waitFor(() => colourShare(x.capture(), magenta) > 0.9, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the desktop to be visible again',
    });
  });

  it('a message appears on the pupil’s screen until they press OK', async () => {
    await page.getByLabel('Message to the whole room').fill('Five minutes left, save your work!');
    // The teacher's own language is the default; English here.
    expect(await page.getByLabel('Written in').inputValue()).toBe('en');
    await page.getByRole('button', { name: 'Send message' }).click();
    await waitFor(() => colourShare(x.capture(), messageDim) > 0.5, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the message on the pupil’s screen',
    });
    x.snapshot('supervision-message');
    await page
      .getByRole('list', { name: 'Controls sent' })
      .getByText(/Message.*Five minutes left.*1 done/)
      .waitFor({ timeout: 15_000 });
    // The pupil presses OK (the button has the focus).
    await x.run('xdotool', ['key', 'Return']);
    await waitFor(() => colourShare(x.capture(), magenta) > 0.9, {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the message to go after OK',
    }).catch((error: Error) => {
      x.snapshot('supervision-message-stayed');
      throw new Error(`${error.message}\nthe agent's last log lines:\n${agent.output.slice(-3000)}`);
    });
  });

  it('ending supervision stops the thumbnails', async () => {
    await page.getByRole('button', { name: 'End supervision' }).click();
    await page.getByText('Nobody is supervising this room now.').waitFor();
    expect(await page.getByRole('img', { name: 'Screen of ROWAN-07' }).count()).toBe(0);
  });
});
