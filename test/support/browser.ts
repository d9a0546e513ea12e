import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ApiClient } from './api.js';

/** Debian's Chromium, driven by Playwright. Quiet on a closed network; no sandbox as root. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
    ],
  });
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
