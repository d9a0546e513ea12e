/**
 * Issue 16 item 3 in real Chromium: a pupil's "tell" reaches the teacher watching the room
 * and the DSL with a banner that stays on screen however far the page is scrolled, a tab
 * title that says so, the computer's tile marked, a desktop notification that names no
 * pupil (offered once, from a click) and, where the browser blocked sound, one button to
 * turn it on. A teacher of another class and a technician get none of it.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium, openPage, shareSession } from '../support/browser.js';
import { addStaff, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { agentSocket, connected, type AgentSocket } from '../support/sockets.js';

type Who = 'dsl' | 'teacher' | 'otherTeacher' | 'technician';
const people: Record<Who, { email: string; name: string; role: 'dsl' | 'teacher' | 'technician' }> = {
  dsl: { email: 'dsl@school.test', name: 'Mrs Patel', role: 'dsl' },
  teacher: { email: 'jones@school.test', name: 'Mr Jones', role: 'teacher' },
  otherTeacher: { email: 'evans@school.test', name: 'Mrs Evans', role: 'teacher' },
  technician: { email: 'tech@school.test', name: 'Dai Tech', role: 'technician' },
};

let server: ServerProcess;
let browser: Browser;
let agent: AgentSocket;
let roomId: string;
let otherRoomId: string;
const clients = {} as Record<Who, ApiClient>;
const contexts: BrowserContext[] = [];

/**
 * Headless Chromium always lets a page play sound and never asks about notifications, so
 * for the adult whose browser would block both, the page is given the two rules a headed
 * Chromium applies: an AudioContext stays suspended until the page has been clicked, and
 * notification permission starts undecided (asking is recorded and refused).
 */
async function strictBrowserRules(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    // Playwright's own calls count as user activation, so a real click is what allows sound.
    let clicked = false;
    window.addEventListener('click', (e) => (clicked ||= e.isTrusted), { capture: true });
    const Real = window.AudioContext;
    class Strict extends Real {
      private allowed = false;
      constructor() {
        super();
        void super.suspend();
      }
      override get state(): AudioContextState {
        return this.allowed ? super.state : 'suspended';
      }
      override resume(): Promise<void> {
        const allow = () => {
          this.allowed = true;
          return super.resume();
        };
        if (clicked) return allow();
        return new Promise((resolve) =>
          window.addEventListener('click', () => void allow().then(resolve), { once: true }),
        );
      }
    }
    Object.defineProperty(window, 'AudioContext', { value: Strict });
    const asked: string[] = [];
    (window as unknown as { asked: string[] }).asked = asked;
    Object.defineProperty(Notification, 'permission', { get: () => 'default' });
    Object.defineProperty(Notification, 'requestPermission', {
      value: () => {
        asked.push('notifications');
        return Promise.resolve('denied');
      },
    });
  });
}

async function contextFor(who: Who, permissions: string[] = []): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1024, height: 600 },
    locale: 'en-GB',
    permissions,
  });
  await shareSession(context, clients[who], server.url);
  // Record every desktop notification the page makes (what a notification daemon would show).
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: { title: string; body: string; tag: string }[] = [];
    (window as unknown as { shown: typeof shown }).shown = shown;
    class Recording extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recording });
  });
  contexts.push(context);
  return context;
}

const open = (context: BrowserContext, path: string) => openPage(context, new URL(path, server.url));

const tellBanner = (page: Page) => page.locator('.tell-alert');

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('tell-banner-e2e'), {
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
  roomId = (await admin.createRoom('Year 4 Willow')).id;
  otherRoomId = (await admin.createRoom('Year 6 Oak')).id;
  await admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [ids.teacher] });
  await admin.json('PUT', `/api/rooms/${otherRoomId}/staff`, { userIds: [ids.otherTeacher] });
  const { token } = await admin.createToken(roomId);
  const enrolled = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    hostname: 'WILLOW-PC01',
    os: 'Linux test',
    serial: null,
    agentVersion: '0.1.0',
  });
  expect(enrolled.status).toBe(201);
  agent = await connected(
    agentSocket(server.url, {
      deviceId: enrolled.body.deviceId,
      credential: enrolled.body.credential,
      agentVersion: '0.1.0',
    }),
  );
  browser = await launchChromium();
});

afterAll(async () => {
  agent?.close();
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('a pupil asks for help', () => {
  let teacherPage: Page;
  let dslPage: Page;
  let mutedPage: Page;
  let otherTeacherPage: Page;
  let technicianPage: Page;

  it('the room’s teacher and the DSL see it on screen, in the title and on the tile; nobody else does', async () => {
    teacherPage = await open(await contextFor('teacher', ['notifications']), `/rooms/${roomId}`);
    await teacherPage.locator('[data-device-id]').first().waitFor();
    dslPage = await open(await contextFor('dsl'), '/devices');
    const muted = await contextFor('dsl');
    await strictBrowserRules(muted);
    mutedPage = await open(muted, '/rooms');
    otherTeacherPage = await open(await contextFor('otherTeacher'), `/rooms/${otherRoomId}`);
    technicianPage = await open(await contextFor('technician'), `/rooms/${roomId}`);
    for (const page of [teacherPage, dslPage]) {
      await page.evaluate(() => {
        document
          .querySelector('main')
          ?.append(Object.assign(document.createElement('div'), { style: 'height:4000px' }));
        window.scrollTo(0, document.body.scrollHeight);
      });
    }

    const ack = await agent.emitWithAck('agent:event', {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      body: {
        type: 'tell.reported',
        tellId: randomUUID(),
        user: { username: 'sam.p', displayName: 'Sam Pupil' },
        evidence: [],
        displays: [],
        window: null,
        captureError: null,
      } as never,
    });
    expect(ack).toMatchObject({ ok: true });

    for (const page of [teacherPage, dslPage]) {
      await tellBanner(page).first().waitFor({ timeout: 15_000 });
      const box = await tellBanner(page).first().boundingBox();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(600);
      expect(await page.title()).toMatch(/^\(\d\) Asking for help/);
    }
    await expect
      .poll(() => teacherPage.getByTestId('tile-help').textContent())
      .toBe('Asked for help: screen covered');
    // The teacher allowed notifications: one, naming the room and never the pupil.
    const shown = await teacherPage.evaluate(
      () => (window as unknown as { shown: { title: string; body: string }[] }).shown,
    );
    expect(shown).toHaveLength(1);
    expect(JSON.stringify(shown)).toContain('Year 4 Willow');
    expect(JSON.stringify(shown)).not.toMatch(/Sam|sam\.p/);

    for (const page of [otherTeacherPage, technicianPage]) {
      expect(await page.locator('.alert-dock, .tell-alert').count()).toBe(0);
      expect(await page.getByTestId('tile-help').count()).toBe(0);
      expect(await page.title()).not.toMatch(/help/i);
    }
  });

  it('where sound was blocked, the DSL is offered one button to turn it on, and desktop notifications once', async () => {
    await tellBanner(mutedPage).first().waitFor({ timeout: 15_000 });
    const turnOn = mutedPage.getByRole('button', { name: 'Turn on sound' });
    await turnOn.waitFor({ timeout: 10_000 });
    await turnOn.click();
    await expect.poll(() => turnOn.count(), { timeout: 10_000 }).toBe(0);

    const offer = mutedPage.getByRole('button', { name: 'Also tell me with desktop notifications' });
    expect(await offer.count()).toBe(1);
    await offer.click();
    expect(await offer.count()).toBe(0);
    expect(await mutedPage.evaluate(() => (window as unknown as { asked: string[] }).asked)).toEqual([
      'notifications',
    ]);
    // Asked once: not again after a reload.
    await mutedPage.reload();
    await tellBanner(mutedPage).first().waitFor();
    expect(await offer.count()).toBe(0);
    expect(await mutedPage.evaluate(() => (window as unknown as { asked: string[] }).asked)).toEqual([]);
  });

  it('acknowledging marks the tile "on the way"; releasing clears the banner and the title', async () => {
    await tellBanner(teacherPage).getByRole('button', { name: 'I’m on my way' }).click();
    await expect
      .poll(() => teacherPage.getByTestId('tile-help').textContent(), { timeout: 15_000 })
      .toBe('Asked for help: an adult is on the way');
    await tellBanner(dslPage).getByRole('button', { name: 'Release the screen' }).click();
    for (const page of [teacherPage, dslPage]) {
      await expect.poll(() => tellBanner(page).count(), { timeout: 15_000 }).toBe(0);
    }
    expect(await teacherPage.getByTestId('tile-help').count()).toBe(0);
    expect(await teacherPage.title()).not.toMatch(/help/i);
  });
});
