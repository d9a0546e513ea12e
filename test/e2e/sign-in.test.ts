/**
 * Issue 17 (items 2-3) in Chromium, against the built server: a temporary password is changed
 * before anything else; a DSL without a second factor who opens an incident is offered the
 * set-up, enrols an authenticator from the secret the page shows, and signs in with codes; a
 * wrong or replayed code and a used recovery code are refused in plain words; the code step
 * cannot be skipped by going to another address; a locked account says when to try again,
 * the same whether or not the password was right; an administrator resets a password (link
 * or temporary) and a lost second factor; the school can require a second factor of everyone.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, nextSecondFactorCode, rememberSecondFactor, totpCode } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { codeInput, signInUi } from '../support/sign-in.js';

const password = 'a long enough password';
const adminEmail = 'head@school.test';
let server: ServerProcess;
let browser: Browser;
let admin: ApiClient;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('sign-in-e2e'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function createUser(
  email: string,
  role: string,
  extra: Record<string, unknown> = { temporaryPassword: false },
): Promise<string> {
  const r = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
    email,
    displayName: email.split('@')[0],
    role,
    password,
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.body.user.id;
}

/** A fresh browser profile: its own cookies, and every request it makes is recorded. */
async function freshPage(): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ locale: 'en-GB' });
  contexts.push(context);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  return { page, requests };
}

const header = (page: Page) => page.locator('header.site-header');

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.getByRole('heading', { name: 'Sign in to Harbour' }).waitFor();
}

async function passwordStep(page: Page, email: string, pw = password): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.locator(codeInput).fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('a temporary password', () => {
  it('must be changed before anything else, and the policy’s refusals are in plain words', async () => {
    await createUser('newteacher@school.test', 'teacher', {});
    const { page } = await freshPage();
    await signInUi(page, 'newteacher@school.test', password, { url: server.url });
    await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    expect(await header(page).count()).toBe(0);

    // Another address shows the same step, not a half-open app; the server refuses the rest.
    await page.goto(`${server.url}/rooms`);
    await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    expect(await header(page).count()).toBe(0);
    const rooms = await page.evaluate(async () => (await fetch('/api/rooms')).status);
    expect(rooms).toBe(403);

    await page.getByLabel('The temporary password you were given').fill(password);
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await page.getByLabel('New password again').fill('password1234');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('That password is too easy to guess.').first().waitFor();
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('New password', { exact: true }).fill('heron lantern quietly marmalade');
    await page.getByLabel('New password again').fill('heron lantern quietly marmalad');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('The two new passwords are not the same.').waitFor();

    await page.getByLabel('New password again').fill('heron lantern quietly marmalade');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await header(page).waitFor();
    await page.getByRole('heading', { name: /^(Home|Rooms)$/, level: 1 }).waitFor();

    await signOut(page);
    await passwordStep(page, 'newteacher@school.test');
    await page.getByText('That email and password do not match an active account.').waitFor();
    await signInUi(page, 'newteacher@school.test', 'heron lantern quietly marmalade', { url: server.url });
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
  });
});

describe('a DSL’s second factor', () => {
  const email = 'dsl@school.test';
  let page: Page;
  let requests: string[];
  let secret = '';
  let recovery: string[] = [];
  let incidentId = '';

  beforeAll(async () => {
    await createUser(email, 'dsl');
    const teacher = 'teacher@school.test';
    await createUser(teacher, 'teacher');
    const t = new ApiClient(server.url);
    await t.login(teacher, password);
    // A teacher without a second factor can still record a concern.
    const incident = await t.json<{ id: string }>('POST', '/api/incidents', {
      summary: 'Pupil upset after a game chat',
      category: 'cyberbullying',
      subject: { name: 'Sam Pupil' },
      details: { pupilWords: 'They keep calling me names in the game.', recorderName: 'Mr Teacher' },
    });
    expect(incident.status).toBe(201);
    incidentId = incident.body.id;
    ({ page, requests } = await freshPage());
  });

  it('opening an incident without one shows the set-up prompt, never a raw error', async () => {
    await signInUi(page, email, password, { url: server.url });
    await page.goto(`${server.url}/incidents/${incidentId}`);
    const prompt = page.locator('.second-factor-prompt');
    await prompt.getByRole('heading', { name: 'This needs a second factor' }).waitFor();
    expect(await page.getByText('You are not allowed to do that').count()).toBe(0);
    expect(await page.getByText('Pupil upset after a game chat').count()).toBe(0);
    await prompt.getByRole('link', { name: 'Set up now' }).click();
    await page.getByRole('heading', { name: 'Set up a second factor', level: 1 }).waitFor();
  });

  it('is set up from the QR’s secret, which stays out of the address, storage and logs', async () => {
    await page.getByRole('button', { name: 'Show the QR code' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    // Drawn in the page: a data: URL, and no request left for any other origin.
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // A wrong first code is refused in plain words.
    const step = Math.floor(Date.now() / 30_000);
    const right = totpCode(secret, step);
    await page.getByLabel('Code from your authenticator app').fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Turn on the second factor' }).click();
    await page.getByText('That code is not right.').first().waitFor();

    await page.getByLabel('Code from your authenticator app').fill(right);
    await page.getByRole('button', { name: 'Turn on the second factor' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    recovery = (await page.getByTestId('recovery-codes').locator('code').allInnerTexts()).map((c) =>
      c.trim(),
    );
    expect(recovery).toHaveLength(10);
    rememberSecondFactor(email, secret, recovery.slice(2), step);

    const kept = page.getByRole('button', { name: 'I have kept them' });
    expect(await kept.isDisabled()).toBe(true);
    await page.getByLabel('I have kept my recovery codes somewhere safe').check();
    await kept.click();

    // Back where the DSL was going, and now the record opens.
    await page.getByRole('heading', { name: /INC-0001/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/incidents/${incidentId}`);

    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    for (const where of [stored, page.url(), ...requests, server.output]) expect(where).not.toContain(secret);
    const origin = new URL(server.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);

    // Shown once: not in the page, nor on going back through the history.
    expect(await page.content()).not.toContain(recovery[0]);
    await page.goBack();
    await page.waitForLoadState();
    expect(await page.content()).not.toContain(recovery[0]);
    expect(await page.content()).not.toContain(secret);
  });

  it('signs in with a code; the code step cannot be skipped by going elsewhere', async () => {
    await page.goto(`${server.url}/rooms`);
    await signOut(page);
    await passwordStep(page, email);
    await page.getByRole('heading', { name: 'Enter your code', level: 1 }).waitFor();
    expect(await page.locator(codeInput).getAttribute('inputmode')).toBe('numeric');

    // Half signed in: another address, and the server, both say "signed out".
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await page.getByRole('heading', { name: 'Sign in to Harbour' }).waitFor();
    expect(await header(page).count()).toBe(0);
    const status = await page.evaluate(
      async (id) => (await fetch(`/api/incidents/${id}`)).status,
      incidentId,
    );
    expect(status).toBe(401);

    await passwordStep(page, email);
    await enterCode(page, nextSecondFactorCode(email));
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /INC-0001/ }).waitFor();
  });

  it('a wrong and a replayed code are refused in plain words', async () => {
    await signOut(page);
    await passwordStep(page, email);
    const now = Math.floor(Date.now() / 30_000);
    const valid = new Set([now - 1, now, now + 1].map((s) => totpCode(secret, s)));
    const wrong = ['000000', '111111', '222222'].find((c) => !valid.has(c)) ?? '333333';
    await enterCode(page, wrong);
    await page.getByText('That code was not accepted: it is wrong, or it has been used already.').waitFor();
    expect(await header(page).count()).toBe(0);

    const code = nextSecondFactorCode(email);
    await enterCode(page, code);
    await header(page).waitFor();
    await signOut(page);
    await passwordStep(page, email);
    await enterCode(page, code);
    await page.getByText('That code was not accepted: it is wrong, or it has been used already.').waitFor();
    expect(await header(page).count()).toBe(0);
  });

  it('a recovery code works once', async () => {
    const [first] = recovery;
    if (!first) throw new Error('no recovery code');
    await page.getByRole('button', { name: 'I don’t have my phone: use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(first.toUpperCase());
    await page.getByRole('button', { name: 'Continue' }).click();
    await header(page).waitFor();
    await signOut(page);
    await passwordStep(page, email);
    await page.getByRole('button', { name: 'I don’t have my phone: use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(first);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That code was not accepted: it is wrong, or it has been used already.').waitFor();
    // Another unused one still works, and the account's page counts what is left.
    await page.getByLabel('Recovery code').fill(recovery[1] ?? '');
    await page.getByRole('button', { name: 'Continue' }).click();
    await header(page).waitFor();
    await page.goto(`${server.url}/account`);
    const left = await page.evaluate(async () => {
      const r = await fetch('/api/auth/second-factor');
      return ((await r.json()) as { recoveryCodesLeft: number }).recoveryCodesLeft;
    });
    expect(left).toBeLessThanOrEqual(8);
    await page.getByText(`${left} recovery codes left.`).waitFor();
  });
});

describe('a teacher without a second factor', () => {
  it('records a concern, is told it is recorded, and is offered the set-up to open records', async () => {
    const email = 'class.teacher@school.test';
    await createUser(email, 'teacher');
    const { page } = await freshPage();
    await signInUi(page, email, password, { url: server.url });
    await page.goto(`${server.url}/incidents`);
    await page.locator('.second-factor-prompt').waitFor();
    await page.getByLabel('What happened, in a few words').fill('Pupil saw a frightening video');
    await page.getByRole('button', { name: 'Record the concern' }).click();
    await page.getByText(/^Recorded as INC-\d{4}\. The DSL can see it now\./).waitFor();
    expect(new URL(page.url()).pathname).toBe('/incidents');
    expect(await page.getByText('You are not allowed to do that').count()).toBe(0);
  });
});

describe('a locked account', () => {
  it('says when to try again, the same with the right and a wrong password', async () => {
    const email = 'locked@school.test';
    await createUser(email, 'technician');
    const guesser = new ApiClient(server.url);
    for (let i = 0; i < 6; i++) {
      await guesser.json('POST', '/api/auth/login', { email, password: `wrong guess number ${i}` });
    }
    const { page } = await freshPage();
    const said: string[] = [];
    for (const pw of [password, 'another wrong guess']) {
      await passwordStep(page, email, pw);
      const alert = page.locator('.auth-card [role="alert"]');
      await alert.waitFor();
      said.push(await alert.innerText());
    }
    expect(said[0]).toMatch(/paused after too many wrong attempts\. Try again after \d\d:\d\d/);
    expect(said[1]).toBe(said[0]);
    expect(await header(page).count()).toBe(0);
  });
});

describe('an administrator helps with sign-in', () => {
  let page: Page;
  const dslEmail = 'dsl2@school.test';

  beforeAll(async () => {
    // Removing someone's second factor needs the admin's own.
    await admin.enrolSecondFactor();
    await createUser(dslEmail, 'dsl');
    const dsl = new ApiClient(server.url);
    await dsl.login(dslEmail, password);
    await dsl.enrolSecondFactor();
    ({ page } = await freshPage());
    await signInUi(page, adminEmail, password, { url: server.url });
    await page.goto(`${server.url}/users`);
    await page.getByRole('heading', { name: 'Staff accounts', level: 1 }).waitFor();
  });

  async function help(name: string): Promise<void> {
    const toggle = page.getByRole('button', { name: `Sign-in help for ${name}` });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await page.getByRole('heading', { name: `Sign-in help for ${name}`, level: 2 }).waitFor();
  }

  it('a new temporary password, shown once, is changed at the next sign-in', async () => {
    await help('dsl2');
    await page.getByRole('button', { name: 'Make a temporary password' }).click();
    await page.getByText('Give dsl2 a new temporary password?').waitFor();
    await page.getByRole('button', { name: 'Yes, go ahead' }).click();
    const temporary = (await page.getByTestId('temporary-password').innerText()).trim();
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    await page.getByRole('button', { name: 'I have given it to them' }).click();
    expect(await page.content()).not.toContain(temporary);

    const other = await freshPage();
    await signInUi(other.page, dslEmail, temporary, { url: server.url });
    await other.page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
  });

  it('a lost second factor is removed after a warning; the person then has none', async () => {
    await help('dsl2');
    await page.getByRole('button', { name: 'Reset their second factor' }).click();
    await page.getByText('Remove dsl2’s second factor?').waitFor();
    await page.getByRole('button', { name: 'Yes, go ahead' }).click();
    await page.getByText('dsl2’s second factor is removed.').waitFor();
    const row = page.locator('tr', { hasText: dslEmail });
    await row.getByText('No second factor').waitFor();
    const users = await admin.json<{ users: { email: string; secondFactor?: boolean }[] }>(
      'GET',
      '/api/users',
    );
    expect(users.body.users.find((u) => u.email === dslEmail)?.secondFactor).toBe(false);
  });

  it('a reset link chooses a new password once, and leaves the address at once', async () => {
    const email = 'linked@school.test';
    await createUser(email, 'teacher');
    await page.reload();
    await help('linked');
    await page.getByRole('button', { name: 'Make a reset link' }).click();
    await page.getByRole('button', { name: 'Yes, go ahead' }).click();
    const link = (await page.getByTestId('reset-link').innerText()).trim();
    expect(link).toMatch(/\/reset-password#hpr_/);
    await page.getByRole('button', { name: 'I have given it to them' }).click();

    const other = await freshPage();
    await other.page.goto(link);
    await other.page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    expect(other.page.url()).not.toContain('#');
    await other.page.getByLabel('New password', { exact: true }).fill('copper kettle under the stairs');
    await other.page.getByLabel('New password again').fill('copper kettle under the stairs');
    await other.page.getByRole('button', { name: 'Save the new password' }).click();
    await other.page.getByText('Your new password is saved.').waitFor();
    await signInUi(other.page, email, 'copper kettle under the stairs', { url: server.url });
    await other.page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();

    const again = await freshPage();
    await again.page.goto(link);
    await again.page.getByLabel('New password', { exact: true }).fill('another sentence nobody guesses');
    await again.page.getByLabel('New password again').fill('another sentence nobody guesses');
    await again.page.getByRole('button', { name: 'Save the new password' }).click();
    await again.page.getByText('This link has expired or has been used already.').waitFor();
  });

  it('the school can require a second factor of everyone: a technician must set one up first', async () => {
    const email = 'tech@school.test';
    await createUser(email, 'technician');
    await page.reload();
    await page.getByLabel('Everyone needs a second factor').check();
    await page.getByText('Saved.').waitFor();
    try {
      const { page: tech } = await freshPage();
      await signInUi(tech, email, password, { url: server.url });
      await tech.getByRole('heading', { name: 'Set up a second factor', level: 1 }).waitFor();
      await tech.goto(`${server.url}/devices`);
      await tech.getByRole('heading', { name: 'Set up a second factor', level: 1 }).waitFor();
      expect(await header(tech).count()).toBe(0);
      await tech.getByRole('button', { name: 'Show the QR code' }).click();
      const secret = (await tech.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
      await tech.getByLabel('Code from your authenticator app').fill(totpCode(secret));
      await tech.getByRole('button', { name: 'Turn on the second factor' }).click();
      await tech.getByLabel('I have kept my recovery codes somewhere safe').check();
      await tech.getByRole('button', { name: 'I have kept them' }).click();
      await header(tech).waitFor();
    } finally {
      await admin.json('PATCH', '/api/identity/settings', { secondFactorForEveryone: false });
    }
  });
});
