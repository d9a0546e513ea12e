/**
 * Pupil screens that hold (issue 13), tried as a curious ten-year-old would, for real: the
 * built server, a real agent process (`--aup on --help-badge`) on Xvfb + openbox, an xterm
 * the pupil was typing into behind, and the screen captured continuously. Every key and
 * gesture that got past the old gate is pressed against the AUP gate, the tell cover and
 * eyes-on-me; Chromium's window and process are killed in loops. The test fails on any
 * frame showing the desktop or the xterm after a screen first showed, and on any key
 * reaching the xterm.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '@harbour/shared';
import { cmdline, descendants } from '../support/proc-tree.js';
import { ApiClient } from '../support/api.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { ScreenWatch } from '../support/screen-watch.js';
import { waitFor } from '../support/wait.js';
import { centreOf, colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

const desktop: Rgb = [255, 0, 255];
const xtermColour: Rgb = [0, 200, 200];
const aupBackground: Rgb = [238, 246, 251];
const coverColour: Rgb = [234, 244, 239];
const eyesBlue: Rgb = [11, 79, 108];
const badgeColour: Rgb = [255, 183, 3];
const password = 'a long enough password';

let x: XDisplay;
let server: ServerProcess;
let admin: ApiClient;
let dsl: ApiClient;
let teacher: ApiClient;
let agent: AgentProcess;
let roomId = '';
const agentDir = tempDir('screens-hold-agent');
const typed = path.join(tempDir('screens-hold-xterm'), 'typed');
let token = '';

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const key = (...keys: string[]) => x.run('xdotool', ['key', '--clearmodifiers', ...keys]);

/** Harbour's Chromium browser process (the one with the DevTools pipe), if it runs. */
function harbourChromium(): number | null {
  const pid = agent.proc.pid ?? 0;
  return descendants(pid).find((p) => cmdline(p).includes('--remote-debugging-pipe')) ?? null;
}

/** Text on the page (dark ink): the page itself, not just Harbour's solid window under it. */
const inked = (shot = x.capture()) => colourShare(shot, [20, 32, 43], 40) > 0.001;

const nothingBehind = () => {
  const shot = x.capture();
  return colourShare(shot, desktop) === 0 && colourShare(shot, xtermColour) === 0;
};

async function incidents(): Promise<IncidentSummary[]> {
  return (await dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents')).body.incidents;
}

async function releaseAll(): Promise<void> {
  const alerts = (await dsl.json<{ alerts: { incidentId: string }[] }>('GET', '/api/tell/alerts')).body
    .alerts;
  for (const a of alerts) await dsl.json('POST', `/api/tell/${a.incidentId}/release`, {});
}

/** Everything the issue lists, pressed and tried while a pupil screen is up. */
async function tryEverything(watch: ScreenWatch): Promise<void> {
  const attempts: [string, () => Promise<unknown>][] = [
    ['Super+D', () => key('super+d')],
    ['Ctrl+Alt+Left', () => key('ctrl+alt+Left')],
    ['Ctrl+Alt+Right', () => key('ctrl+alt+Right')],
    ['Shift+Alt+Right', () => key('shift+alt+Right')],
    ['Alt+Space, Iconify', () => key('alt+space', 'n', 'Down', 'Return')],
    ['Alt+F4', () => key('alt+F4')],
    ['Alt+Tab then typing', () => key('alt+Tab', 'l', 'e', 'a', 'k', 'Return')],
    ['Ctrl+W', () => key('ctrl+w')],
    ['Ctrl+N', () => key('ctrl+n')],
    ['Ctrl+Shift+N', () => key('ctrl+shift+n')],
    ['Ctrl+O', () => key('ctrl+o')],
    ['Ctrl+P', () => key('ctrl+p')],
    ['F11', () => key('F11')],
    ['F12', () => key('F12')],
    ['Escape', () => key('Escape')],
    // A program asking the window manager (not a key: those never reach it) to show the
    // desktop: it hides the pupil's windows, never Harbour's; then it is asked to undo that.
    [
      'show desktop (wmctrl -k on)',
      () => x.run('wmctrl', ['-k', 'on']).then(() => settle(300).then(() => x.run('wmctrl', ['-k', 'off']))),
    ],
    [
      'switch desktop (wmctrl -s 1)',
      () => x.run('wmctrl', ['-s', '1']).then(() => x.run('wmctrl', ['-s', '0'])),
    ],
    [
      'clicks everywhere',
      () => x.run('xdotool', ['mousemove', '3', '3', 'click', '1', 'mousemove', '1000', '680', 'click', '3']),
    ],
  ];
  for (const [what, attempt] of attempts) {
    watch.during = what;
    await attempt().catch(() => undefined);
    await settle();
  }
  // Closing and killing Harbour's Chromium: its window by the window manager's and xdotool's
  // means, then its process, in loops.
  for (let round = 0; round < 3; round++) {
    const pid = await waitFor(() => harbourChromium(), { timeoutMs: 30_000, what: 'Harbour’s Chromium' });
    const windows = (await x.run('xdotool', ['search', '--pid', String(pid)]).catch(() => ''))
      .split('\n')
      .filter(Boolean);
    const action = (['windowclose', 'windowkill', 'windowquit'] as const)[round]!;
    watch.during = `xdotool ${action} on Chromium’s windows`;
    for (const w of windows) await x.run('xdotool', [action, w]).catch(() => undefined);
    await settle(800);
    watch.during = `wmctrl -c on Chromium’s window`;
    await x.run('wmctrl', ['-c', 'Chromium']).catch(() => undefined);
    await settle(300);
  }
  for (let round = 0; round < 6; round++) {
    // A machine as loaded as CI's can take a while to start Chromium again after the last kill.
    const pid = await waitFor(() => harbourChromium(), { timeoutMs: 60_000, what: 'Harbour’s Chromium' });
    watch.during = `kill -9 Chromium (${round + 1} of 6)`;
    process.kill(pid, 'SIGKILL');
    await settle(round % 2 === 0 ? 150 : 700);
  }
}

beforeAll(async () => {
  x = await XDisplay.start('1024x700');
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  fs.writeFileSync(typed, '');
  // The application the pupil was using: every key that reaches it lands in `typed`.
  x.launch('xterm', [
    '-bg',
    '#00c8c8',
    '-fg',
    '#00c8c8',
    '-geometry',
    '80x24+120+90',
    '-e',
    'sh',
    '-c',
    `stty raw -echo; exec cat > ${typed}`,
  ]);
  await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, { timeoutMs: 15_000, what: 'the xterm' });
  server = await ServerProcess.start(tempDir('screens-hold-server'), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  const created: Record<string, string> = {};
  for (const role of ['dsl', 'teacher'] as const) {
    const r = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
      temporaryPassword: false,
      email: `${role}@school.test`,
      displayName: role === 'dsl' ? 'Mrs Lead' : 'Mr Class',
      role,
      password,
    });
    created[role] = r.body.user.id;
  }
  dsl = new ApiClient(server.url);
  await dsl.login('dsl@school.test', password);
  await dsl.enrolSecondFactor(); // the DSL opens the reports (issue 17)
  teacher = new ApiClient(server.url);
  await teacher.login('teacher@school.test', password);
  const room = await admin.createRoom('Year 5 Elm');
  roomId = room.id;
  await admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [created.teacher] });
  ({ token } = await admin.createToken(room.id));
}, 90_000);

afterAll(async () => {
  fs.writeFileSync('test-results/screens-hold-agent.log', agent?.output ?? '');
  await agent?.kill('SIGTERM');
  await server?.stop();
  await x?.stop();
});

describe('pupil screens hold on a real X display', () => {
  it('the AUP gate: no key, gesture, close or kill shows the desktop or reaches the application behind', async () => {
    agent = new AgentProcess({
      server: server.url,
      token,
      dataDir: agentDir,
      name: 'ELM-PC-04',
      extra: ['--aup', 'on', '--help-badge'],
      env: x.env,
    });
    await waitFor(
      () => {
        const shot = x.capture();
        return colourShare(shot, aupBackground, 6) > 0.3 && nothingBehind();
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `the AUP gate\n${agent.output.slice(-2000)}` },
    );
    const watch = new ScreenWatch(x, [desktop, xtermColour]);
    watch.start();
    await tryEverything(watch);
    // The page is back after the kills: the gate's own colour again, and it still answers keys.
    await waitFor(
      () => {
        const shot = x.capture();
        return colourShare(shot, aupBackground, 6) > 0.3 && inked(shot);
      },
      { timeoutMs: 30_000, what: 'the AUP page after the kills' },
    );
    const result = await watch.stop();
    x.snapshot('screens-hold-aup-after');
    console.log(`AUP gate: ${result.frames} captures, ${result.glimpses.length} glimpses`);
    expect(result.glimpses, 'frames that showed the desktop or the xterm').toEqual([]);
    expect(fs.readFileSync(typed, 'utf8'), 'keys that reached the xterm').toBe('');
    // No browser window of Harbour's is managed by the window manager (Ctrl+N, window.open, file dialogs).
    const managed = await x.run('wmctrl', ['-lp']);
    const chromium = harbourChromium();
    expect(managed.split('\n').filter((l) => chromium && l.split(/\s+/)[2] === String(chromium))).toEqual([]);
  }, 240_000);

  it('no UI ticket, UI secret or enrolment token on the command line of any process the agent started', async () => {
    await waitFor(() => harbourChromium(), { what: 'Harbour’s Chromium' });
    const pids = descendants(agent.proc.pid ?? 0);
    expect(pids.length).toBeGreaterThan(2);
    for (const pid of pids) {
      const line = cmdline(pid);
      expect(line, `pid ${pid}`).not.toMatch(/ticket|_enter/);
      expect(line, `pid ${pid}`).not.toContain(token);
    }
    // One Chromium for the session's screens, one renderer for their pages (Chromium 156 adds
    // one for its own omnibox popup WebUI, which no flag turns off: counted in the benchmark).
    const renderers = pids.filter(
      (p) => cmdline(p).includes('--type=renderer') && !cmdline(p).includes('--top-chrome-webui'),
    );
    expect(renderers.length, renderers.map((p) => cmdline(p).slice(0, 400)).join('\n')).toBeLessThanOrEqual(
      1,
    );
  });

  it('"I agree" with the keyboard alone still works after all that', async () => {
    await settle(1000);
    // The clicks moved the focus to the page's body; a click on the heading puts it back where a
    // pupil who never clicked has it (the language buttons come before it in the Tab order).
    await x.run('xdotool', ['mousemove', '100', '125', 'click', '1']);
    await settle(300);
    x.snapshot('screens-hold-before-agree');
    await key('Tab', 'Tab', 'Return');
    await waitFor(
      () => colourShare(x.capture(), xtermColour) > 0.2 && colourShare(x.capture(), aupBackground, 6) < 0.01,
      {
        timeoutMs: 20_000,
        what: 'the desktop after "I agree"',
      },
    );
    expect(fs.readFileSync(typed, 'utf8')).toBe('');
  });

  it('the badge: the report’s evidence is the screen before the cover, its window the pupil’s; the cover holds', async () => {
    const at = await waitFor(() => centreOf(x.capture(), badgeColour), {
      timeoutMs: 30_000,
      what: 'the badge',
    });
    // The badge never takes the keyboard: what the pupil types still goes to the xterm.
    await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
    await waitFor(() => colourShare(x.capture(), coverColour, 6) > 0.5 && nothingBehind(), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the cover',
    });
    const watch = new ScreenWatch(x, [desktop, xtermColour]);
    watch.start();
    // Ctrl+Alt+H while covered: no second report.
    watch.during = 'Ctrl+Alt+H while covered';
    await key('ctrl+alt+h');
    await tryEverything(watch);
    await waitFor(() => colourShare(x.capture(), coverColour, 6) > 0.5, {
      timeoutMs: 30_000,
      what: 'the cover page',
    });
    const result = await watch.stop();
    expect(result.glimpses).toEqual([]);
    expect(fs.readFileSync(typed, 'utf8')).toBe('');
    const list = await waitFor(
      async () => {
        const l = await incidents();
        return l.length === 1 && l[0]!.evidence[0]?.received ? l : undefined;
      },
      { timeoutMs: 30_000, what: 'the report with its screenshot' },
    );
    const { body: incident } = await dsl.json<{
      window: { app: string | null; title: string | null } | null;
    }>('GET', `/api/incidents/${list[0]!.id}`);
    expect(incident.window?.app).toBe('XTerm');
    const res = await dsl.request(
      'GET',
      `/api/incidents/${list[0]!.id}/evidence/${list[0]!.evidence[0]!.sha256}`,
    );
    const png = Buffer.from(await res.arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const shot = { width: info.width, height: info.height, rgba: Buffer.from(data), png };
    // Captured before any Harbour window appeared: the xterm is there, no cover.
    expect(
      colourShare(info.channels === 4 ? shot : { ...shot, rgba: toRgba(data) }, xtermColour),
    ).toBeGreaterThan(0.2);
    expect(
      colourShare(info.channels === 4 ? shot : { ...shot, rgba: toRgba(data) }, coverColour, 6),
    ).toBeLessThan(0.01);
    await releaseAll();
    await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, {
      timeoutMs: 20_000,
      what: 'the xterm again',
    });
  }, 240_000);

  it('Ctrl+Alt+H on the desktop covers the screen and reports; a click right after release makes exactly one more', async () => {
    const before = (await incidents()).length;
    await key('ctrl+alt+h');
    await waitFor(() => colourShare(x.capture(), coverColour, 6) > 0.5 && nothingBehind(), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the cover after Ctrl+Alt+H',
    });
    await waitFor(async () => (await incidents()).length === before + 1, { what: 'the Ctrl+Alt+H report' });
    expect(fs.readFileSync(typed, 'utf8'), 'Ctrl+Alt+H reached the xterm').toBe('');
    await releaseAll();
    // The moment the page is back, the badge again: one report, one cover.
    await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: 'the release',
    });
    const at = await waitFor(() => centreOf(x.capture(), badgeColour), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the badge',
    });
    await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1', 'click', '1']);
    await waitFor(() => colourShare(x.capture(), coverColour, 6) > 0.5 && nothingBehind(), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the cover right after the release',
    });
    await waitFor(async () => (await incidents()).length === before + 2, { what: 'the second report' });
    await settle(1500);
    expect((await incidents()).length).toBe(before + 2);
  }, 120_000);

  it('agent killed while covered: its windows go; the restarted agent shows one badge and one cover; release works', async () => {
    await agent.kill('SIGKILL');
    // The X server destroyed every window of the dead agent; Chromium left when its pipe closed.
    await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, {
      timeoutMs: 10_000,
      what: 'the windows gone',
    });
    const tree = await x.run('xwininfo', ['-root', '-tree']);
    expect(tree).not.toMatch(/Harbour (screen|help)/);
    await waitFor(
      () =>
        !fs
          .readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .some(
            (n) =>
              cmdline(Number(n)).includes(agentDir) ||
              /harbour-overlay-.*remote-debugging-pipe/.test(cmdline(Number(n))),
          ),
      { timeoutMs: 10_000, what: 'Chromium to exit' },
    ).catch(() => undefined);
    agent = new AgentProcess({
      server: server.url,
      dataDir: agentDir,
      extra: ['--aup', 'on', '--help-badge'],
      env: x.env,
    });
    // The report is still open: the cover comes back, once.
    await waitFor(() => colourShare(x.capture(), coverColour, 6) > 0.5 && nothingBehind(), {
      timeoutMs: 60_000,
      what: `the cover after the restart\n${agent.output.slice(-2000)}`,
    });
    await settle(1500);
    const windows = await x.run('xwininfo', ['-root', '-tree']);
    expect(windows.match(/"Harbour help"/g) ?? []).toHaveLength(1);
    expect(windows.match(/"Harbour screen"/g) ?? []).toHaveLength(1);
    await releaseAll();
    await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, {
      timeoutMs: 30_000,
      what: 'the xterm after release',
    });
  }, 120_000);

  it('eyes on me: "done" only once the cover is painted; the cover holds', async () => {
    const session = await teacher.json<{ id: string }>('POST', '/api/supervision', { roomId });
    expect(session.status).toBe(201);
    const control = await teacher.json<{ id: string }>(
      'POST',
      `/api/supervision/${session.body.id}/controls`,
      {
        kind: 'cover',
      },
    );
    expect(control.status).toBe(201);
    await waitFor(
      async () => {
        const { body } = await teacher.json<{ actions: { id: string; targets: { state: string }[] }[] }>(
          'GET',
          `/api/supervision/${session.body.id}/controls`,
        );
        return body.actions
          .find((a) => a.id === control.body.id)
          ?.targets.some((t) => t.state === 'acknowledged');
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'the acknowledgement' },
    );
    // Acknowledged means painted: the very next capture shows the eyes-on-me page.
    expect(colourShare(x.capture(), eyesBlue)).toBeGreaterThan(0.5);
    const watch = new ScreenWatch(x, [desktop, xtermColour]);
    watch.start();
    await tryEverything(watch);
    await waitFor(() => colourShare(x.capture(), eyesBlue) > 0.5, {
      timeoutMs: 30_000,
      what: 'eyes on me after the kills',
    });
    const result = await watch.stop();
    expect(result.glimpses).toEqual([]);
    expect(fs.readFileSync(typed, 'utf8')).toBe('');
    await teacher.json('POST', `/api/supervision/${session.body.id}/controls`, { kind: 'release' });
    await waitFor(() => colourShare(x.capture(), xtermColour) > 0.2, {
      timeoutMs: 20_000,
      what: 'the xterm after release',
    });
  }, 240_000);
});

/** sharp gives RGB for an opaque PNG; colourShare reads RGBA. */
function toRgba(rgb: Buffer): Buffer {
  const out = Buffer.alloc((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i]!;
    out[j + 1] = rgb[i + 1]!;
    out[j + 2] = rgb[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}
