import type { Page } from 'playwright-core';
import { nextSecondFactorCode } from './api.js';

/** The code step's input, in either language (its autocomplete is the stable part). */
export const codeInput = 'input[autocomplete="one-time-code"]';

/**
 * Signs in through the dashboard's sign-in page, as a person would: email and password, then,
 * if the code step appears, a code the server has not seen yet for an account the tests
 * enrolled (`ApiClient.enrolSecondFactor`). Opens `/login` first when given the server's URL;
 * otherwise the page must already show the sign-in form. Resolves once the app (or a step the
 * account must take first, such as a new password) is showing; throws with the page's own
 * words if the sign-in is refused.
 */
export async function signInUi(
  page: Page,
  email: string,
  password: string,
  { url }: { url?: string } = {},
): Promise<void> {
  if (url !== undefined) await page.goto(new URL('/login', url).toString());
  await page.locator('input[autocomplete="username"]').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
  const signedIn = page.locator('header.site-header, .auth-card-wide');
  const refused = page.locator('.auth-card [role="alert"]');
  const code = page.locator(codeInput);
  await signedIn.or(refused).or(code).first().waitFor({ timeout: 20_000 });
  if (await refused.count()) throw new Error(`sign-in as ${email} refused: ${await refused.innerText()}`);
  if (await code.count()) {
    await code.fill(nextSecondFactorCode(email));
    await page.locator('form button[type="submit"]').click();
    await signedIn.or(refused).first().waitFor({ timeout: 20_000 });
    if (await refused.count())
      throw new Error(`second factor for ${email} refused: ${await refused.innerText()}`);
  }
}
