import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, shareSession } from '../support/browser.js';
import {
  axeViolations,
  openSchool,
  overflowPx,
  pupilPages,
  pupilScreens,
  showDashboardPage,
  showPupilScreen,
  staffContext,
  tourLanguages,
  widths,
  type PupilPages,
  type School,
} from '../support/tour.js';

// Every dashboard page and every pupil screen, in English and in Welsh, at 1440, 1024 and
// 390 px, in real Chromium: axe-core finds nothing of any impact, and no page is wider than
// the window. Then the pupil screens' behaviour a child and a grown-up depend on, and the
// dashboard's plain words for wrong fields.

let browser: Browser;
let school: School;
let pupils: PupilPages;

beforeAll(async () => {
  browser = await launchChromium();
  school = await openSchool();
  pupils = await pupilPages();
}, 120_000);

afterAll(async () => {
  await pupils?.stop();
  await school?.stop();
  await browser?.close();
});

describe.each(tourLanguages)('the dashboard in %s', (language) => {
  it.each(widths)(
    'every page at $width px passes axe and fits the window',
    async (size) => {
      const problems: string[] = [];
      const contexts = new Map<string, BrowserContext>();
      try {
        for (const target of school.pages) {
          let context = contexts.get(target.role);
          if (!context) {
            context = await staffContext(browser, school, target.role, language, size);
            contexts.set(target.role, context);
          }
          const page = await context.newPage();
          try {
            await showDashboardPage(page, school, target);
            expect(await page.locator('html').getAttribute('lang')).toBe(
              language === 'cy' ? 'cy-GB' : 'en-GB',
            );
            for (const v of await axeViolations(page)) problems.push(`${target.id}: ${v}`);
            const over = await overflowPx(page);
            if (over > 0) problems.push(`${target.id}: ${over} px wider than the ${size.width} px window`);
          } finally {
            await page.close();
          }
        }
      } finally {
        for (const c of contexts.values()) await c.close();
      }
      expect(problems).toEqual([]);
    },
    240_000,
  );
});

describe.each(tourLanguages)('the pupil screens in %s', (language) => {
  it.each(widths)(
    'every screen at $width px passes axe and fits the window',
    async (size) => {
      const problems: string[] = [];
      for (const screen of pupilScreens) {
        const { page, close } = await showPupilScreen(browser, pupils, screen, language, size);
        try {
          expect(await page.locator('html').getAttribute('lang')).toBe(language === 'cy' ? 'cy-GB' : 'en-GB');
          for (const v of await axeViolations(page)) problems.push(`${screen.id}: ${v}`);
          const over = await overflowPx(page);
          if (over > 0) problems.push(`${screen.id}: ${over} px wider than the ${size.width} px window`);
        } finally {
          await close();
        }
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});

describe('the help cover, as a child and a grown-up use it on a 1024 x 600 netbook', () => {
  const netbook = widths[1];
  const cover = pupilScreens.find((s) => s.id === 'cover');
  if (!cover) throw new Error('no cover screen');

  /** Where an element sits on the page (not in the window: focusing the PIN may scroll). */
  const place = (page: Page, name: string) =>
    page.getByRole('button', { name, exact: true }).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
    });

  async function open(): Promise<{ page: Page; close: () => Promise<void> }> {
    return showPupilScreen(browser, pupils, cover as NonNullable<typeof cover>, 'en', netbook);
  }

  it('Send is on the screen without scrolling, and looks disabled until there is something to send', async () => {
    const { page, close } = await open();
    try {
      const send = page.getByRole('button', { name: 'Send', exact: true });
      const box = await send.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(netbook.height);
      expect(await send.isDisabled()).toBe(true);
      const disabledLook = await send.evaluate((b) => getComputedStyle(b).backgroundColor);
      await page.getByRole('button', { name: 'Someone being unkind' }).click();
      expect(await send.isDisabled()).toBe(false);
      const enabledLook = await send.evaluate((b) => getComputedStyle(b).backgroundColor);
      expect(disabledLook).not.toBe(enabledLook);
    } finally {
      await close();
    }
  });

  it('"For grown-ups" puts the focus in the PIN box, and nothing above it moves', async () => {
    const { page, close } = await open();
    try {
      const before = await place(page, 'Send');
      await page.getByRole('button', { name: 'For grown-ups' }).click();
      await page.locator('#pin').waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('pin');
      expect(await place(page, 'Send')).toEqual(before);
    } finally {
      await close();
    }
  });

  it('a wrong PIN never shows the child an adult’s error, and the page does not jump', async () => {
    const { page, close } = await open();
    try {
      await page.getByRole('button', { name: 'For grown-ups' }).click();
      const before = await place(page, 'Send');
      const releases = pupils.releases;
      await page.locator('#pin').fill('0000');
      await page.getByRole('button', { name: 'Uncover the screen' }).click();
      await page.getByText('The screen stays covered').waitFor();
      expect(pupils.releases).toBe(releases + 1);
      expect(await page.getByText('No staff PIN has been set up yet').count()).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await place(page, 'Send')).toEqual(before);
    } finally {
      await close();
    }
  });
});

describe('the AUP gate', () => {
  it('“Are you sure?” scrolls into view on a small screen', async () => {
    const screen = pupilScreens.find((s) => s.id === 'aup-decline');
    if (!screen) throw new Error('no decline screen');
    const { page, close } = await showPupilScreen(browser, pupils, screen, 'en', widths[1]);
    try {
      const box = await page.locator('#aup-confirm-title').boundingBox();
      expect(box).not.toBeNull();
      expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(widths[1].height);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('aup-confirm-title');
    } finally {
      await close();
    }
  });

  it('follows the school’s language, and a child can switch to English and back', async () => {
    const screen = pupilScreens.find((s) => s.id === 'aup-ks1');
    if (!screen) throw new Error('no ks1 screen');
    const { page, close } = await showPupilScreen(browser, pupils, screen, 'cy', widths[0]);
    try {
      await page.getByRole('button', { name: 'Dw i’n cytuno' }).waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('button', { name: 'I agree' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en-GB');
      await page.getByRole('button', { name: 'Cymraeg' }).click();
      await page.getByRole('button', { name: 'Dw i’n cytuno' }).waitFor();
      // The page's own words follow the switch; the policy is the school's, as published.
      await page.getByRole('heading', { level: 1, name: 'Ein rheolau cyfrifiadur' }).waitFor();
    } finally {
      await close();
    }
  });
});

describe('the dashboard’s words', () => {
  it('the header switch turns the dashboard Welsh, and the choice is remembered', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    await shareSession(context, school.clients.dsl, school.server.url);
    const page = await context.newPage();
    try {
      await page.goto(`${school.server.url}/rooms`);
      await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
      await page.getByRole('button', { name: 'Cymraeg' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ystafelloedd' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('cy-GB');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Ystafelloedd' }).waitFor();
      await page
        .getByRole('navigation', { name: 'Prif ddewislen' })
        .getByRole('link', { name: 'Digwyddiadau' })
        .waitFor();
      // Dates follow the language too.
      await page.goto(`${school.server.url}/incidents`);
      await page.locator('time').first().waitFor();
      const when = (await page.locator('tbody time').first().textContent()) ?? '';
      const month = new Intl.DateTimeFormat('cy-GB', { month: 'short' }).format(new Date());
      expect(when).toContain(month);
    } finally {
      await context.close();
    }
  });

  it('a missing choice marks its field, takes the focus, and says so in plain words', async () => {
    const context = await staffContext(browser, school, 'dsl', 'en', widths[0]);
    const page = await context.newPage();
    try {
      await page.goto(`${school.server.url}/activity`);
      await page.getByRole('button', { name: 'Show timeline' }).click();
      const computer = page.getByLabel('Computer', { exact: true });
      await page.locator('.field-problem').filter({ hasText: 'Choose a computer.' }).waitFor();
      expect(await computer.getAttribute('aria-invalid')).toBe('true');
      expect(await computer.evaluate((el) => el === document.activeElement)).toBe(true);
      const alert = (await page.getByRole('alert').first().textContent()) ?? '';
      expect(alert).not.toMatch(/querystring|Invalid|deviceId/);
    } finally {
      await context.close();
    }
  });

  it('a success message does not stay beside a new error', async () => {
    const context = await staffContext(browser, school, 'admin', 'en', widths[0]);
    const page = await context.newPage();
    try {
      await page.goto(`${school.server.url}/rooms`);
      await page.getByLabel('Room name').fill('Library');
      await page.getByRole('button', { name: 'Create room' }).click();
      await page.getByText('Room “Library” created.').waitFor();
      await page.getByLabel('Room name').fill('Library');
      await page.getByRole('button', { name: 'Create room' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByText('Room “Library” created.').count()).toBe(0);
      // The server's own sentence names the clash.
      await page.getByRole('alert').filter({ hasText: 'already a room called' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
