/**
 * Click to every display covered, for real: the agent's Chromium help badge on Xvfb +
 * openbox, clicked with xdotool like a pupil's mouse; the cover is detected by polling
 * screen captures (node-screenshots) for the cover page's calm colour with none of the
 * upsetting page left. Each round is released from the dashboard by the DSL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../test/support/api.js';
import { AgentProcess, ServerProcess } from '../test/support/processes.js';
import { centreOf, colourShare, XDisplay, type Rgb } from '../test/support/xdisplay.js';
import { round, summarise } from './lib/stats.js';
import { until } from './lib/wait.js';

const pageColour: Rgb = [255, 128, 0]; // the upsetting page: bright orange
const coverColour: Rgb = [234, 244, 239]; // the cover's background (#eaf4ef)
const badgeColour: Rgb = [255, 183, 3]; // the help badge (#ffb703)
const adminEmail = 'cover-admin@harbour.test';
const dslEmail = 'cover-dsl@harbour.test';
const password = 'cover password long enough';

type Summary = { count: number; p50: number; p95: number; p99: number; max: number };
export interface CoverResult {
  rounds: number;
  screen: string;
  /** From the click to the start of the first capture that shows every display covered. */
  clickToCoveredMs: Summary;
  /** How long one screen capture (and its colour check) takes: the measurement's resolution. */
  captureMs: Summary;
  /** The agent's own log: from the badge press to the cover requested (the screen grab included). */
  agentCoverRequestedMs: Summary;
  /** Rounds in which the agent showed its prepared (hidden) cover windows rather than starting Chromium. */
  preparedRounds?: number;
}

const summary = (v: number[]): Summary => {
  const s = summarise(v);
  return { count: s.count, p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), max: round(s.max) };
};

export async function runCover(opts: { rounds: number; log?: (l: string) => void }): Promise<CoverResult> {
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
    const { token } = await admin.createToken(room.id);

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
    agent = new AgentProcess({
      server: server.url,
      dataDir: path.join(tmp, 'agent'),
      token,
      name: 'COVER-01',
      extra: ['--help-badge', '--log-level', 'info'],
      env: x.env,
    });
    await until(async () => (await admin.devices(room.id))[0]?.online === true, 30_000, 'the agent online');

    const clickToCovered: number[] = [];
    const captureMs: number[] = [];
    const agentMs: number[] = [];
    let preparedRounds = 0;
    const count = (text: string, what: string) => text.split(what).length - 1;
    for (let round = 0; round < opts.rounds; round++) {
      // The agent keeps the cover ready, hidden, and prepares it again after each release
      // (a few seconds); a pupil's click comes at any time, so each round waits for it.
      await until(
        () => count(agent!.output, 'overlay: prepared, hidden') > round,
        60_000,
        'the cover prepared',
      );
      let at: { x: number; y: number } | null = null;
      await until(() => (at = centreOf(x.capture(), badgeColour)) !== null, 30_000, 'the help badge');
      const target = at as unknown as { x: number; y: number };
      await x.run('xdotool', ['mousemove', String(target.x), String(target.y)]);
      const logBefore = agent.output.length;
      const clicked = performance.now();
      await x.run('xdotool', ['click', '1']);
      let coveredAt = 0;
      await until(
        () => {
          const started = performance.now();
          const shot = x.capture();
          const covered = colourShare(shot, pageColour) === 0 && colourShare(shot, coverColour, 6) > 0.5;
          captureMs.push(performance.now() - started);
          if (covered) coveredAt = started;
          return covered;
        },
        30_000,
        'the cover',
        0,
      );
      clickToCovered.push(coveredAt - clicked);
      await until(() => /"coverMs":([\d.]+)/.test(agent!.output.slice(logBefore)), 10_000, 'the agent log');
      agentMs.push(Number(/"coverMs":([\d.]+)/.exec(agent.output.slice(logBefore))![1]));
      if (agent.output.slice(logBefore).includes('overlay: showing prepared windows')) preparedRounds++;
      // The DSL releases the screen from the dashboard; the page comes back for the next round.
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
      log(`  round ${round + 1}: click to covered ${Math.round(coveredAt - clicked)} ms`);
    }
    return {
      rounds: opts.rounds,
      screen,
      clickToCoveredMs: summary(clickToCovered),
      captureMs: summary(captureMs),
      agentCoverRequestedMs: summary(agentMs),
      preparedRounds,
    };
  } finally {
    await agent?.kill('SIGTERM');
    await server?.stop();
    await x.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
