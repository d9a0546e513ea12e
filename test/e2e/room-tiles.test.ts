/**
 * Issue 16 items 5 and 6 in real Chromium: the room's tiles tell the teacher what happened
 * (covered, did not reach, idle, waiting for the first picture); "did not reach" is final
 * for a computer that cannot show covers, and stays true across a reload; while the server
 * is unreachable the room says so, the tiles stop claiming "Online" and the controls are
 * off; the rooms list shows each room's computers online and who is supervising.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium, shareSession } from '../support/browser.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { agentSocket, connected, type AgentSocket } from '../support/sockets.js';

const password = 'a long enough password';
let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let teacher: ApiClient;
let roomId: string;
let sessionId: string;
/** PC01 carries out controls and says so; PC02 is a computer that cannot show covers (never answers). */
const agents: Record<'PC01' | 'PC02', { socket: AgentSocket; deviceId: string }> = {} as never;

async function enrol(admin: ApiClient, hostname: 'PC01' | 'PC02') {
  const { token } = await admin.createToken(roomId);
  const r = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    hostname,
    os: 'Linux test',
    serial: null,
    agentVersion: '0.1.0',
  });
  expect(r.status).toBe(201);
  const socket = await connected(
    agentSocket(server.url, {
      deviceId: r.body.deviceId,
      credential: r.body.credential,
      agentVersion: '0.1.0',
    }),
  );
  agents[hostname] = { socket, deviceId: r.body.deviceId };
  if (hostname === 'PC01') {
    socket.on('control:apply', (c) => void socket.emitWithAck('agent:control-ack', { actionId: c.actionId }));
  }
}

const tile = (page: Page, name: string) => page.locator('.device-card').filter({ hasText: name });

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('room-tiles-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  const admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  const created = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
    email: 'jones@school.test',
    displayName: 'Mr Jones',
    role: 'teacher',
    password,
    temporaryPassword: false,
  });
  teacher = new ApiClient(server.url);
  await teacher.login('jones@school.test', password);
  await teacher.enrolSecondFactor();
  roomId = (await admin.createRoom('Year 4 Willow')).id;
  await admin.createRoom('Year 6 Oak');
  await admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [created.body.user.id] });
  await enrol(admin, 'PC01');
  await enrol(admin, 'PC02');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1024, height: 600 }, locale: 'en-GB' });
  await shareSession(context, teacher, server.url);
});

afterAll(async () => {
  for (const a of Object.values(agents)) a.socket.close();
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('the teacher’s room', () => {
  let page: Page;

  it('the rooms list shows computers online and who is supervising', async () => {
    const started = await teacher.json<{ id: string }>('POST', '/api/supervision', {
      roomId,
      durationMinutes: 60,
    });
    expect(started.status).toBe(201);
    sessionId = started.body.id;
    page = await context.newPage();
    await page.goto(`${server.url}/rooms`);
    const willow = page.locator(`[data-room-id="${roomId}"]`);
    await expect.poll(() => willow.textContent(), { timeout: 15_000 }).toContain('2 of 2 computers online');
    expect(await willow.textContent()).toContain('Supervised by Mr Jones until');
    expect(await page.locator('.room-card').filter({ hasText: 'Year 6 Oak' }).textContent()).toContain(
      'Not supervised now',
    );
  });

  it('tiles say covered, did not reach, idle and waiting for a picture', async () => {
    await page.goto(`${server.url}/rooms/${roomId}`);
    await page.locator('.live-status-live').waitFor();
    await tile(page, 'PC01').getByTestId('tile-waiting').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Eyes on me' }).click();
    await expect
      .poll(() => tile(page, 'PC01').getByTestId('tile-control').textContent(), { timeout: 15_000 })
      .toBe('Covered: eyes on me');
    // PC02 cannot show covers: "Covering…", then, after the answer's time is up, "did not reach" for good.
    await expect
      .poll(() => tile(page, 'PC02').getByTestId('tile-control').textContent(), { timeout: 30_000 })
      .toBe('Did not reach this computer');
    await agents.PC01.socket.emitWithAck('agent:event', {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      body: {
        type: 'activity.changed',
        state: 'idle',
        user: { username: 'amy' },
        window: null,
      } as never,
    });
    await tile(page, 'PC01').getByTestId('tile-idle').waitFor({ timeout: 15_000 });
    // A reload reads the session's controls back from the server: still true.
    await page.reload();
    await page.locator('.live-status-live').waitFor();
    await expect
      .poll(() => tile(page, 'PC02').getByTestId('tile-control').textContent(), { timeout: 15_000 })
      .toBe('Did not reach this computer');
    expect(await tile(page, 'PC01').getByTestId('tile-control').textContent()).toBe('Covered: eyes on me');
    const controls = await teacher.json<{ actions: { targets: { state: string }[] }[] }>(
      'GET',
      `/api/supervision/${sessionId}/controls`,
    );
    expect(controls.body.actions[0]?.targets.map((t) => t.state).sort()).toEqual([
      'acknowledged',
      'not_reached',
    ]);
  });

  it('a teacher writes a message in Welsh and says so: it is sent marked as Welsh', async () => {
    const language = page.getByLabel('Written in');
    expect(await language.inputValue()).toBe('en');
    await page.getByLabel(/^Message to/).fill('Amser cinio!');
    await language.selectOption('cy');
    await page.getByRole('button', { name: 'Send message' }).click();
    await expect
      .poll(
        async () =>
          (
            await teacher.json<{
              actions: { kind: string; message: string | null; language: string | null }[];
            }>('GET', `/api/supervision/${sessionId}/controls`)
          ).body.actions.find((a) => a.message === 'Amser cinio!')?.language,
        { timeout: 15_000 },
      )
      .toBe('cy');
    // The form is ready for the next message; the language chosen stays for it.
    expect(await page.getByLabel(/^Message to/).inputValue()).toBe('');
    expect(await language.inputValue()).toBe('cy');
  });

  it('while the server is unreachable the room says so, claims no one online and turns the controls off', async () => {
    await server.stop();
    await page.getByTestId('room-unreachable').waitFor({ timeout: 20_000 });
    expect(await page.locator('.presence-online').count()).toBe(0);
    expect(await tile(page, 'PC01').textContent()).toContain('Not known');
    expect(await page.getByRole('button', { name: 'Eyes on me' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await server.start();
    await page.locator('.live-status-live').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('room-unreachable').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Eyes on me' }).isDisabled()).toBe(false);
  });
});
