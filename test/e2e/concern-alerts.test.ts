/**
 * Issue 16 items 1 and 3 in real Chromium against the built server: a teacher records a
 * concern through the dashboard; the DSL's open dashboard (two tabs) shows a banner that
 * stays on screen on a long page, a count in the navigation and a changed tab title; the
 * teacher's page confirms who received it and when; a teacher of another class and a
 * technician see nothing; acknowledging in one DSL tab clears the other; across a server
 * restart the banner comes back once, and a concern recorded while no DSL was looking
 * appears as soon as one opens the dashboard.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium, openPage, shareSession } from '../support/browser.js';
import { addStaff, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';

type Who = 'dsl' | 'teacher' | 'otherTeacher' | 'technician';
const people: Record<Who, { email: string; name: string; role: 'dsl' | 'teacher' | 'technician' }> = {
  dsl: { email: 'dsl@school.test', name: 'Mrs Patel', role: 'dsl' },
  teacher: { email: 'jones@school.test', name: 'Mr Jones', role: 'teacher' },
  otherTeacher: { email: 'evans@school.test', name: 'Mrs Evans', role: 'teacher' },
  technician: { email: 'tech@school.test', name: 'Dai Tech', role: 'technician' },
};

let server: ServerProcess;
let browser: Browser;
const clients = {} as Record<Who, ApiClient>;
const contexts: BrowserContext[] = [];

async function contextFor(who: Who): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 600 }, locale: 'en-GB' });
  await shareSession(context, clients[who], server.url);
  contexts.push(context);
  return context;
}

const open = (context: BrowserContext, path: string) => openPage(context, new URL(path, server.url));

const banner = (page: Page) => page.locator('.concern-alert');
const incidentsCount = (page: Page) => page.locator('.site-nav a[href="/incidents"] .nav-count');

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('concern-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  const admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  const ids = {} as Record<Who, string>;
  for (const [who, p] of Object.entries(people) as [Who, (typeof people)[Who]][]) {
    ({ id: ids[who], client: clients[who] } = await addStaff(admin, {
      email: p.email,
      displayName: p.name,
      role: p.role,
    }));
  }
  // Two classes, each with its teacher.
  for (const [room, who] of [
    ['Year 4 Willow', 'teacher'],
    ['Year 6 Oak', 'otherTeacher'],
  ] as const) {
    const r = await admin.createRoom(room);
    await admin.json('PUT', `/api/rooms/${r.id}/staff`, { userIds: [ids[who]] });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('a teacher records a concern in the dashboard', () => {
  let dslTab1: Page;
  let dslTab2: Page;
  let teacherPage: Page;
  let otherTeacherPage: Page;
  let technicianPage: Page;

  it('the DSL’s open dashboard shows a banner on screen, a count and a title; the teacher is told who received it', async () => {
    const dsl = await contextFor('dsl');
    dslTab1 = await open(dsl, '/rooms');
    dslTab2 = await open(dsl, '/devices');
    otherTeacherPage = await open(await contextFor('otherTeacher'), '/rooms');
    technicianPage = await open(await contextFor('technician'), '/devices');
    teacherPage = await open(await contextFor('teacher'), '/incidents');
    // The DSL has scrolled far down a long page: the banner must still be on screen.
    await dslTab1.evaluate(() => {
      document
        .querySelector('main')
        ?.append(Object.assign(document.createElement('div'), { style: 'height:4000px' }));
      window.scrollTo(0, document.body.scrollHeight);
    });

    const form = teacherPage.locator('form').filter({ hasText: 'Record the concern' });
    await form
      .getByLabel('What happened, in a few words')
      .fill('Pupil said an online friend asked for photos');
    await form.getByLabel('Pupil’s name').fill('Sam Secretname');
    await teacherPage
      .getByLabel('The pupil’s own words', { exact: false })
      .fill('He said keep it a secret from mum');
    const category = form.getByLabel('Category');
    // The school's categories, not one option.
    expect(await category.locator('option').count()).toBeGreaterThan(5);
    await category.selectOption({ label: 'Grooming' });
    await form.getByRole('button', { name: 'Record the concern' }).click();

    for (const tab of [dslTab1, dslTab2]) {
      await banner(tab).first().waitFor({ timeout: 15_000 });
      await expect.poll(() => banner(tab).count()).toBe(1);
      const text = (await banner(tab).textContent()) ?? '';
      expect(text).toContain('Grooming');
      expect(text).toContain('recorded by Mr Jones');
      // Read over a shoulder: never the pupil's name or words.
      expect(text).not.toMatch(/Secretname|secret from mum/);
      expect(await incidentsCount(tab).textContent()).toBe('1');
      expect(await tab.title()).toMatch(/^\(1\) New concern/);
    }
    const box = await banner(dslTab1).boundingBox();
    expect(box, 'the banner has a box').not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(600);

    const receipt = teacherPage.getByTestId('concern-receipt');
    await expect
      .poll(() => receipt.textContent(), { timeout: 15_000 })
      .toMatch(/^Received by the DSL, Mrs Patel, at \d\d:\d\d\./);
  });

  it('a teacher of another class and a technician get no banner and no count', async () => {
    for (const page of [otherTeacherPage, technicianPage]) {
      expect(await page.locator('.concern-alert, .alert-dock').count()).toBe(0);
      expect(await incidentsCount(page).count()).toBe(0);
      expect(await page.title()).not.toMatch(/concern/i);
    }
  });

  it('acknowledging in one DSL tab clears both, and the teacher sees who acknowledged it', async () => {
    await banner(dslTab2).getByRole('button', { name: 'Acknowledge' }).click();
    for (const tab of [dslTab1, dslTab2]) {
      await expect.poll(() => banner(tab).count(), { timeout: 15_000 }).toBe(0);
      expect(await incidentsCount(tab).count()).toBe(0);
      expect(await tab.title()).not.toMatch(/^\(/);
    }
    await expect
      .poll(() => teacherPage.getByTestId('concern-receipt').textContent(), { timeout: 15_000 })
      .toMatch(/Acknowledged by Mrs Patel at \d\d:\d\d\./);
  });

  it('across a server restart the banner comes back once, and a new concern joins it once', async () => {
    await clients.teacher.json('POST', '/api/incidents', {
      summary: 'Unkind messages',
      category: 'cyberbullying',
    });
    await expect.poll(() => banner(dslTab1).count(), { timeout: 15_000 }).toBe(1);
    await server.restart();
    await clients.teacher.json('POST', '/api/incidents', { summary: 'A game chat', category: 'gaming' });
    await expect.poll(() => banner(dslTab1).count(), { timeout: 30_000 }).toBe(2);
    // A moment more: nothing arrives twice.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await banner(dslTab1).count()).toBe(2);
    expect(await incidentsCount(dslTab1).textContent()).toBe('2');
  });

  it('a concern recorded while no DSL is looking appears as soon as one opens the dashboard', async () => {
    for (const tab of [dslTab1, dslTab2]) await tab.close();
    await clients.teacher.json('POST', '/api/incidents', {
      summary: 'Extremist video',
      category: 'extremism',
    });
    const later = await open(await contextFor('dsl'), '/rooms');
    await expect.poll(() => banner(later).count(), { timeout: 15_000 }).toBe(3);
    expect(await later.locator('.concern-alert-urgent').count()).toBe(1);
  });
});
