import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ApiClient } from './api.js';

/** The locale of a UK school's browser: every context gets it unless a test says otherwise. */
export const schoolLocale = 'en-GB';

/**
 * Debian's Chromium, driven by Playwright, as a UK school's browser: English (United Kingdom)
 * for its interface language and every context's locale (navigator.language, Accept-Language,
 * Intl defaults). Quiet on a closed network; no sandbox as root.
 *
 * Note (docs/i18n.md, "Date fields"): this does not change how a native <input type=date> lays
 * out its day, month and year in this Chromium; that follows the browser's own language
 * settings, which headless (and Playwright-driven) Debian Chromium keeps at en-US.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.HARBOUR_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--lang=${schoolLocale}`,
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: schoolLocale, ...options });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = (options = {}) => newPage({ locale: schoolLocale, ...options });
  return browser;
}

/** Gives a browser context the session of a client that signed in through the API (second factor included). */
export async function shareSession(
  context: BrowserContext,
  client: ApiClient,
  url: string,
): Promise<BrowserContext> {
  const [name, ...value] = client.cookieHeader.split('=');
  await context.addCookies([{ name: name ?? '', value: value.join('='), url }]);
  return context;
}

/** A new page in `context` at `url`, once the dashboard has drawn its heading. */
export async function openPage(context: BrowserContext, url: URL): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url.toString());
  await page.locator('h1').first().waitFor();
  return page;
}

/**
 * Pages of members of staff signed in through the API (second factor included), each in a
 * browser context of its own at a desktop size; close() ends every one.
 */
export class StaffPages {
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: string,
  ) {}

  async open(client: ApiClient, path: string): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1440, height: 900 },
      reducedMotion: 'reduce',
    });
    this.contexts.push(context);
    await shareSession(context, client, this.baseUrl);
    return openPage(context, new URL(path, this.baseUrl));
  }

  async close(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined);
  }
}
