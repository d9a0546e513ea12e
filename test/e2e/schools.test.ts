/**
 * Issue 18 item 4, the dashboard's Schools UI, in real Chromium against the built server: a
 * trust-level admin renames the first school, creates a second (a duplicate code is refused in
 * plain words), then a room and an account in it; a trust-level DSL sees a School column and
 * filters the incidents by school. A school's admin sees no Schools link and no School select,
 * and the Schools page's address shows them a plain "not available"; a school's DSL sees the
 * incidents list as before, with no School column or filter.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium, StaffPages } from '../support/browser.js';
import { password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { axeViolations, overflowPx } from '../support/tour.js';
import { waitFor } from '../support/wait.js';

let server: ServerProcess;
let browser: Browser;
let admin: ApiClient;
const school = { a: 0, b: 0 };

let pages: StaffPages;
const open = (client: ApiClient, path: string): Promise<Page> => pages.open(client, path);

const status = (page: Page) => page.locator('main [role=status]').first();

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('schools-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  await admin.enrolSecondFactor();
  const schools = await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  school.a = schools.body.schools[0]!.id;
  browser = await launchChromium();
  pages = new StaffPages(browser, server.url);
});

afterAll(async () => {
  await pages?.close();
  await browser?.close();
  await server?.stop();
});

describe('a trust-level admin', () => {
  it('renames the first school and creates a second; a duplicate code is refused in plain words', async () => {
    const page = await open(admin, '/');
    await page.getByRole('navigation').getByRole('link', { name: 'Schools', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Schools' }).waitFor();
    const first = page.locator(`tr[data-school-id="${school.a}"]`);
    expect(await first.innerText()).toContain('School');

    await first.getByRole('button', { name: 'Change School' }).click();
    const edit = page.locator('section[aria-labelledby=edit-school]');
    await edit.getByLabel('School name').fill('Ash Primary');
    await edit.getByLabel('Code', { exact: false }).fill('ash');
    await edit.getByRole('button', { name: 'Save' }).click();
    await waitFor(async () => (await status(page).innerText()).includes('School “Ash Primary” saved.'), {
      what: 'the rename is confirmed',
    });
    expect(await first.innerText()).toContain('Ash Primary');

    const add = page.locator('section[aria-labelledby=add-school]');
    // The form's own check first: a code with a space never reaches the server.
    await add.getByLabel('School name').fill('Brook Primary');
    await add.getByLabel('Code', { exact: false }).fill('brook primary');
    await add.getByRole('button', { name: 'Create school' }).click();
    await add.locator('.field-problem').first().waitFor();
    expect(await add.locator('.field-problem').first().innerText()).toContain('1 to 32 letters');

    await add.getByLabel('Code', { exact: false }).fill('brook');
    await add.getByRole('button', { name: 'Create school' }).click();
    await waitFor(async () => (await status(page).innerText()).includes('School “Brook Primary” created.'), {
      what: 'the new school is confirmed',
    });
    const listed = await admin.json<{ schools: { id: number; name: string; code: string }[] }>(
      'GET',
      '/api/schools',
    );
    const brook = listed.body.schools.find((s) => s.code === 'brook');
    expect(brook?.name).toBe('Brook Primary');
    school.b = brook!.id;
    expect(listed.body.schools.find((s) => s.id === school.a)).toMatchObject({
      name: 'Ash Primary',
      code: 'ash',
    });

    // The same code again: the server's 409, said plainly, and nothing added.
    await add.getByLabel('School name').fill('Brook Again');
    await add.getByLabel('Code', { exact: false }).fill('brook');
    await add.getByRole('button', { name: 'Create school' }).click();
    const alert = add.locator('[role=alert]');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('There is already a school with the code "brook".');
    expect(await page.locator('tr[data-school-id]').count()).toBe(2);
    expect((await admin.json<{ schools: unknown[] }>('GET', '/api/schools')).body.schools).toHaveLength(2);
  });

  it('without a second factor in this sign-in, is offered the set-up instead of a refusal, and nothing is created', async () => {
    const made = await admin.json('POST', '/api/users', {
      email: 'admin2@school.test',
      displayName: 'Second Admin',
      role: 'admin',
      password,
      temporaryPassword: false,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const plain = new ApiClient(server.url);
    await plain.login('admin2@school.test', password);
    const page = await open(plain, '/schools');
    const add = page.locator('section[aria-labelledby=add-school]');
    await add.getByLabel('School name').fill('Cedar Primary');
    await add.getByLabel('Code', { exact: false }).fill('cedar');
    await add.getByRole('button', { name: 'Create school' }).click();
    await page.locator('#second-factor-prompt').waitFor();
    expect(await page.getByRole('link', { name: /set up/i }).count()).toBeGreaterThan(0);
    // Said in the page's own terms: a school is guarded, not "safeguarding records".
    const why = await page.locator('section.second-factor-prompt').innerText();
    expect(why).toContain('Adding or changing a school needs a sign-in with a second factor');
    expect(why).not.toContain('Safeguarding records');
    const names = (await admin.json<{ schools: { code: string }[] }>('GET', '/api/schools')).body.schools;
    expect(names.map((s) => s.code)).not.toContain('cedar');
  });

  it('creates a room and an account in the new school, and sees each one’s school', async () => {
    const rooms = await open(admin, '/rooms');
    const roomForm = rooms.locator('section', { has: rooms.locator('#add-room-heading') });
    await roomForm.getByLabel('Room name').fill('Brook Year 3');
    // Not choosing is refused by the form: a room is never put in a school by default.
    await roomForm.getByRole('button', { name: 'Create room' }).click();
    await roomForm.locator('.field-problem').first().waitFor();
    expect(await roomForm.locator('.field-problem').first().innerText()).toBe('Choose the school.');
    await roomForm.getByLabel('School', { exact: true }).selectOption({ label: 'Brook Primary' });
    await roomForm.getByRole('button', { name: 'Create room' }).click();
    await waitFor(async () => (await roomForm.innerText()).includes('Room “Brook Year 3” created.'), {
      what: 'the room is created',
    });
    const made = await admin.json<{ rooms: { id: string; name: string; schoolId: number }[] }>(
      'GET',
      '/api/rooms',
    );
    const room = made.body.rooms.find((r) => r.name === 'Brook Year 3');
    expect(room?.schoolId).toBe(school.b);
    expect(await rooms.locator(`li[data-room-id="${room!.id}"]`).innerText()).toContain('Brook Primary');

    const users = await open(admin, '/users');
    const form = users.locator('main form').first();
    await form.getByLabel('Email').fill('teacher.b@trust.test');
    await form.getByLabel('Name', { exact: true }).fill('Bryn Teacher');
    await form.getByLabel('Temporary password').fill(password);
    await form.getByRole('button', { name: 'Create account' }).click();
    await form.locator('.field-problem').first().waitFor();
    expect(await form.locator('.field-problem').first().innerText()).toBe('Choose the school.');
    const select = form.getByLabel('School', { exact: true });
    const options = await select.locator('option').allInnerTexts();
    expect(options).toEqual([
      'Choose a school',
      'Ash Primary',
      'Brook Primary',
      'Trust-level (every school)',
    ]);
    await select.selectOption({ label: 'Brook Primary' });
    await form.getByRole('button', { name: 'Create account' }).click();
    await waitFor(
      async () => (await status(users).innerText()).includes('Account created for Bryn Teacher'),
      {
        what: 'the account is created',
      },
    );
    const list = await admin.json<{ users: { id: string; email: string; schoolId: number | null }[] }>(
      'GET',
      '/api/users',
    );
    const bryn = list.body.users.find((u) => u.email === 'teacher.b@trust.test');
    expect(bryn?.schoolId).toBe(school.b);
    const row = users.locator(`tr[data-user-id="${bryn!.id}"]`);
    expect(await row.innerText()).toContain('Brook Primary');
    expect(await users.locator('tr', { hasText: 'admin@school.test' }).innerText()).toContain(
      'Trust-level (every school)',
    );

    // Moved to the other school from the account's panel; the list follows.
    await row.getByRole('button', { name: 'Sign-in help for Bryn Teacher' }).click();
    const panel = users.locator('section[aria-labelledby=manage-sign-in]');
    await panel.getByLabel('School', { exact: true }).selectOption({ label: 'Ash Primary' });
    await panel.getByRole('button', { name: 'Move' }).click();
    await waitFor(async () => (await panel.innerText()).includes('Bryn Teacher moved to Ash Primary.'), {
      what: 'the move is confirmed',
    });
    expect(await row.innerText()).toContain('Ash Primary');
    const after = await admin.json<{ users: { id: string; schoolId: number | null }[] }>('GET', '/api/users');
    expect(after.body.users.find((u) => u.id === bryn!.id)?.schoolId).toBe(school.a);
  });
});

describe('incidents by school, and a school’s own staff', () => {
  const staff = {} as Record<'adminB' | 'dslA' | 'dslB' | 'trustDsl', ApiClient>;

  beforeAll(async () => {
    if (school.b === 0) throw new Error('the second school was not created');
    const make = async (email: string, role: 'admin' | 'dsl', schoolId: number | null) =>
      (await admin.createStaff(email, role, password, schoolId)).client;
    staff.adminB = await make('admin.b@trust.test', 'admin', school.b);
    staff.dslA = await make('dsl.a@trust.test', 'dsl', school.a);
    staff.dslB = await make('dsl.b@trust.test', 'dsl', school.b);
    staff.trustDsl = await make('dsl.trust@trust.test', 'dsl', null);
    for (const [client, summary] of [
      [staff.dslA, 'A concern at Ash'],
      [staff.dslB, 'A concern at Brook'],
    ] as const) {
      const r = await client.json('POST', '/api/incidents', { summary });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });

  it('a trust-level DSL sees a School column and filters the incidents by school', async () => {
    const page = await open(staff.trustDsl, '/incidents');
    const table = page.locator('main table');
    await table.waitFor();
    expect(await table.locator('thead').innerText()).toContain('School');
    const ash = table.locator('tr', { hasText: 'A concern at Ash' });
    const brook = table.locator('tr', { hasText: 'A concern at Brook' });
    expect(await ash.innerText()).toContain('Ash Primary');
    expect(await brook.innerText()).toContain('Brook Primary');

    await page
      .getByRole('search')
      .getByLabel('School', { exact: true })
      .selectOption({ label: 'Brook Primary' });
    await waitFor(async () => (await ash.count()) === 0, { what: 'Ash’s incident leaves the list' });
    expect(await brook.count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('school')).toBe(String(school.b));
    expect(await page.getByTestId('incident-count').innerText()).toBe('1 incident');
  });

  it('a school’s DSL sees their incidents as before: no School column, no School filter', async () => {
    const page = await open(staff.dslB, '/incidents');
    const table = page.locator('main table');
    await table.waitFor();
    expect(await table.locator('tr', { hasText: 'A concern at Brook' }).count()).toBe(1);
    expect(await table.locator('tr', { hasText: 'A concern at Ash' }).count()).toBe(0);
    expect(await table.locator('thead').innerText()).not.toContain('School');
    expect(await page.getByRole('search').getByLabel('School', { exact: true }).count()).toBe(0);
    // Naming the other school in the address changes nothing: the server keeps them to theirs.
    const other = await open(staff.dslB, `/incidents?school=${school.a}`);
    await other.getByRole('button', { name: 'Clear the filters' }).waitFor();
    expect(await other.locator('main').innerText()).not.toContain('A concern at Ash');
  });

  it('the pages with a School column or select pass axe and fit a 1024 px window (the tour has one school)', async () => {
    const problems: string[] = [];
    for (const [client, path] of [
      [admin, '/schools'],
      [admin, '/users'],
      [admin, '/rooms'],
      [staff.trustDsl, `/incidents?school=${school.b}`],
    ] as const) {
      const page = await open(client, path);
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.locator('main select, main table').first().waitFor();
      for (const v of await axeViolations(page)) problems.push(`${path}: ${v}`);
      const over = await overflowPx(page);
      if (over > 0) problems.push(`${path}: ${over} px wider than the window`);
    }
    expect(problems).toEqual([]);
  });

  it('a school’s admin sees no Schools link and no School select, and the page’s address says plainly it is not theirs', async () => {
    const home = await open(staff.adminB, '/users');
    await home.locator('main form').first().waitFor();
    expect(await home.getByRole('navigation').getByRole('link', { name: 'Users' }).count()).toBe(1);
    expect(await home.getByRole('navigation').getByRole('link', { name: 'Schools' }).count()).toBe(0);
    expect(await home.locator('main select[name=schoolId]').count()).toBe(0);
    expect(await home.locator('main table thead').innerText()).not.toContain('School');

    const rooms = await open(staff.adminB, '/rooms');
    await rooms.getByRole('button', { name: 'Create room' }).waitFor();
    expect(await rooms.locator('main select[name=schoolId]').count()).toBe(0);
    expect(await rooms.locator('.room-card-school').count()).toBe(0);

    const schools = await open(staff.adminB, '/schools');
    expect(await schools.locator('h1').innerText()).toBe('Not available');
    expect(await schools.locator('main').innerText()).toContain(
      'Only the trust’s administrators manage its schools.',
    );
    expect(await schools.locator('main form, main table').count()).toBe(0);
  });
});
