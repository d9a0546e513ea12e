/**
 * The Classes page (issue 17, item 5) in real Chromium against the built server, with a real
 * OneRoster import: the empty page says how to import a roster; admins give a class its room
 * (saving says so; a refusal is shown on the field and changes nothing); a class's teacher
 * starts supervising it from the home page; a teacher of another class sees no way to, and the
 * server refuses them. At 1440, 1024 and 390 px, with axe-core (no violation of any impact),
 * no page wider than the window and no word broken across lines, with a 200-character class
 * name (the longest the import takes) and a class of 200 pupils.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterClass, SupervisionSession } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { launchChromium, openPage, shareSession } from '../support/browser.js';
import { addStaff, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { rosterFiles, sampleRoster, uploadRoster, type RosterSpec } from '../support/roster.js';
import { signInUi } from '../support/sign-in.js';
import { axeViolations, overflowPx, widths, type Width } from '../support/tour.js';

/** The longest class name an import takes (200 characters), in ordinary words: lines break only between them. */
const longName = (() => {
  const words =
    'The Year Six class of Harbour Primary that goes on the residential trip to the coast in spring'.split(
      ' ',
    );
  const out: string[] = [];
  for (let i = 0; out.join(' ').length < 200; i++) out.push(words[i % words.length]!);
  return out.join(' ').slice(0, 200).trim();
})();

/** The sample school, a class that will leave, and a big Year 6 class with a very long name. */
function school(withLeaving: boolean): RosterSpec {
  const spec = sampleRoster();
  spec.classes.push({ id: 'c-6', title: longName, grades: '6' });
  for (let i = 1; i <= 200; i++) {
    const id = `p-6-${i}`;
    spec.pupils.push({ id, given: `Pupil${i}`, family: 'Six', grades: '6', username: `six${i}` });
    spec.enrolments.push(['c-6', id, 'student']);
  }
  spec.enrolments.push(['c-6', 't-2', 'teacher']);
  if (withLeaving) {
    spec.classes.push({ id: 'c-3', title: 'Year 3 Wrens', grades: '3' });
    spec.enrolments.push(['c-3', 't-2', 'teacher']);
  }
  return spec;
}

let server: ServerProcess;
let browser: Browser;
let admin: ApiClient;
let teacher: ApiClient;
let other: ApiClient;
const rooms: Record<string, string> = {};
const contexts: BrowserContext[] = [];

async function contextFor(client: ApiClient | null, size: Width): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: 'en-GB',
    reducedMotion: 'reduce',
  });
  if (client) await shareSession(context, client, server.url);
  contexts.push(context);
  return context;
}

const open = (context: BrowserContext, path: string) => openPage(context, new URL(path, server.url));
const classes = async (client: ApiClient) =>
  (await client.json<{ classes: RosterClass[] }>('GET', '/api/classes')).body.classes;
const row = (page: Page, name: string) =>
  page.locator('main tbody tr').filter({ has: page.getByRole('rowheader', { name }) });

/** Every word in the page's main part that the layout split across two lines. */
function wordsBrokenMidway(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const main = document.querySelector('main');
    if (!main) return ['(no main)'];
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      // Text only screen readers get is laid out in a 1 px box: every word "wraps" there.
      if (!parent || parent.closest('.visually-hidden, thead, option') || parent.offsetWidth <= 1) continue;
      const text = node.textContent ?? '';
      for (const m of text.matchAll(/[^\s\-–—/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(
          Array.from(range.getClientRects() as unknown as ArrayLike<DOMRect>)
            .filter((r) => r.width > 0)
            .map((r) => Math.round(r.top)),
        );
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    return broken;
  });
}

async function expectSound(page: Page, what: string): Promise<void> {
  expect(await overflowPx(page), `${what}: wider than the window`).toBe(0);
  expect(await wordsBrokenMidway(page), `${what}: words broken across lines`).toEqual([]);
  expect(await axeViolations(page), `${what}: axe`).toEqual([]);
}

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('classes-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  // The sample roster's teachers: Tess teaches Year 5 Owls, Mr Other Year 2 Robins and Year 6.
  teacher = (
    await addStaff(admin, { email: 'teacher@school.test', displayName: 'Tess Teacher', role: 'teacher' })
  ).client;
  other = (await addStaff(admin, { email: 'other@school.test', displayName: 'Mr Other', role: 'teacher' }))
    .client;
  for (const name of ['Owls classroom', 'Robins classroom', 'ICT suite'])
    rooms[name] = (await admin.createRoom(name)).id;
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the Classes page', () => {
  it('before any roster is imported, says how to import one', async () => {
    const page = await open(await contextFor(admin, widths[0]), '/classes');
    const empty = page.locator('main .empty');
    await empty.waitFor();
    expect(await empty.innerText()).toMatch(/OneRoster/);
    const link = empty.getByRole('link', { name: 'Import the roster' });
    expect(await link.getAttribute('href')).toBe('/pupils');
    await expectSound(page, 'empty, admin');
    const teacherPage = await open(await contextFor(teacher, widths[2]), '/classes');
    await teacherPage.locator('main .empty').waitFor();
    expect(await teacherPage.locator('main .empty').innerText()).toMatch(/administrator imports/);
    await expectSound(teacherPage, 'empty, teacher');

    // Imported as a school does (the roster has no rooms: every class starts without one).
    expect((await uploadRoster(admin, rosterFiles(school(true)))).status).toBe(200);
    expect((await classes(admin)).every((c) => c.roomId === null)).toBe(true);
  });

  it.each(widths)(
    'lists every class for an admin at $width px: a table, or cards on a phone',
    async (size) => {
      const page = await open(await contextFor(admin, size), '/classes');
      await page.locator('main tbody tr').first().waitFor();
      expect(await page.locator('main tbody tr').count()).toBe(4);
      const owls = row(page, 'Year 5 Owls');
      expect(await owls.innerText()).toContain('Year 5');
      expect(await owls.innerText()).toContain('Tess Teacher');
      expect(await owls.innerText()).toContain('2 pupils');
      const big = row(page, longName);
      expect(await big.innerText()).toContain('200 pupils');
      expect(await big.innerText()).toContain('Year 6');
      // Plain labels, never the stored ids.
      expect(await page.locator('main').innerText()).not.toMatch(/\b(Y[1-6]|ks[12]|KS[12])\b/);
      const display = await page
        .locator('main tbody td')
        .first()
        .evaluate((td) => getComputedStyle(td).display);
      expect(display).toBe(size.width >= 1024 ? 'table-cell' : 'block');
      // A select of rooms for each class, named for the class.
      expect(await page.getByLabel('Room for Year 5 Owls').locator('option').allInnerTexts()).toEqual([
        'No room yet',
        'ICT suite',
        'Owls classroom',
        'Robins classroom',
      ]);
      expect(await page.getByRole('link', { name: 'Classes' }).count()).toBe(1);
      await expectSound(page, `admin at ${size.width}`);
    },
  );

  it('an admin gives a class its room: saved, said plainly, and its teacher may supervise there', async () => {
    const page = await open(await contextFor(admin, widths[0]), '/classes');
    const owls = row(page, 'Year 5 Owls');
    await owls.getByLabel('Room for Year 5 Owls').selectOption({ label: 'Owls classroom' });
    await owls.getByRole('button', { name: /Save/ }).click();
    await expect
      .poll(() => owls.getByRole('status').innerText())
      .toBe('Saved. Year 5 Owls is taught in Owls classroom; its teachers may now supervise that room.');
    expect(await owls.innerText()).toContain('Saved room: Owls classroom');
    expect((await classes(admin)).find((c) => c.name === 'Year 5 Owls')?.roomId).toBe(
      rooms['Owls classroom'],
    );
    // Its teacher may now use the room; the other teacher may not.
    const overview = async (client: ApiClient) =>
      (
        await client.json<{ rooms: { id: string; mine: boolean }[] }>('GET', '/api/rooms/overview')
      ).body.rooms.find((r) => r.id === rooms['Owls classroom'])?.mine;
    expect(await overview(teacher)).toBe(true);
    expect(await overview(other)).toBe(false);
    await expectSound(page, 'after saving');
  });

  it('a refusal is shown in plain words on the field, and changes nothing', async () => {
    const page = await open(await contextFor(admin, widths[1]), '/classes');
    const wrens = row(page, 'Year 3 Wrens');
    await wrens.waitFor();
    // Meanwhile the next export no longer has the class: the server refuses to place it.
    expect((await uploadRoster(admin, rosterFiles(school(false)))).status).toBe(200);
    const select = wrens.getByLabel('Room for Year 3 Wrens');
    await select.selectOption({ label: 'ICT suite' });
    await wrens.getByRole('button', { name: /Save/ }).click();
    const alert = wrens.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/could not be found[\s\S]*Class not found/);
    expect(await select.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await select.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy.split(' ')[1]}"]`).innerText()).toContain(
      'Class not found',
    );
    // What is saved is unchanged, and says so; the choice stays to try again.
    expect(await wrens.innerText()).toContain('Saved room: No room yet');
    expect(await select.inputValue()).toBe(rooms['ICT suite']);
    expect(await wrens.locator('[role="status"]').textContent()).toBe('');
    await expectSound(page, 'after a refusal');
    // The class comes back in a later export: still without a room.
    expect((await uploadRoster(admin, rosterFiles(school(true)))).status).toBe(200);
    expect((await classes(admin)).find((c) => c.name === 'Year 3 Wrens')?.roomId).toBeNull();
  });
});

describe('a teacher and their classes', () => {
  it.each(widths)(
    'at $width px a teacher sees only their own classes, without a room select',
    async (size) => {
      const page = await open(await contextFor(teacher, size), '/classes');
      await page.locator('main tbody tr').first().waitFor();
      expect(await page.locator('main tbody tr').count()).toBe(1);
      const owls = row(page, 'Year 5 Owls');
      expect(await owls.innerText()).toContain('Owls classroom');
      expect(await page.locator('main select').count()).toBe(0);
      expect(await owls.getByRole('button', { name: 'Start supervising Year 5 Owls' }).count()).toBe(1);
      await expectSound(page, `teacher at ${size.width}`);
      const home = await open(page.context(), '/');
      await home.locator('#home-classes-heading').waitFor();
      await home.getByRole('button', { name: 'Start supervising Year 5 Owls' }).waitFor();
      await expectSound(home, `teacher's home at ${size.width}`);
    },
  );

  it('starts supervising their class from the home page, and sees its room supervised', async () => {
    const context = await contextFor(null, widths[2]);
    const page = await context.newPage();
    await signInUi(page, 'teacher@school.test', password, { url: server.url });
    await page.getByRole('button', { name: 'Start supervising Year 5 Owls' }).click();
    await page.waitForURL(`**/rooms/${rooms['Owls classroom']}`);
    await page.getByRole('heading', { name: /Supervised by Tess Teacher/ }).waitFor();
    const running = (await admin.json<{ sessions: SupervisionSession[] }>('GET', '/api/supervision')).body
      .sessions;
    expect(running.map((s) => s.roomId)).toEqual([rooms['Owls classroom']]);
    await expectSound(page, 'the class’s room, supervised');
    await teacher.json('POST', `/api/supervision/${running[0]!.id}/end`);
  });

  it('a teacher of another class has no button for it, and the server refuses them', async () => {
    const page = await open(await contextFor(other, widths[1]), '/classes');
    await page.locator('main tbody tr').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('Year 5 Owls');
    expect(await page.getByRole('button', { name: /Start supervising Year 5 Owls/ }).count()).toBe(0);
    // Their own classes have no room yet: no button, a plain word of who sets it.
    expect(await row(page, 'Year 2 Robins').innerText()).toContain('an administrator or the DSL');
    const home = await open(page.context(), '/');
    await home.locator('#home-classes-heading').waitFor();
    expect(await home.locator('main').innerText()).not.toContain('Year 5 Owls');

    const owls = (await classes(admin)).find((c) => c.name === 'Year 5 Owls')!;
    const refused = await other.json<{ error: { code: string } }>('POST', '/api/supervision', {
      classId: owls.id,
    });
    expect(refused.status).toBe(403);
    const put = await other.json('PUT', `/api/classes/${owls.id}/room`, { roomId: rooms['ICT suite'] });
    expect(put.status).toBe(403);
    expect((await admin.json<{ sessions: unknown[] }>('GET', '/api/supervision')).body.sessions).toEqual([]);
    expect((await classes(admin)).find((c) => c.id === owls.id)?.roomId).toBe(rooms['Owls classroom']);
  });
});
