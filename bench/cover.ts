/**
 * Click to every display covered, for real: the agent's help badge on Xvfb + openbox,
 * clicked through XTEST like a pupil's mouse; the cover is detected by polling screen
 * captures (node-screenshots). Two moments are reported per click: the first frame with no
 * pixel of the upsetting page left and the cover's colour on the screen (Harbour's own
 * window, painted by the X server), and the first frame that shows the cover page's content
 * (its words: dark text on the cover colour). Each round is released from the dashboard.
 *
 * Also: the PSS of the agent's whole process tree with the cover ready and the badge on
 * (and, when HARBOUR_BENCH_BASELINE_AGENT names another build's agent/dist/cli.js, the same
 * for that build: "before"), and the foreground probe's cost: programs started per second
 * and the delay from a window switch to the probe's change event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { agentNodeFlags } from '../agent/src/node/node-flags.js';
import type { XTestExt } from 'x11';
import { X11Connection } from '../agent/src/platform/x11/connection.js';
import { X11Desktop } from '../agent/src/platform/x11/desktop.js';
import { X11Foreground } from '../agent/src/platform/x11/foreground.js';
import { ApiClient } from '../test/support/api.js';
import { AgentProcess, ServerProcess } from '../test/support/processes.js';
import { centreOf, colourShare, XDisplay, type Capture, type Rgb } from '../test/support/xdisplay.js';
import { processTree, treePss } from './lib/proc.js';
import { round, summarise } from './lib/stats.js';
import { until } from './lib/wait.js';

const pageColour: Rgb = [255, 128, 0]; // the upsetting page: bright orange
const coverColour: Rgb = [234, 244, 239]; // the cover's background (#eaf4ef)
const ink: Rgb = [20, 32, 43]; // the pupil pages' text (#14202b)
const badgeColour: Rgb = [255, 183, 3]; // the help badge (#ffb703)
const adminEmail = 'cover-admin@harbour.test';
const dslEmail = 'cover-dsl@harbour.test';
const password = 'cover password long enough';

type Summary = { count: number; p50: number; p95: number; p99: number; max: number };
export interface Footprint {
  /** PSS of the agent and every process under it (Chromium's included), MB. */
  totalMb: number;
  chromiumMb: number;
  processes: number;
}
export interface CoverResult {
  rounds: number;
  screen: string;
  /** From the click to the first capture showing every display covered in the cover's colour (no page pixel). */
  clickToCoveredMs: Summary;
  /** From the click to the first capture that shows the cover page's content (its text), not a blank page. */
  clickToContentMs?: Summary;
  /** How long one screen capture (and its colour check) takes: the measurement's resolution. */
  captureMs: Summary;
  /** The agent's own log: from the badge press to the cover requested (the screen grab included). */
  agentCoverRequestedMs: Summary;
  /** Rounds in which the agent showed its prepared cover rather than loading it. */
  preparedRounds?: number;
  /** Rounds in which no Chromium ran at the press and the cover showed its kept picture first. */
  picturedRounds?: number;
  /** PSS of the agent's process tree with the cover ready and the badge on. */
  pss?: Footprint;
  /** The same for the baseline build (HARBOUR_BENCH_BASELINE_AGENT), if measured. */
  baselinePss?: Footprint & { agent: string };
  /** Programs the agent started per second (Chromium's own processes aside) over `probeSeconds`. */
  spawnsPerSecond?: number;
  /** What the agent started during the probe (command lines), for a failure to name. */
  spawned?: string[];
  probeSeconds?: number;
  /** Window switch (the window manager told to activate a window) → the X11 probe's change event. */
  switchToEventMs?: Summary;
}

const summary = (v: number[]): Summary => {
  const s = summarise(v);
  return { count: s.count, p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), max: round(s.max) };
};

const covered = (shot: Capture) =>
  colourShare(shot, pageColour) === 0 && colourShare(shot, coverColour, 6) > 0.5;
const content = (shot: Capture) => covered(shot) && colourShare(shot, ink, 40) > 0.002;

export async function runCover(opts: {
  rounds: number;
  probeSeconds?: number;
  log?: (l: string) => void;
}): Promise<CoverResult> {
  const log = opts.log ?? (() => undefined);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-cover-'));
  const screen = '1280x800';
  const x = await XDisplay.start(screen);
  let server: ServerProcess | undefined;
  let agent: AgentProcess | undefined;
  try {
    server = await ServerProcess.start(path.join(tmp, 'server'), {
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    const admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    await admin.json('POST', '/api/users', {
      email: dslEmail,
      displayName: 'DSL',
      role: 'dsl',
      password,
      temporaryPassword: false,
    });
    const dsl = new ApiClient(server.url);
    await dsl.login(dslEmail, password);
    await dsl.enrolSecondFactor();
    const room = await admin.createRoom('Cover');

    x.launch('chromium', [
      '--no-sandbox',
      '--test-type',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${path.join(tmp, 'page-profile')}`,
      '--window-position=40,40',
      '--window-size=1000,640',
      `--app=data:text/html,${encodeURIComponent('<title>page</title><body style="margin:0;background:rgb(255,128,0)">')}`,
    ]);
    await until(() => colourShare(x.capture(), pageColour) > 0.3, 30_000, 'the page');

    // Before: another build's agent, if named, measured the same way (cover ready, badge on).
    const baselineCli = process.env.HARBOUR_BENCH_BASELINE_AGENT;
    let baselinePss: CoverResult['baselinePss'];
    if (baselineCli && fs.existsSync(baselineCli)) {
      const { token } = await admin.createToken(room.id);
      baselinePss = {
        ...(await measureBaseline(baselineCli, server.url, token, tmp, x, log)),
        agent: baselineCli,
      };
      log(`  baseline agent tree: ${baselinePss.totalMb} MB PSS (${baselinePss.chromiumMb} MB Chromium)`);
      await until(() => colourShare(x.capture(), pageColour) > 0.3, 30_000, 'the page again');
    }

    const { token } = await admin.createToken(room.id);
    agent = new AgentProcess({
      server: server.url,
      dataDir: path.join(tmp, 'agent'),
      token,
      name: 'COVER-01',
      extra: ['--help-badge', '--log-level', 'info'],
      // Chromium goes 1 s after the cover is photographed (20 s in use): every round is then a
      // press at idle, with no browser running, as a pupil's press long after logon is.
      // As in a real graphical session, the agent is in a logind session: its probe's lock
      // check is in play (it may start loginctl only while the display is quiet).
      env: {
        ...x.env,
        HARBOUR_OVERLAY_LINGER_MS: '1000',
        XDG_SESSION_ID: process.env.XDG_SESSION_ID ?? 'c1',
      },
    });
    await until(async () => (await admin.devices(room.id))[0]?.online === true, 30_000, 'the agent online');
    const count = (text: string, what: string) => text.split(what).length - 1;
    const noChromium = () =>
      !processTree(agent!.proc.pid ?? 0).some((pid) => {
        try {
          return /chrom/i.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8'));
        } catch {
          return false;
        }
      });
    await until(() => count(agent!.output, 'overlay: prepared, hidden') > 0, 60_000, 'the cover prepared');
    await until(() => count(agent!.output, 'overlay: picture of the view kept') > 0, 60_000, 'the picture');
    await until(noChromium, 60_000, 'Chromium gone after its linger');
    await new Promise((r) => setTimeout(r, 5000));
    const pss = treePss(agent.proc.pid ?? 0);
    log(`  agent tree: ${pss.totalMb} MB PSS (${pss.chromiumMb} MB Chromium, ${pss.processes} processes)`);

    // The click comes from this process's own X connection (XTEST, as xdotool makes it), so
    // that starting a program is not part of the time measured: a pupil's mouse starts none.
    const mouse = await X11Connection.open(x.display);
    const xtest = await new Promise<XTestExt>((resolve, reject) =>
      mouse.X.require('xtest', (e, ext) => (e ? reject(e) : resolve(ext))),
    );
    const clickToCovered: number[] = [];
    const clickToContent: number[] = [];
    const captureMs: number[] = [];
    const agentMs: number[] = [];
    let preparedRounds = 0;
    let picturedRounds = 0;
    for (let round = 0; round < opts.rounds; round++) {
      // A pupil's click comes at any time: each round waits only for the cover to be ready again.
      await until(
        () => count(agent!.output, 'overlay: picture of the view kept') > round,
        60_000,
        'the cover photographed',
      );
      await until(noChromium, 60_000, 'Chromium gone after its linger');
      let at: { x: number; y: number } | null = null;
      await until(() => (at = centreOf(x.capture(), badgeColour)) !== null, 30_000, 'the help badge');
      const target = at as unknown as { x: number; y: number };
      xtest.FakeInput(xtest.MotionNotify, 0, 0, mouse.root, target.x, target.y);
      await mouse.X.sync();
      const logBefore = agent.output.length;
      const clicked = performance.now();
      xtest.FakeInput(xtest.ButtonPress, 1, 0, 0, 0, 0);
      xtest.FakeInput(xtest.ButtonRelease, 1, 0, 0, 0, 0);
      await mouse.X.flush();
      let coveredAt = 0;
      let contentAt = 0;
      await until(
        () => {
          const started = performance.now();
          const shot = x.capture();
          if (!coveredAt && covered(shot)) coveredAt = started;
          if (!contentAt && content(shot)) contentAt = started;
          captureMs.push(performance.now() - started);
          return contentAt > 0;
        },
        30_000,
        'the cover',
        0,
      );
      clickToCovered.push(coveredAt - clicked);
      clickToContent.push(contentAt - clicked);
      await until(() => /"coverMs":([\d.]+)/.test(agent!.output.slice(logBefore)), 10_000, 'the agent log');
      agentMs.push(Number(/"coverMs":([\d.]+)/.exec(agent.output.slice(logBefore))![1]));
      if (agent.output.slice(logBefore).includes('overlay: showing prepared windows')) preparedRounds++;
      if (agent.output.slice(logBefore).includes('overlay: covered with the picture')) picturedRounds++;
      const alerts = await until(
        async () => {
          const r = await dsl.json<{ alerts: { incidentId: string }[] }>('GET', '/api/tell/alerts');
          return r.body.alerts.length > 0 ? r.body.alerts : false;
        },
        30_000,
        'the alert',
      );
      for (const a of alerts) await dsl.json('POST', `/api/tell/${a.incidentId}/release`, {});
      await until(() => colourShare(x.capture(), pageColour) > 0.3, 30_000, 'the page again');
      const said = (what: string) => {
        const line = agent!.output
          .slice(logBefore)
          .split('\n')
          .find((l) => l.includes(what));
        return line ? Number(/"time":(\d+)/.exec(line)?.[1]) : NaN;
      };
      const pressed = said('help badge pressed');
      log(
        `  round ${round + 1}: covered ${Math.round(coveredAt - clicked)} ms, content ${Math.round(contentAt - clicked)} ms` +
          ` (agent: press → cover windows mapped ${said('overlay: showing prepared windows') - pressed} ms, → page painted ${said('overlay: page painted') - pressed} ms)`,
      );
    }

    mouse.close();
    // The foreground probe's cost: programs the agent starts while windows switch.
    const probeSeconds = opts.probeSeconds ?? 20;
    const spawned = await countSpawns(agent.proc.pid ?? 0, probeSeconds, x);
    log(
      `  programs started by the agent: ${spawned.length} in ${probeSeconds} s${spawned.length ? `: ${spawned.join('; ')}` : ''}`,
    );
    const switchToEvent = await foregroundLatency(x, opts.rounds < 5 ? 5 : 30);
    return {
      rounds: opts.rounds,
      screen,
      clickToCoveredMs: summary(clickToCovered),
      clickToContentMs: summary(clickToContent),
      captureMs: summary(captureMs),
      agentCoverRequestedMs: summary(agentMs),
      preparedRounds,
      picturedRounds,
      pss,
      ...(baselinePss ? { baselinePss } : {}),
      spawnsPerSecond: round(spawned.length / probeSeconds),
      spawned,
      probeSeconds,
      switchToEventMs: summary(switchToEvent),
    };
  } finally {
    await agent?.kill('SIGTERM');
    await server?.stop();
    await x.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Another build's agent with its badge, until its cover is ready; then its tree's PSS. */
async function measureBaseline(
  cli: string,
  server: string,
  token: string,
  tmp: string,
  x: XDisplay,
  log: (l: string) => void,
): Promise<Footprint> {
  const output: string[] = [];
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      ...agentNodeFlags,
      cli,
      '--server',
      server,
      '--enroll',
      token,
      '--data-dir',
      path.join(tmp, 'baseline'),
      '--help-badge',
    ],
    { env: x.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  try {
    await until(
      () => output.join('').includes('overlay: prepared, hidden'),
      90_000,
      'the baseline cover prepared',
    );
    await new Promise((r) => setTimeout(r, 5000));
    return treePss(proc.pid ?? 0);
  } catch (error) {
    log(`  baseline not measured: ${(error as Error).message}`);
    return { totalMb: 0, chromiumMb: 0, processes: 0 };
  } finally {
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
  }
}

/** New processes under the agent, Chromium's own aside, while xdotool switches windows every 2 s. */
async function countSpawns(agentPid: number, seconds: number, x: XDisplay): Promise<string[]> {
  // What a process is: its command line, or (a process that already exited and is a zombie
  // has none) its name from /proc/<pid>/stat. Chromium's own processes are not the probe's.
  const what = (pid: number): string | undefined => {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline) return cmdline;
      return /\((.*)\)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    } catch {
      return undefined; // gone before it could be read
    }
  };
  const chromium = (name: string) => /chrom/i.test(name);
  const seen = new Set(processTree(agentPid));
  const spawned: string[] = [];
  const end = performance.now() + seconds * 1000;
  let next = 0;
  while (performance.now() < end) {
    if (performance.now() > next) {
      next = performance.now() + 2000;
      // A pupil at work: the pointer moves and windows switch (a quiet display is when the
      // probe may ask logind whether the session is locked).
      void x
        .run('xdotool', ['mousemove_relative', '--', '3', '0'])
        .then(() => x.run('xdotool', ['search', '--onlyvisible', '--name', 'page', 'windowactivate']))
        .catch(() => undefined);
    }
    for (const pid of processTree(agentPid)) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      const name = what(pid);
      if (name !== undefined && !chromium(name)) spawned.push(name);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return spawned;
}

/**
 * Window switch → the X11 probe's change event, in process: another X client asks the window
 * manager to activate a window (a _NET_ACTIVE_WINDOW client message, as a click or Alt+Tab
 * makes it do), and the time to the probe's event is taken.
 */
async function foregroundLatency(x: XDisplay, switches: number): Promise<number[]> {
  for (const [i, colour] of ['#334455', '#554433'].entries())
    x.launch('xmessage', ['-bg', colour, '-geometry', `300x200+${60 + i * 340}+60`, `probe ${i}`]);
  const ids = await until(
    async () => {
      const found = (await x.run('xdotool', ['search', '--name', '^xmessage$']).catch(() => '')).split('\n');
      return found.filter(Boolean).length >= 2 ? found.filter(Boolean).map(Number) : false;
    },
    15_000,
    'the probe windows',
  );
  const desktop = new X11Desktop(pino({ level: 'silent' }), x.display);
  const probe = new X11Foreground({ desktop });
  const asker = await X11Connection.open(x.display);
  const out: number[] = [];
  try {
    await probe.activeWindow();
    const active = await asker.atom('_NET_ACTIVE_WINDOW');
    for (let i = 0; i < switches; i++) {
      const wid = ids[i % 2]!;
      let changed = 0;
      const off = probe.onChange(() => (changed ||= performance.now()));
      const started = performance.now();
      // SubstructureRedirect | SubstructureNotify: the EWMH way to ask the window manager.
      asker.X.SendEvent(asker.root, false, 0x180000, {
        name: 'ClientMessage',
        format: 32,
        wid,
        message_type: active,
        data: [2, 0, 0, 0, 0],
      });
      await until(() => changed > 0, 5000, 'the change event', 1);
      out.push(changed - started);
      off();
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    probe.close();
    desktop.close();
    asker.close();
  }
  return out;
}
