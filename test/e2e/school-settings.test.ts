/**
 * Issue 18 (trust structure), a school's own safeguarding settings in the web app, in real
 * Chromium against the built server: a school's DSL saves their school's own staff PIN, mail
 * server and release rule, sees each as "the school's own" after a reload and clears one back to
 * the trust's; trust-level staff pick a school, set its own PIN, and the other school still says
 * "the trust's"; the API agrees. With one school there is no picker. A school's DSL is never
 * offered another school, and the server, not the page, is what refuses them it (403).
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SafeguardingSettings } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { launchChromium, openPage, shareSession, StaffPages } from '../support/browser.js';
import { password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { axeViolations } from '../support/tour.js';
import { waitFor } from '../support/wait.js';

let server: ServerProcess;
let browser: Browser;
let admin: ApiClient;
const school = { a: 0, b: 0 };
const staff = {} as Record<'dslA' | 'trustDsl', ApiClient>;

let pages: StaffPages;
const open = (client: ApiClient, path: string): Promise<Page> => pages.open(client, path);

/** The page's live region says `text` (the saved/failed message). */
const says = (page: Page, text: string) =>
  waitFor(async () => (await page.locator('main [role=status]').first().innerText()).includes(text), {
    what: `the page says “${text}”`,
  });

/** Whether each of the panel's values is the school's own or the trust's, in the panel's order. */
const sources = async (panel: Locator) => {
  const all = await panel.getByTestId('setting-source').allInnerTexts();
  return all.map((s) => (/school’s own setting/.test(s) ? 'own' : /^From the trust/.test(s) ? 'trust' : s));
};

const settings = (client: ApiClient, id: number) =>
  client.json<SafeguardingSettings>('GET', `/api/safeguarding/schools/${id}/settings`);

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('school-settings-e2e'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  await admin.enrolSecondFactor();
  const schools = await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  school.a = schools.body.schools[0]!.id;
  const renamed = await admin.json('PATCH', `/api/schools/${school.a}`, { name: 'Ash Primary', code: 'ash' });
  expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
  staff.trustDsl = (await admin.createStaff('dsl.trust@trust.test', 'dsl', password, null)).client;
  browser = await launchChromium();
  pages = new StaffPages(browser, server.url);
});

afterAll(async () => {
  await pages?.close();
  await browser?.close();
  await server?.stop();
});

describe('a trust of one school', () => {
  it('shows no school picker and no school panel: the page is as before', async () => {
    const page = await open(staff.trustDsl, '/safeguarding');
    await page.getByRole('button', { name: 'Save email settings' }).waitFor();
    expect(await page.getByLabel('School', { exact: true }).count()).toBe(0);
    expect(await page.getByTestId('school-settings').count()).toBe(0);
    // The trust's own mail server, through the one form both panels use.
    await page.getByLabel('SMTP server').fill('smtp.trust.test');
    await page.getByLabel('From address').fill('harbour@trust.test');
    await page.getByLabel('Send to (comma-separated)').fill(' dsl@trust.test ,, ');
    await page.getByRole('button', { name: 'Save email settings' }).click();
    await says(page, 'Email settings saved.');
    const trust = await staff.trustDsl.json<SafeguardingSettings>('GET', '/api/safeguarding/settings');
    expect(trust.body.smtp).toMatchObject({
      host: 'smtp.trust.test',
      port: 587,
      secure: false,
      from: 'harbour@trust.test',
      to: ['dsl@trust.test'],
    });
  });
});

describe('a trust of two schools', () => {
  beforeAll(async () => {
    const b = await admin.json<{ id: number }>('POST', '/api/schools', {
      name: 'Brook Primary',
      code: 'brook',
    });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    school.b = b.body.id;
    staff.dslA = (await admin.createStaff('dsl.a@trust.test', 'dsl', password, school.a)).client;
    // The trust's own PIN (its mail server is the one set above), so "the trust's" is a value.
    expect((await staff.trustDsl.json('PUT', '/api/safeguarding/staff-pin', { pin: '1357' })).status).toBe(
      200,
    );
  });

  it('a school’s DSL saves their school’s own PIN, mail server and release, sees them as the school’s own, and clears one', async () => {
    const page = await open(staff.dslA, '/safeguarding');
    const panel = page.getByTestId('school-settings');
    await panel.waitFor();
    // Their school only: nothing offers them another school.
    expect(await page.getByLabel('School', { exact: true }).count()).toBe(0);
    expect(await page.getByText('Brook Primary').count()).toBe(0);
    expect(await sources(panel)).toEqual(['trust', 'trust', 'trust']);

    await panel
      .getByLabel('May pupils release their own covered screen?')
      .selectOption({ label: 'Yes, at our school (for older pupils)' });
    await says(page, 'Setting saved.');
    await panel.getByLabel('New staff PIN for your school (4 to 8 digits)').fill('2468');
    await panel.getByRole('button', { name: 'Set PIN' }).click();
    await says(page, 'Staff PIN saved.');
    await panel.getByLabel('SMTP server').fill('smtp.ash.test');
    await panel.getByLabel('Port').fill('465');
    await panel.getByLabel('From address').fill('harbour@ash.test');
    await panel.getByLabel('Send to (comma-separated)').fill('dsl@ash.test, head@ash.test');
    await panel.getByRole('button', { name: 'Save your school’s email settings' }).click();
    await says(page, 'Email settings saved.');

    await page.reload();
    await panel.waitFor();
    expect(await sources(panel)).toEqual(['own', 'own', 'own']);
    expect(await panel.getByLabel('SMTP server').inputValue()).toBe('smtp.ash.test');
    expect(await panel.getByLabel('Send to (comma-separated)').inputValue()).toBe(
      'dsl@ash.test, head@ash.test',
    );

    await panel.getByRole('button', { name: 'Use the trust’s PIN instead' }).click();
    await says(page, 'Your school now uses the trust’s staff PIN.');
    await waitFor(async () => (await sources(panel))[1] === 'trust', {
      what: 'the PIN is the trust’s again',
    });

    const api = await settings(staff.dslA, school.a);
    expect(api.status).toBe(200);
    expect(api.body.inherited).toEqual({ staffPin: true, smtp: false, pupilsMayRelease: false });
    expect(api.body.smtp).toMatchObject({
      host: 'smtp.ash.test',
      port: 465,
      secure: true,
      from: 'harbour@ash.test',
      to: ['dsl@ash.test', 'head@ash.test'],
    });
    expect(api.body.pupilsMayRelease).toBe(true);
  });

  it('trust-level staff pick school B and set its own PIN; school A’s PIN still says the trust’s', async () => {
    const page = await open(staff.trustDsl, '/safeguarding');
    const picker = page.getByLabel('School', { exact: true });
    await picker.waitFor();
    expect(await picker.locator('option').allInnerTexts()).toEqual([
      'Choose a school',
      'Ash Primary',
      'Brook Primary',
    ]);
    // The trust's own panels are still theirs to change, above the school's.
    expect(await page.getByRole('button', { name: 'Save email settings' }).isDisabled()).toBe(false);
    expect(await page.getByTestId('school-settings').count()).toBe(0);

    await picker.selectOption({ label: 'Brook Primary' });
    const panel = page.getByTestId('school-settings');
    await panel.waitFor();
    expect(await panel.getAttribute('data-school-id')).toBe(String(school.b));
    expect(await sources(panel)).toEqual(['trust', 'trust', 'trust']);
    await panel.getByLabel('New staff PIN for this school (4 to 8 digits)').fill('8642');
    await panel.getByRole('button', { name: 'Set PIN' }).click();
    await says(page, 'Staff PIN saved.');
    await waitFor(async () => (await sources(panel))[1] === 'own', { what: 'school B’s PIN is its own' });
    expect(await sources(panel)).toEqual(['trust', 'own', 'trust']);

    await picker.selectOption({ label: 'Ash Primary' });
    await waitFor(async () => (await panel.getAttribute('data-school-id')) === String(school.a), {
      what: 'school A’s panel',
    });
    // School A's own release and mail server (its DSL's, above), and the trust's PIN.
    expect(await sources(panel)).toEqual(['own', 'trust', 'own']);
    expect(await panel.getByLabel('SMTP server').inputValue()).toBe('smtp.ash.test');

    const b = await settings(staff.trustDsl, school.b);
    expect(b.body.inherited).toEqual({ staffPin: false, smtp: true, pupilsMayRelease: true });
    expect(b.body.smtp?.host).toBe('smtp.trust.test');
    const a = await settings(staff.trustDsl, school.a);
    expect(a.body.inherited?.staffPin).toBe(true);
    // The trust's own values are untouched by either school's.
    const trust = await staff.trustDsl.json<SafeguardingSettings>('GET', '/api/safeguarding/settings');
    expect(trust.body.smtp?.host).toBe('smtp.trust.test');
    expect(trust.body.pupilsMayRelease).toBe(false);
  });

  it.each(['en', 'cy'] as const)(
    'in %s, the picker and the chosen school’s panel are labelled, worded and pass axe',
    async (language) => {
      const context = await browser.newContext({
        viewport: { width: 1024, height: 768 },
        reducedMotion: 'reduce',
      });
      try {
        await context.addInitScript(
          (lng: string) => window.localStorage.setItem('harbour.language', lng),
          language,
        );
        await shareSession(context, staff.trustDsl, server.url);
        const page = await openPage(context, new URL('/safeguarding', server.url));
        const picker = page.getByLabel(language === 'cy' ? 'Ysgol' : 'School', { exact: true });
        await picker.selectOption({ label: 'Brook Primary' });
        const panel = page.getByTestId('school-settings');
        await panel.waitFor();
        expect((await panel.getByTestId('setting-source').allInnerTexts())[1]).toBe(
          language === 'cy' ? 'Gosodiad yr ysgol hon ei hun.' : 'This school’s own setting.',
        );
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );

  it('a school’s DSL is refused school B by the server, not only by the page', async () => {
    const before = (await settings(staff.trustDsl, school.b)).body;
    const read = await settings(staff.dslA, school.b);
    expect(read.status).toBe(403);
    const pin = await staff.dslA.json('PUT', `/api/safeguarding/schools/${school.b}/staff-pin`, {
      pin: '1111',
    });
    expect(pin.status).toBe(403);
    const patch = await staff.dslA.json('PATCH', `/api/safeguarding/schools/${school.b}/settings`, {
      pupilsMayRelease: true,
    });
    expect(patch.status).toBe(403);
    // Nothing of school B changed.
    expect((await settings(staff.trustDsl, school.b)).body).toEqual(before);
  });
});
