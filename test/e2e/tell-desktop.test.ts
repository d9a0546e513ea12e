/**
 * "Turn the screen off and tell" for real, on Xvfb + openbox: a real agent process with
 * its Chromium help badge and cover, the built server, and the teacher's dashboard in
 * Chromium. Screen captures prove what is and is not on the screen.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { signInUi } from '../support/sign-in.js';
import { waitFor } from '../support/wait.js';
import { centreOf, colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

const pageColour: Rgb = [255, 128, 0]; // the upsetting page: bright orange
const coverColour: Rgb = [234, 244, 239]; // the cover's calm background (#eaf4ef)
const badgeColour: Rgb = [255, 183, 3]; // the help badge (#ffb703)
const password = 'a long enough password';

let x: XDisplay;
let server: ServerProcess;
let browser: Browser;
let page: Page;
let agent: AgentProcess;
let dsl: ApiClient;
const roomName = 'Year 3 Ash';

/** Waits until the agent has its cover ready, hidden, for the `n`th time (it prepares it again after each use). */
const prepared = (n: number) =>
  waitFor(() => agent.output.split('overlay: prepared, hidden').length > n, {
    timeoutMs: 60_000,
    what: `the cover prepared (${n})\n${agent.output.slice(-3000)}`,
  });

async function clickBadge(): Promise<number> {
  const at = await waitFor(() => centreOf(x.capture(), badgeColour), {
    timeoutMs: 30_000,
    what: 'the help badge',
  });
  await x.run('xdotool', ['mousemove', String(at.x), String(at.y)]);
  const clicked = Date.now();
  await x.run('xdotool', ['click', '1']);
  return clicked;
}

const covered = () => {
  const shot = x.capture();
  return colourShare(shot, pageColour) === 0 && colourShare(shot, coverColour, 6) > 0.5;
};

beforeAll(async () => {
  x = await XDisplay.start('1024x700');
  server = await ServerProcess.start(tempDir('tell-e2e-server'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  const admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  const ids: Record<string, string> = {};
  for (const role of ['dsl', 'teacher'] as const) {
    const made = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
      email: `${role}@school.test`,
      displayName: role === 'dsl' ? 'Mrs Lead' : 'Mr Class',
      role,
      password,
      temporaryPassword: false,
    });
    ids[role] = made.body.user.id;
  }
  dsl = new ApiClient(server.url);
  await dsl.login('dsl@school.test', password);
  await dsl.enrolSecondFactor(); // the DSL opens the report and its evidence (issue 17)
  // Teachers have a second factor too, so the dashboard asks Mr Class for a code.
  const teacher = new ApiClient(server.url);
  await teacher.login('teacher@school.test', password);
  await teacher.enrolSecondFactor();
  const room = await admin.createRoom(roomName);
  // Mr Class teaches in this room: its live view and its pupils' alerts are his (issue 14 item 3).
  expect((await admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [ids.teacher] })).status).toBe(
    200,
  );
  const { token } = await admin.createToken(room.id);

  // The page that upset the pupil: recognisable by its colour and words.
  x.launch('chromium', [
    '--no-sandbox',
    '--test-type',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    `--user-data-dir=${tempDir('upsetting-page')}`,
    '--window-position=40,40',
    '--window-size=900,560',
    `--app=data:text/html,${encodeURIComponent('<title>page</title><body style="margin:0;background:rgb(255,128,0);font:40px sans-serif">SOMETHING UPSETTING</body>')}`,
  ]);
  await waitFor(() => colourShare(x.capture(), pageColour) > 0.3, { timeoutMs: 30_000, what: 'the page' });

  agent = new AgentProcess({
    server: server.url,
    dataDir: tempDir('tell-e2e-agent'),
    token,
    name: 'Y3-PC-07',
    extra: ['--help-badge'],
    env: x.env,
  });
  await waitFor(
    async () =>
      (await dsl.json<{ devices: { online: boolean }[] }>('GET', '/api/devices')).body.devices.some(
        (d) => d.online,
      ),
    {
      timeoutMs: 30_000,
      what: `the agent online\n${agent.output}`,
    },
  );

  // The teacher supervising the room has it open in the dashboard.
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/login`);
  await signInUi(page, 'teacher@school.test', password);
  await page.getByRole('link', { name: roomName }).click();
  await page.getByRole('heading', { name: roomName, level: 1 }).waitFor();
  await page.getByText('Y3-PC-07').first().waitFor();
});

afterAll(async () => {
  await agent?.kill('SIGTERM');
  await agent?.exited();
  await browser?.close();
  await server?.stop();
  await x?.stop();
});

const incidents = async () =>
  (await dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents')).body.incidents;

describe('one click hides the page, keeps the evidence and brings the teacher', () => {
  it('the badge covers every display; the capture right after shows none of the page', async () => {
    await prepared(1);
    // Prepared means hidden: nothing of the cover is on the screen yet.
    expect(colourShare(x.snapshot('tell-before'), coverColour, 6)).toBeLessThan(0.01);
    const clicked = await clickBadge();
    await waitFor(covered, { timeoutMs: 30_000, intervalMs: 20, what: 'the cover' });
    // The prepared windows were shown (Chromium still lingering after preparing the cover) or
    // the cover's kept picture (Chromium gone since), never a blank cover waiting for a new
    // Chromium. (The cover's first frame is painted before the agent logs which way it went.)
    await waitFor(
      () =>
        /overlay: (showing prepared windows|covered with the picture|covered; loading the view)/.test(
          agent.output,
        ),
      { timeoutMs: 10_000, what: 'the overlay saying how it covered' },
    );
    expect(agent.output).toMatch(/overlay: (showing prepared windows|covered with the picture of the view)/);
    // A figure for people, not a pass mark (the benchmark measures speed): click to the cover
    // painted on screen, as seen by screen captures, with the Linux Chromium shell.
    console.log(`tell: click to cover painted ${Date.now() - clicked} ms (Chromium kiosk shell on Xvfb)`);
    const logged = /"coverMs":([\d.]+)/.exec(agent.output);
    if (logged)
      console.log(`tell: badge press to cover requested (grab included) ${Math.round(Number(logged[1]))} ms`);
    const after = x.snapshot('tell-covered');
    expect(colourShare(after, pageColour)).toBe(0);
  });

  it('the evidence holds the page as it was at the click', async () => {
    const [incident] = await waitFor(
      async () => {
        const list = await incidents();
        return list.length === 1 && list[0]!.evidence[0]?.received ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'the incident with its screenshot' },
    );
    expect(incident).toMatchObject({ source: 'report', deviceName: 'Y3-PC-07', roomName });
    const res = await dsl.request(
      'GET',
      `/api/incidents/${incident!.id}/evidence/${incident!.evidence[0]!.sha256}`,
    );
    expect(res.status).toBe(200);
    const b64 = Buffer.from(await res.arrayBuffer()).toString('base64');
    // Decode the PNG in the browser and count the page's colour in it.
    // Decode the PNG in the browser (a string, so this file needs no DOM types) and count the page's colour in it.
    const share = await page.evaluate<number>(`(async () => {
      const img = new Image();
      img.src = 'data:image/png;base64,${b64}';
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, img.width, img.height).data;
      let hits = 0;
      for (let i = 0; i < px.length; i += 16) if (px[i] > 235 && Math.abs(px[i + 1] - 128) < 20 && px[i + 2] < 20) hits++;
      return hits / (px.length / 16);
    })()`);
    expect(share).toBeGreaterThan(0.3);
  });

  it('the teacher’s dashboard shows the alert; acknowledging tells the pupil; releasing gives the page back', async () => {
    const alert = page.getByRole('alert').filter({ hasText: 'has asked for help' });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/Y3-PC-07.*Year 3 Ash/);
    await page.screenshot({ path: 'test-results/tell-teacher-alert.png' });
    await alert.getByRole('button', { name: 'I’m on my way' }).click();
    await waitFor(
      async () =>
        (await x.run('xdotool', ['search', '--name', 'teacher is on the way']).catch(() => '')) !== '',
      {
        timeoutMs: 20_000,
        what: 'the cover to say the teacher is on the way',
      },
    );
    x.snapshot('tell-on-the-way');
    expect(covered()).toBe(true);
    await page.getByRole('button', { name: 'Release the screen' }).click();
    await waitFor(() => colourShare(x.capture(), pageColour) > 0.3, {
      timeoutMs: 30_000,
      what: 'the page again',
    });
    x.snapshot('tell-released');
    await alert.waitFor({ state: 'detached' });
  });

  it('offline: the server is down at the click; the cover still comes, and the report arrives once after it restarts', async () => {
    // After the release the agent made the cover ready again. Waited for before the server
    // stops: a long outage grows the agent's reconnection back-off, and the test would wait on it.
    await prepared(2);
    await server.stop();
    await clickBadge();
    await waitFor(covered, { timeoutMs: 30_000, intervalMs: 100, what: 'the cover with the server down' });
    expect(colourShare(x.snapshot('tell-offline-covered'), pageColour)).toBe(0);
    await server.start();
    const list = await waitFor(
      async () => {
        const l = await incidents();
        return l.length === 2 && l[0]!.evidence[0]?.received ? l : undefined;
      },
      { timeoutMs: 60_000, what: `the offline report\n${agent.output.slice(-2000)}` },
    );
    expect(list.filter((i) => i.source === 'report')).toHaveLength(2);
    // Released from the dashboard by the DSL this time; the page comes back.
    await dsl.json('POST', `/api/tell/${list[0]!.id}/release`, {});
    await waitFor(() => colourShare(x.capture(), pageColour) > 0.3, {
      timeoutMs: 30_000,
      what: 'the page after release',
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await incidents()).toHaveLength(2);
    // Several waits in a row (the cover prepared again, the server's restart, the outbox's back-off).
  }, 240_000);
});
