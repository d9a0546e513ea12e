/**
 * A tour of every dashboard page and every pupil screen, shared by the accessibility test
 * (test/e2e/accessibility.test.ts) and `npm run screens` (scripts/screens.ts).
 *
 * The dashboard side is the real built server, started as `npm start` runs it, with a real
 * agent process enrolled in a room, staff of every role, an incident, a watch list and a
 * supervised lesson, all made through the REST API as a school would. The pupil side is the
 * real built pupil pages served by the agent's real UI server; each screen's state (a policy
 * to agree to, a covered screen, a teacher's message) is set by the tour through the same
 * routes the agent's features answer.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { shareSession } from './browser.js';
import pino from 'pino';
import { samplePolicies, samplePoliciesCy, type AupPage, type UiLanguage } from '@harbour/shared';
import { UiServer } from '../../agent/src/core/ui-server.js';
import { ApiClient } from './api.js';
import { codeInput, signInUi } from './sign-in.js';
import { tempDir } from './paths.js';
import { AgentProcess, ServerProcess } from './processes.js';
import { rosterFiles, uploadRoster } from './roster.js';
import { waitFor } from './wait.js';

export const widths = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1024, height: 600 },
  { name: 'phone', width: 390, height: 844 },
] as const;
export type Width = (typeof widths)[number];
export const tourLanguages: UiLanguage[] = ['en', 'cy'];

const password = 'a long enough password';
export type Role = 'admin' | 'dsl' | 'teacher' | 'technician';

export interface DashboardPage {
  id: string;
  /** What the page is, for the screenshots' index. */
  title: string;
  role: Role | 'signedOut';
  path: () => string;
  /** After the page shows: a step a person takes (sign in to a later step, open a panel). */
  then?: (page: Page, school: School) => Promise<void>;
}

export interface School {
  server: ServerProcess;
  agent: AgentProcess;
  clients: Record<Role, ApiClient>;
  roomId: string;
  incidentId: string;
  pages: DashboardPage[];
  stop(): Promise<void>;
}

const emails: Record<Role, string> = {
  admin: 'head@oakfield.sch.test',
  dsl: 'dsl@oakfield.sch.test',
  teacher: 'teacher@oakfield.sch.test',
  technician: 'tech@oakfield.sch.test',
};
/** A new member of staff with a temporary password, and a DSL who has no second factor yet. */
const newcomerEmail = 'new.teacher@oakfield.sch.test';
const newDslEmail = 'deputy.dsl@oakfield.sch.test';

/** Signs in through the page in its own cookie jar: the tour's signed-out context is shared. */
async function signInFresh(page: Page, school: School, email: string): Promise<void> {
  await page.context().clearCookies();
  await signInUi(page, email, password, { url: school.server.url });
}

async function ok<T>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A school as it looks after a few weeks: rooms, staff, a computer online, a concern recorded. */
export async function openSchool(): Promise<School> {
  const server = await ServerProcess.start(tempDir('tour-server'));
  const admin = new ApiClient(server.url);
  await admin.setup(emails.admin, password, 'Ms Head');
  const clients: Record<Role, ApiClient> = { admin, dsl: admin, teacher: admin, technician: admin };
  const names: Record<Exclude<Role, 'admin'>, string> = {
    dsl: 'Mr Jones (DSL)',
    teacher: 'Mrs Evans',
    technician: 'Dai Technician',
  };
  for (const role of ['dsl', 'teacher', 'technician'] as const) {
    await ok(
      admin.json('POST', '/api/users', {
        email: emails[role],
        displayName: names[role],
        role,
        password,
        temporaryPassword: false,
      }),
      `create ${role}`,
    );
    const client = new ApiClient(server.url);
    await client.login(emails[role], password);
    // Safeguarding records open only after a second factor (issue 17): the DSL and teacher have one.
    if (role === 'dsl' || role === 'teacher') await client.enrolSecondFactor();
    clients[role] = client;
  }
  await ok(
    admin.json('POST', '/api/users', {
      email: newcomerEmail,
      displayName: 'Mr Newydd',
      role: 'teacher',
      password,
    }),
    'create a newcomer',
  );
  await ok(
    admin.json('POST', '/api/users', {
      email: newDslEmail,
      displayName: 'Ms Deputy (DSL)',
      role: 'dsl',
      password,
      temporaryPassword: false,
    }),
    'create a DSL without a second factor',
  );
  const room = await admin.createRoom('Year 4 Willow');
  await admin.createRoom('ICT suite');
  const token = await admin.createToken(room.id, { label: 'Willow, autumn term' });
  const agent = new AgentProcess({
    server: server.url,
    token: token.token,
    dataDir: tempDir('tour-agent'),
    name: 'WILLOW-PC01',
  });
  await waitFor(async () => (await admin.devices(room.id)).some((d) => d.online), {
    timeoutMs: 30_000,
    what: 'the tour agent to come online',
  });
  const teacherId = (
    await ok(admin.json<{ users: { id: string; email: string }[] }>('GET', '/api/users'), 'users')
  ).users.find((u) => u.email === emails.teacher)?.id;
  await ok(admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [teacherId] }), 'room staff');
  // The school's roster: Mrs Evans's class is taught in her room (its location), Year 6 has no room yet.
  const roster = await uploadRoster(
    admin,
    rosterFiles({
      pupils: [
        { id: 'p-1', given: 'Sam', family: 'Pupil', grades: '4', username: 'spupil' },
        { id: 'p-2', given: 'Alys', family: 'Hughes', grades: '4', username: 'ahughes' },
        { id: 'p-3', given: 'Osian', family: 'Rees', grades: '6', username: 'orees' },
      ],
      teachers: [{ id: 't-1', given: 'Mair', family: 'Evans', email: emails.teacher }],
      classes: [
        { id: 'c-4', title: 'Year 4 Willow', grades: '4', location: 'Year 4 Willow' },
        { id: 'c-6', title: 'Year 6 Oak', grades: '6' },
      ],
      enrolments: [
        ['c-4', 'p-1', 'student'],
        ['c-4', 'p-2', 'student'],
        ['c-6', 'p-3', 'student'],
        ['c-4', 't-1', 'teacher'],
      ],
    }),
  );
  if (roster.status !== 200) throw new Error(`roster: ${roster.status} ${JSON.stringify(roster.body)}`);
  await ok(
    clients.dsl.json('POST', '/api/watchlists/entries', {
      kind: 'keyword',
      pattern: 'knife fight',
      category: 'violence',
      severity: 'high',
      note: 'Added after the assembly on staying safe',
    }),
    'watch list entry',
  );
  const incident = await ok(
    clients.teacher.json<{ id: string }>('POST', '/api/incidents', {
      summary: 'Pupil said an online friend asked for photos',
      category: 'grooming',
      subject: { name: 'Sam Pupil' },
      details: {
        pupilWords: 'He said he was 12 and asked me to send a picture and not tell anyone.',
        recorderName: 'Mrs Evans',
      },
    }),
    'incident',
  );
  await ok(
    clients.dsl.json('POST', `/api/incidents/${incident.id}/actions`, {
      what: 'Speak to parents',
      who: 'Mr Jones',
      due: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
    }),
    'action',
  );
  await ok(
    clients.dsl.json('POST', '/api/supervision', { roomId: room.id, durationMinutes: 60 }),
    'supervise',
  );

  const pages: DashboardPage[] = [
    { id: 'sign-in', title: 'Sign in', role: 'signedOut', path: () => '/login' },
    { id: 'home-dsl', title: 'Home: the DSL’s day', role: 'dsl', path: () => '/' },
    { id: 'home-teacher', title: 'Home: a teacher’s rooms and lesson', role: 'teacher', path: () => '/' },
    { id: 'home-technician', title: 'Home: device health', role: 'technician', path: () => '/' },
    { id: 'rooms', title: 'Rooms', role: 'admin', path: () => '/rooms' },
    {
      id: 'room-supervised',
      title: 'A room, supervised by the DSL',
      role: 'dsl',
      path: () => `/rooms/${room.id}`,
    },
    {
      id: 'room-teacher',
      title: 'A room, as its teacher sees it',
      role: 'teacher',
      path: () => `/rooms/${room.id}`,
    },
    { id: 'devices', title: 'Devices (technician)', role: 'technician', path: () => '/devices' },
    { id: 'enrolment', title: 'Enrolment', role: 'technician', path: () => '/enrolment' },
    { id: 'incidents', title: 'Incidents (DSL)', role: 'dsl', path: () => '/incidents' },
    { id: 'incidents-teacher', title: 'Incidents (teacher)', role: 'teacher', path: () => '/incidents' },
    { id: 'incident', title: 'An incident', role: 'dsl', path: () => `/incidents/${incident.id}` },
    {
      id: 'incidents-filtered',
      title: 'Incidents, filtered by category and date (a bookmarked view)',
      role: 'dsl',
      path: () => '/incidents?category=grooming&from=2026-01-01',
    },
    {
      id: 'incident-status-dialog',
      title: 'An incident: confirming a change of status',
      role: 'dsl',
      path: () => `/incidents/${incident.id}`,
      then: async (page) => {
        await page.locator('.incident-work form button[type="submit"]').first().click();
        await page.locator('dialog.confirm-dialog[open]').waitFor();
      },
    },
    {
      id: 'incident-print',
      title: 'An incident’s printable record',
      role: 'dsl',
      path: () => `/incidents/${incident.id}/print`,
    },
    { id: 'incident-log', title: 'Printable incident log', role: 'dsl', path: () => '/incidents/print' },
    { id: 'chronology', title: 'Pupil chronology', role: 'dsl', path: () => '/chronology?pupil=Sam%20Pupil' },
    { id: 'governors', title: 'Governors’ report', role: 'dsl', path: () => '/reports/governors' },
    { id: 'safeguarding', title: 'Safeguarding settings', role: 'dsl', path: () => '/safeguarding' },
    { id: 'supervision', title: 'Supervision', role: 'dsl', path: () => '/supervision' },
    { id: 'activity', title: 'Activity', role: 'dsl', path: () => '/activity' },
    { id: 'flags', title: 'Flags', role: 'dsl', path: () => '/flags' },
    { id: 'watchlists', title: 'Watch lists', role: 'dsl', path: () => '/watchlists' },
    { id: 'aup-policies', title: 'Computer rules (AUP policies)', role: 'dsl', path: () => '/aup/policies' },
    { id: 'aup-register', title: 'Acceptance register', role: 'dsl', path: () => '/aup/register' },
    { id: 'users', title: 'Staff accounts', role: 'admin', path: () => '/users' },
    { id: 'schools', title: 'The trust’s schools', role: 'admin', path: () => '/schools' },
    { id: 'classes', title: 'Classes and their rooms', role: 'admin', path: () => '/classes' },
    { id: 'classes-teacher', title: 'Classes: a teacher’s own', role: 'teacher', path: () => '/classes' },
    { id: 'not-allowed', title: 'A page the role may not use', role: 'technician', path: () => '/incidents' },
    { id: 'not-found', title: 'Page not found', role: 'admin', path: () => '/no-such-page' },
    { id: 'account', title: 'Your account (DSL)', role: 'dsl', path: () => '/account' },
    {
      id: 'second-factor-setup',
      title: 'Setting up a second factor: the QR code',
      role: 'technician',
      path: () => '/account/second-factor',
      then: async (page) => {
        await page.locator('main button.button-primary').click();
        await page.locator('img.qr-code').waitFor();
      },
    },
    {
      id: 'users-sign-in-help',
      title: 'Staff accounts: sign-in help for one person',
      role: 'admin',
      path: () => '/users',
      then: async (page) => {
        await page.locator('table button[aria-expanded]').first().click();
        await page.locator('#manage-sign-in').waitFor();
      },
    },
    {
      id: 'reset-password',
      title: 'Choosing a new password from a reset link',
      role: 'signedOut',
      path: () => '/reset-password#hpr_not-a-real-link',
    },
    // These sign in within the page, so they come after every other signed-out page.
    {
      id: 'sign-in-code',
      title: 'Sign in: the code from the authenticator app',
      role: 'signedOut',
      path: () => '/login',
      then: async (page, school) => {
        await page.context().clearCookies();
        await page.goto(new URL('/login', school.server.url).toString());
        await page.locator('input[autocomplete="username"]').fill(emails.dsl);
        await page.locator('input[autocomplete="current-password"]').fill(password);
        await page.locator('form button[type="submit"]').click();
        await page.locator(codeInput).waitFor();
      },
    },
    {
      id: 'choose-password',
      title: 'A temporary password: choose a new one first',
      role: 'signedOut',
      path: () => '/login',
      then: async (page, school) => {
        await signInFresh(page, school, newcomerEmail);
        await page.locator('.auth-card-wide input[autocomplete="new-password"]').first().waitFor();
      },
    },
    {
      id: 'second-factor-prompt',
      title: 'A DSL without a second factor opens an incident',
      role: 'signedOut',
      path: () => '/login',
      then: async (page, school) => {
        await signInFresh(page, school, newDslEmail);
        await page.goto(new URL(`/incidents/${incident.id}`, school.server.url).toString());
        await page.locator('.second-factor-prompt').waitFor();
      },
    },
  ];

  return {
    server,
    agent,
    clients,
    roomId: room.id,
    incidentId: incident.id,
    pages,
    stop: async () => {
      await agent.kill();
      await server.stop();
    },
  };
}

/** A browser context signed in as `role` (or signed out), showing the dashboard in `language`. */
export async function staffContext(
  browser: Browser,
  school: School,
  role: Role | 'signedOut',
  language: UiLanguage,
  size: Width,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: 'en-GB',
    reducedMotion: 'reduce',
  });
  await context.addInitScript((lng: string) => {
    window.localStorage.setItem('harbour.language', lng);
  }, language);
  if (role !== 'signedOut') {
    await shareSession(context, school.clients[role], school.server.url);
  }
  return context;
}

/** Opens a dashboard page and waits until it has finished loading its data. */
export async function showDashboardPage(page: Page, school: School, target: DashboardPage): Promise<void> {
  await page.goto(new URL(target.path(), school.server.url).toString());
  await page.locator('h1').first().waitFor();
  // Every page says "Loading…" (in either language) while it waits for the server.
  await waitFor(
    async () =>
      (await page
        .locator('main')
        .getByText(/Loading|Wrthi’n llwytho/)
        .count()) === 0 &&
      (await page.locator('h1').first().textContent())?.match(/Loading|Wrthi’n llwytho/) === null,
    { timeoutMs: 15_000, what: `${target.id} to finish loading` },
  );
  if (target.id === 'room-supervised' || target.id === 'room-teacher') {
    await page.locator('.live-status-live').waitFor();
    await page.locator('[data-device-id]').first().waitFor();
  }
  if (target.id === 'governors') await page.getByTestId('governors-total').waitFor();
  if (target.id === 'incident' || target.id === 'incident-status-dialog')
    await page.locator('#history-heading').waitFor();
  if (target.id === 'incident-print') await page.locator('#print-opened-heading').waitFor();
  if (target.then) {
    await target.then(page, school);
    await waitFor(
      async () =>
        (await page
          .locator('main')
          .getByText(/Loading|Wrthi’n llwytho/)
          .count()) === 0,
      {
        timeoutMs: 15_000,
        what: `${target.id} to finish loading after its step`,
      },
    );
  }
  await page.evaluate(() => document.fonts.ready);
}

// ---- pupil screens ---------------------------------------------------------

export interface PupilScreen {
  id: string;
  title: string;
  path: string;
  /** After the page shows: a step a pupil takes (open the PIN box, press "I don't agree"). */
  then?: (page: Page) => Promise<void>;
  state: PupilState;
}

export interface PupilState {
  aup?: 'ks1' | 'ks2';
  tell?: { status: 'covered' | 'acknowledged'; pupilsMayRelease: boolean };
  teacher?: {
    cover: { message: string | null; teacherName: string } | null;
    message: { text: string; teacherName: string } | null;
  };
}

export const pupilScreens: PupilScreen[] = [
  { id: 'aup-ks1', title: 'AUP gate, KS1 (large, with pictures)', path: '/aup', state: { aup: 'ks1' } },
  { id: 'aup-ks2', title: 'AUP gate, KS2', path: '/aup', state: { aup: 'ks2' } },
  {
    id: 'aup-decline',
    title: 'AUP gate: “Are you sure?” after “I don’t agree”',
    path: '/aup',
    state: { aup: 'ks1' },
    then: async (page) => {
      await page.locator('.aup-actions .button-decline').click();
      await page.locator('#aup-confirm-title').waitFor();
    },
  },
  {
    id: 'cover',
    title: 'Help cover: a grown-up is coming',
    path: '/cover',
    state: { tell: { status: 'covered', pupilsMayRelease: false } },
  },
  {
    id: 'cover-on-the-way',
    title: 'Help cover: the teacher is on the way, the grown-ups’ PIN box open',
    path: '/cover',
    state: { tell: { status: 'acknowledged', pupilsMayRelease: true } },
    then: async (page) => {
      await page.locator('.cover-adult .button-quiet').last().click();
      await page.locator('#pin').waitFor();
    },
  },
  { id: 'badge', title: 'Help badge', path: '/badge', state: {} },
  {
    id: 'eyes',
    title: 'Eyes on me',
    path: '/eyes',
    state: { teacher: { cover: { message: null, teacherName: 'Mrs Evans' }, message: null } },
  },
  {
    id: 'message',
    title: 'A teacher’s message',
    path: '/message',
    state: {
      teacher: {
        cover: null,
        message: { text: 'Save your work: five minutes left.', teacherName: 'Mrs Evans' },
      },
    },
  },
];

export interface PupilPages {
  ui: UiServer;
  state: PupilState;
  language: UiLanguage;
  /** The release answers it gave, newest last. */
  releases: number;
  stop(): Promise<void>;
}

/** The agent's real UI server with the built pupil pages; the tour sets what each route answers. */
export async function pupilPages(): Promise<PupilPages> {
  const ui = new UiServer({ logger: pino({ level: 'silent' }) });
  const pages: PupilPages = { ui, state: {}, language: 'en', releases: 0, stop: () => ui.stop() };
  ui.route({
    method: 'GET',
    path: '/api/aup/current',
    handler: (): AupPage => {
      const audience = pages.state.aup ?? 'ks1';
      const content = (pages.language === 'cy' ? samplePoliciesCy : samplePolicies)[audience];
      if (!content) throw new Error('no sample');
      return {
        user: { username: 'amy.pupil', displayName: 'Amy' },
        audience: { id: audience, name: audience },
        version: 1,
        textHash: 'a'.repeat(64),
        content,
        source: 'server',
        language: pages.language,
      };
    },
  });
  ui.route({ method: 'POST', path: '/api/aup/decision', handler: () => ({ ok: true }) });
  ui.route({
    method: 'GET',
    path: '/api/tell/state',
    handler: () => ({
      status: pages.state.tell?.status ?? 'none',
      by: pages.state.tell?.status === 'acknowledged' ? 'Mrs Evans' : null,
      told: true,
      pupilsMayRelease: pages.state.tell?.pupilsMayRelease ?? false,
      online: true,
    }),
  });
  ui.route({ method: 'POST', path: '/api/tell', handler: () => ({}) });
  ui.route({ method: 'POST', path: '/api/tell/details', handler: () => ({ ok: true }) });
  ui.route({
    method: 'POST',
    path: '/api/tell/release',
    handler: () => {
      pages.releases++;
      // What the agent says when the school has set no PIN: words for an adult, not a child.
      return { released: false, message: 'No staff PIN has been set up yet.' };
    },
  });
  ui.route({
    method: 'GET',
    path: '/api/teacher/state',
    handler: () => pages.state.teacher ?? { cover: null, message: null },
  });
  ui.route({ method: 'POST', path: '/api/teacher/message/dismiss', handler: () => ({ ok: true }) });
  await ui.start();
  return pages;
}

/** Shows one pupil screen in `language` at `size`, as the agent's overlay would open it. */
export async function showPupilScreen(
  browser: Browser,
  pages: PupilPages,
  screen: PupilScreen,
  language: UiLanguage,
  size: Width,
): Promise<{ page: Page; close: () => Promise<void> }> {
  pages.state = screen.state;
  pages.language = language;
  pages.ui.language = language;
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: 'en-GB',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  await page.goto(pages.ui.entryUrl(screen.path));
  await page.locator('main').waitFor();
  await waitFor(async () => (await page.getByText(/^(Loading…|Wrthi’n llwytho…)$/).count()) === 0, {
    what: `${screen.id} to load`,
  });
  if (screen.path === '/aup') await page.locator('#aup-title').waitFor();
  if (screen.path === '/message') await page.getByText('Save your work').waitFor();
  if (screen.path === '/eyes') await page.locator('.from').waitFor();
  if (screen.path === '/cover' && screen.state.tell?.status === 'acknowledged')
    await page.locator('.cover[data-status="acknowledged"]').waitFor();
  await screen.then?.(page);
  await page.evaluate(() => document.fonts.ready);
  return { page, close: () => context.close() };
}

// ---- checks ------------------------------------------------------------------

/** Every axe-core violation on the page, of any impact, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.impact ?? 'unknown'} ${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`,
    ),
  );
}

/** How far the page is wider than the window (0 when it fits). */
export async function overflowPx(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}
