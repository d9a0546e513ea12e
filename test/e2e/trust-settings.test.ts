/**
 * Issue 18 item 4, in real Chromium against the built server: in a trust of two schools, a
 * school's admin and DSL see the settings that apply to every school read-only, with a one-line
 * note, instead of forms that fail on save; trust-level staff see them as before.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { launchChromium, StaffPages } from '../support/browser.js';
import { password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';

const note = 'These settings apply to every school in the trust: only trust-level staff can change them.';

let server: ServerProcess;
let browser: Browser;
let admin: ApiClient;
const staff = {} as Record<'adminB' | 'dslB' | 'trustDsl', ApiClient>;

async function make(email: string, role: 'admin' | 'dsl', schoolId: number | null): Promise<ApiClient> {
  return (await admin.createStaff(email, role, password, schoolId)).client;
}

let pages: StaffPages;
const open = (client: ApiClient, path: string): Promise<Page> => pages.open(client, path);

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('trust-settings-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  await admin.enrolSecondFactor();
  const b = await admin.json<{ id: number }>('POST', '/api/schools', {
    name: 'Brook Primary',
    code: 'brook',
  });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  staff.adminB = await make('admin.b@trust.test', 'admin', b.body.id);
  staff.dslB = await make('dsl.b@trust.test', 'dsl', b.body.id);
  staff.trustDsl = await make('dsl.trust@trust.test', 'dsl', null);
  const entry = await admin.json('POST', '/api/watchlists/entries', {
    kind: 'keyword',
    pattern: 'Volcano Danger',
    category: 'violence',
    severity: 'high',
  });
  expect(entry.status).toBe(201);
  browser = await launchChromium();
  pages = new StaffPages(browser, server.url);
});

afterAll(async () => {
  await pages?.close();
  await browser?.close();
  await server?.stop();
});

describe('settings that apply to every school', () => {
  it('Safeguarding settings: read-only with the note for a school’s DSL, editable for a trust-level DSL', async () => {
    const page = await open(staff.dslB, '/safeguarding');
    const categories = page.getByLabel('Categories', { exact: false }).first();
    await categories.waitFor();
    expect(await page.locator('main .notice').innerText()).toBe(note);
    expect(await categories.isDisabled()).toBe(true);
    for (const button of await page
      .locator('main section.panel:not([data-testid=school-settings] *) button')
      .all())
      if (!(await button.innerText()).includes('Check')) expect(await button.isDisabled()).toBe(true);
    // The staff PIN, release and email are the school's own (or the trust's), and theirs to set.
    const own = page.locator('[data-testid=school-settings]');
    expect(await own.getByRole('button', { name: 'Set PIN' }).isDisabled()).toBe(false);
    expect(await own.getByTestId('setting-source').first().innerText()).toContain('From the trust');
    // The trail check is not a setting: it stays open.
    expect(await page.getByRole('button', { name: /check the trail/i }).isDisabled()).toBe(false);

    const trust = await open(staff.trustDsl, '/safeguarding');
    const editable = trust.getByLabel('Categories', { exact: false }).first();
    await editable.waitFor();
    expect(await trust.locator('main .notice').count()).toBe(0);
    expect(await editable.isDisabled()).toBe(false);
  });

  it('watch lists, AUP policies, supervision and sign-in settings: read-only for a school’s admin', async () => {
    const lists = await open(staff.adminB, '/watchlists');
    await lists
      .getByRole('button', { name: /remove/i })
      .first()
      .waitFor();
    expect(await lists.locator('main .notice').innerText()).toBe(note);
    for (const control of await lists.locator('main input, main select, main textarea, main button').all())
      expect(await control.isDisabled()).toBe(true);

    const policies = await open(staff.adminB, '/aup/policies');
    await policies.locator('main form').last().waitFor();
    expect(await policies.locator('main .notice').innerText()).toBe(note);
    for (const control of await policies.locator('main form :is(input, select, textarea, button)').all())
      expect(await control.isDisabled()).toBe(true);

    const supervision = await open(staff.adminB, '/supervision');
    const thumbnails = supervision.locator('#settings-heading ~ fieldset input[type=checkbox]');
    await thumbnails.waitFor();
    expect(await supervision.locator('main .notice').innerText()).toBe(note);
    expect(await thumbnails.isDisabled()).toBe(true);

    const users = await open(staff.adminB, '/users');
    const everyone = users.locator('section[aria-labelledby=sign-in-settings] input[type=checkbox]');
    await everyone.waitFor();
    expect(await everyone.isDisabled()).toBe(true);
    for (const control of await users
      .locator('section[aria-labelledby=sso-title] :is(input, select, textarea, button)')
      .all())
      expect(await control.isDisabled()).toBe(true);
    // Their own school's accounts are still theirs to manage.
    expect(await users.locator('main form').first().locator('button[type=submit]').isDisabled()).toBe(false);
  });
});
