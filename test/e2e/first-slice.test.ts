import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';

// The first slice end to end, as a newcomer does it: set up Harbour, create a room and
// an enrolment token in the dashboard, enrol a real headless agent, and watch it live.

let server: ServerProcess;
let browser: Browser;
let page: Page;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('e2e-server'));
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await browser?.close();
  await server?.stop();
});

const tile = (name: string) =>
  page.getByRole('list', { name: 'Devices' }).getByRole('listitem').filter({ hasText: name });

describe('first slice: an agent comes online in a room and a teacher sees it live', () => {
  let token = '';
  let roomUrl = '';
  const agentData = tempDir('e2e-agent');

  it('first run asks for the administrator and signs them in', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Set up Harbour' }).waitFor();
    await page.getByLabel('Email').fill('head@oakfield.sch.test');
    await page.getByLabel('Your name').fill('Ms Head');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    // A weak password is refused clearly, and what was typed is kept.
    await page
      .getByRole('alert')
      .filter({ hasText: /12 characters/ })
      .waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe('head@oakfield.sch.test');

    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    // Signed in, the administrator starts on their home page, then opens Rooms.
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
  });

  it('creates a room', async () => {
    await page.getByLabel('Room name').fill('Year 4 Oak');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByRole('link', { name: 'Year 4 Oak' }).click();
    await page.getByRole('heading', { name: 'Year 4 Oak', level: 1 }).waitFor();
    roomUrl = page.url();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  it('creates an enrolment token for the room', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Enrolment' }).click();
    await page.getByRole('heading', { name: 'Enrol devices' }).waitFor();
    await page.getByLabel('Room').selectOption({ label: 'Year 4 Oak' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    token = (await shown.textContent())?.trim() ?? '';
    expect(token).toMatch(/^het_[A-Za-z0-9_-]{43}$/);
  });

  it('a headless agent enrols and appears live, without a reload', async () => {
    await page.goto(roomUrl);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { noReload: boolean }).noReload = true;
    });
    agents.push(new AgentProcess({ server: server.url, token, dataDir: agentData, name: 'OAK-PC-01' }));
    await tile('OAK-PC-01').filter({ hasText: 'Online' }).waitFor({ timeout: 15_000 });
    await tile('OAK-PC-01').filter({ hasText: os.userInfo().username }).waitFor();
    await page.screenshot({ path: 'test-results/room-live.png', fullPage: true });
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  });

  it('goes offline live when the agent is killed', async () => {
    await agents.pop()?.kill('SIGKILL');
    await tile('OAK-PC-01').filter({ hasText: 'Offline' }).waitFor({ timeout: 10_000 });
  });

  it('comes back when the agent restarts, and again after the server restarts', async () => {
    agents.push(new AgentProcess({ server: server.url, dataDir: agentData, name: 'OAK-PC-01' }));
    await tile('OAK-PC-01').filter({ hasText: 'Online' }).waitFor({ timeout: 15_000 });

    await server.stop('SIGTERM');
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 10_000 });
    await server.start();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 20_000 });
    await tile('OAK-PC-01').filter({ hasText: 'Online' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    // Still one device: the restarted agent reused its credential.
    expect(await tile('OAK-PC-01').count()).toBe(1);
  });
});
