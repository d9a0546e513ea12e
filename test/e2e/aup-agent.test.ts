import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePolicies, type AupContent, type OsUser } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { AupFeature } from '../../agent/src/core/aup/feature.js';
import { hashContent } from '../../agent/src/core/aup/policies.js';
import { UiServer } from '../../agent/src/core/ui-server.js';
import type { SessionControl } from '../../agent/src/platform/session.js';
import { ApiClient } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { PageOverlay } from '../support/page-overlay.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { signInUi } from '../support/sign-in.js';
import { waitFor } from '../support/wait.js';

// The AUP end to end with the real built server, the real agent core with its AupFeature
// and local UI server, and the real pupil page in Chromium (headless: the full-screen
// part is proved on an X display in aup-gate.test.ts).

const adminEmail = 'head@school.test';
const password = 'a long enough password';
const log = pino({ level: process.env.HARBOUR_TEST_LOG ?? 'silent' });

let server: ServerProcess;
let admin: ApiClient;
let browser: Browser;
let roomId = '';
let token = '';
const agentDir = tempDir('aup-agent');

let currentUser: OsUser | null = { username: 'pupil.a', displayName: 'Amy Pupil' };
const groups: Record<string, string[]> = { 'staff.c': ['teachers'] };
const signOuts: OsUser[] = [];
const session: SessionControl = {
  signOut: (user) => {
    signOuts.push(user);
    return Promise.resolve('signed-out');
  },
  groups: (user) => Promise.resolve(groups[user.username] ?? []),
};

interface Running {
  agent: HarbourAgent;
  ui: UiServer;
  overlay: PageOverlay;
  feature: AupFeature;
  stop(): Promise<void>;
}
let running: Running;

async function startAgent(): Promise<Running> {
  const ui = new UiServer({ logger: log });
  const overlay = new PageOverlay(browser, (p) => ui.entryUrl(p));
  const feature = new AupFeature({ ui, overlay, session, checkIntervalMs: 300 });
  await ui.start();
  const agent = new HarbourAgent(
    {
      serverUrl: server.url,
      dataDir: agentDir,
      agentVersion: '0.1.0',
      enrolmentToken: token,
      sessionPollSeconds: 1,
    },
    {
      probes: {
        deviceInfo: () => Promise.resolve({ hostname: 'AUP-PC-01', os: 'Linux test', serial: null }),
        currentUser: () => Promise.resolve(currentUser),
      },
      logger: log,
      features: [feature],
    },
  );
  await agent.start();
  return {
    agent,
    ui,
    overlay,
    feature,
    stop: async () => {
      await agent.stop();
      await overlay.hide();
      await ui.stop();
    },
  };
}

type Row = {
  username: string;
  version: number;
  decision: string;
  textHash: string;
  source: string;
  roomName: string;
};
const registerRows = async (query = '') =>
  (await admin.json<{ entries: Row[] }>('GET', `/api/aup/register${query}`)).body.entries;

/** Waits for the page to show `title`, then returns the page. */
async function shownWith(title: string) {
  await waitFor(() => running.overlay.page, { timeoutMs: 15_000, what: 'the AUP to be shown' });
  const page = running.overlay.shown;
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
  return page;
}

/** Clicks "I agree". The agent closes the page as soon as it has the decision, sometimes before the click returns. */
async function clickAgree(page: Page) {
  await page
    .getByRole('button', { name: 'I agree' })
    .click()
    .catch((error: unknown) => {
      if (!/closed/.test(String(error))) throw error;
    });
}

async function agree(title: string) {
  const page = await shownWith(title);
  await clickAgree(page);
  await waitFor(() => running.overlay.page === null, { what: 'the cover to go' });
}

function edited(base: AupContent, title: string): AupContent {
  return { ...base, title, rules: [...base.rules, { text: `A new rule in "${title}".` }] };
}

async function publishKs2(title: string, showNow = false) {
  const base = samplePolicies.ks2;
  if (!base) throw new Error('no sample');
  const res = await admin.json<{ id: string; version: number; textHash: string }>(
    'POST',
    '/api/aup/documents',
    {
      audience: 'ks2',
      content: edited(base, title),
      publish: true,
      showNow,
    },
  );
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('aup-server'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  roomId = (await admin.createRoom('Year 3 Willow')).id;
  token = (await admin.createToken(roomId)).token;
  browser = await launchChromium();
});

afterAll(async () => {
  await running?.stop().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the AUP at logon, with the real agent core and server', () => {
  it('shows the published policy at logon; agreeing releases the computer and lands in the register', async () => {
    running = await startAgent();
    const page = await shownWith('Using computers at school');
    await page.getByText(/This computer is monitored/).waitFor();
    expect(await page.getByText('Hello, Amy Pupil.').count()).toBe(1);
    // Keyboard only: the page starts at its heading; Tab reaches "Read it to me", then "I agree".
    const focused = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } })
            .document.activeElement?.textContent ?? '',
      );
    for (let i = 0; i < 3 && !(await focused()).includes('I agree'); i++) await page.keyboard.press('Tab');
    expect(await focused()).toContain('I agree');
    // Agreeing closes the page: the key press may report that as an error; the cover going
    // and the register row below are what prove it worked.
    await page.keyboard.press('Enter').catch((error: unknown) => {
      if (!/has been closed/.test(String(error))) throw error;
    });
    await waitFor(() => running.overlay.page === null, { what: 'the cover to go' });

    const rows = await waitFor(async () => ((await registerRows()).length === 1 ? registerRows() : null), {
      what: 'the decision in the register',
    });
    const sample = samplePolicies.ks2;
    if (!sample) throw new Error('no sample');
    expect(rows[0]).toMatchObject({
      username: 'pupil.a',
      version: 1,
      decision: 'accepted',
      textHash: hashContent(sample),
      source: 'server',
      roomName: 'Year 3 Willow',
    });
    // The live room view knows the signed-in user has accepted.
    const { body } = await admin.json<{
      devices: { user: string; aup: { state: string; label: string } | null }[];
    }>('GET', `/api/devices?roomId=${roomId}`);
    expect(body.devices[0]?.aup).toEqual({ state: 'current', label: 'Agreed' });
  });

  it('a newly published version waits for the next logon, then is shown', async () => {
    const v2 = await publishKs2('Computer rules, version two');
    expect(v2.version).toBe(2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(running.overlay.page).toBeNull(); // pupil.a carries on until the next logon
    currentUser = { username: 'pupil.b' };
    await agree('Computer rules, version two');
    currentUser = { username: 'pupil.a', displayName: 'Amy Pupil' };
    await agree('Computer rules, version two');
    const rows = await waitFor(async () => {
      const r = await registerRows('?username=pupil.a');
      return r.length === 2 ? r : null;
    });
    expect(rows.map((r) => r.version)).toEqual([2, 1]);
    expect(rows[0]?.textHash).toBe(v2.textHash);
  });

  it('"show now" re-prompts the signed-in user at once', async () => {
    const v3 = await publishKs2('Computer rules, version three', true);
    await agree('Computer rules, version three');
    await waitFor(async () =>
      (await registerRows('?username=pupil.a')).some((r) => r.textHash === v3.textHash),
    );
  });

  it('declining asks once, is recorded, and signs the user out', async () => {
    const put = await admin.json('PUT', '/api/aup/settings', {
      defaultAudience: 'ks2',
      rules: [{ kind: 'group', pattern: 'Teachers', audience: 'staff' }],
      expiryMonth: 9,
      expiryDay: 1,
    });
    expect(put.status).toBe(200);
    // The agent hears of the change by a push; the next logon uses it.
    currentUser = { username: 'staff.c', displayName: 'Mr C' };
    const page = await shownWith('Acceptable use of school ICT: staff');
    await page.getByRole('button', { name: 'I don’t agree' }).click();
    await page.getByRole('heading', { name: 'Are you sure?' }).waitFor();
    expect(signOuts).toHaveLength(0);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await waitFor(() => signOuts.length === 1, { what: 'the sign-out' });
    expect(signOuts[0]).toMatchObject({ username: 'staff.c' });
    await page.getByText('You are being signed out').waitFor();
    const rows = await waitFor(async () => {
      const r = await registerRows('?username=staff.c');
      return r.length === 1 ? r : null;
    });
    expect(rows[0]).toMatchObject({ decision: 'declined', version: 1 });
    const status = await admin.json<{ users: { username: string; status: string }[] }>(
      'GET',
      '/api/aup/status?status=declined',
    );
    expect(status.body.users.map((u) => u.username)).toEqual(['staff.c']);
  });

  it('offline: shows the cached version, keeps the decision in the outbox across an agent restart, lands once', async () => {
    await server.stop();
    await running.stop();
    running = await startAgent(); // offline from the start: only its cache to go on
    currentUser = { username: 'pupil.d' };
    await agree('Computer rules, version three');
    expect(running.agent.outbox.peek(50).filter((e) => e.body.type === 'aup.decision')).toHaveLength(1);
    await running.stop(); // the agent restarts with the decision still in its outbox
    running = await startAgent();
    expect(running.overlay.page).toBeNull(); // already agreed on this computer
    await server.start();
    const rows = await waitFor(
      async () => {
        const r = await registerRows('?username=pupil.d');
        return r.length > 0 ? r : null;
      },
      { timeoutMs: 30_000, what: 'the offline decision to land' },
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(await registerRows('?username=pupil.d')).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 3, source: 'cache', decision: 'accepted' });
  });

  it('a decision survives the server being killed as it arrives', async () => {
    currentUser = { username: 'pupil.f' };
    const page = await shownWith('Computer rules, version three');
    await clickAgree(page);
    await server.stop('SIGKILL');
    await server.start();
    await waitFor(async () => (await registerRows('?username=pupil.f')).length === 1, {
      timeoutMs: 30_000,
      what: 'the decision after the crash',
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await registerRows('?username=pupil.f')).toHaveLength(1);
  });

  it('a tampered cache is refused: the built-in sample is shown', async () => {
    await running.stop();
    await server.stop();
    const file = path.join(agentDir, 'aup-cache.json');
    const cache = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      bundle: { documents: { audience: string; content: AupContent }[] };
    };
    const ks2 = cache.bundle.documents.find((d) => d.audience === 'ks2');
    if (!ks2) throw new Error('no ks2 in the cache');
    ks2.content.rules = [{ text: 'You may do anything you like.' }];
    fs.writeFileSync(file, JSON.stringify(cache));
    currentUser = { username: 'pupil.e' };
    running = await startAgent();
    const page = await shownWith('Using computers at school'); // the built-in KS2 sample
    expect(await page.getByText('You may do anything you like.').count()).toBe(0);
    await clickAgree(page);
    await server.start();
    const rows = await waitFor(async () => {
      const r = await registerRows('?username=pupil.e');
      return r.length === 1 ? r : null;
    });
    // The built-in text is version 1's: the register names it, and it is now outdated.
    expect(rows[0]).toMatchObject({ version: 1, source: 'builtin' });
    const status = await admin.json<{ users: { username: string; status: string }[] }>(
      'GET',
      '/api/aup/status?username=pupil.e',
    );
    expect(status.body.users[0]?.status).toBe('outdated');
  });

  it('the CSV export has one row per decision with the right columns', async () => {
    const res = await admin.request('GET', '/api/aup/register.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split(/\r\n/);
    expect(lines[0]).toBe(
      'user,display_name,audience,version,text_hash,decision,time,device,room,source,school',
    );
    const entries = await registerRows();
    expect(lines).toHaveLength(entries.length + 1);
    const declined = lines.find((l) => l.startsWith('staff.c,'));
    expect(declined).toMatch(
      /^staff\.c,Mr C,staff,1,[0-9a-f]{64},declined,[^,]+,AUP-PC-01,Year 3 Willow,server,[^,]+$/,
    );
  });

  it('the dashboard shows the register, the room view flags who has not agreed, and DSLs edit policies', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      await signInUi(page, adminEmail, password);
      await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();

      // pupil.e agreed to the built-in text (version 1) while version 3 is published.
      await page.goto(`${server.url}/rooms/${roomId}`);
      await page.getByTestId('aup-pending').filter({ hasText: 'pupil.e' }).waitFor({ timeout: 15_000 });
      await page
        .getByRole('listitem')
        .filter({ hasText: 'AUP-PC-01' })
        .getByText('Must agree again')
        .waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Register' }).click();
      await page.getByRole('heading', { name: 'Acceptance register' }).waitFor();
      const people = page.getByRole('table', { name: 'People and their standing' });
      await people.getByRole('row').filter({ hasText: 'staff.c' }).getByText('Did not agree').waitFor();
      await page.getByLabel('Status').selectOption('declined');
      await page.getByRole('button', { name: 'Show' }).click();
      await people.getByRole('row').filter({ hasText: 'pupil.a' }).waitFor({ state: 'detached' });
      const href = await page
        .getByRole('link', { name: 'Download the register as CSV' })
        .getAttribute('href');
      expect(href).toBe('/api/aup/register.csv');

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Computer rules' })
        .click();
      await page.getByRole('button', { name: 'Edit Key Stage 1 pupils' }).click();
      await page.getByLabel('Title').fill('');
      await page.getByRole('button', { name: 'Save version' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /title must not be empty/i })
        .waitFor();
      await page.getByLabel('Title').fill('Our computer rules (2026)');
      await page.getByRole('button', { name: 'Save version' }).click();
      await page.getByRole('status').filter({ hasText: 'Version 2 is published.' }).waitFor();
      await page.screenshot({ path: 'test-results/aup-policies.png', fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('KS1 pupils (here by room) get large rules with named pictures and a "Read it to me" button', async () => {
    const put = await admin.json('PUT', '/api/aup/settings', {
      defaultAudience: 'ks2',
      rules: [{ kind: 'room', pattern: roomId, audience: 'ks1' }],
      expiryMonth: 9,
      expiryDay: 1,
    });
    expect(put.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000)); // the push reaches the agent
    currentUser = { username: 'y1.kim', displayName: 'Kim' };
    const page = await shownWith('Our computer rules (2026)');
    await page
      .getByRole('img', { name: 'A raised hand' })
      .or(page.getByRole('img', { name: 'A hand up to ask' }))
      .waitFor();
    await page.getByText('The school can see what I do on the computer.').waitFor();
    await page.getByRole('button', { name: 'Read it to me' }).waitFor();
    const size = await page
      .getByText('I am kind to everyone.')
      .evaluate((el) =>
        Number.parseFloat(
          (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(
            el,
          ).fontSize,
        ),
      );
    expect(size).toBeGreaterThanOrEqual(32); // large type
    await page.screenshot({ path: 'test-results/aup-ks1.png', fullPage: true });
    await agree('Our computer rules (2026)');
  });
});
