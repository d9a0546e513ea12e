/**
 * Agent footprint: the real headless agent (node agent/dist/cli.js) enrolled with a real
 * server, on a real X display (Xvfb + openbox) with activity on (one foreground sample a
 * second, the default) while xdotool switches between two windows now and then. Samples the
 * agent process's CPU and RSS once a second from /proc.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultActivitySettings } from '@harbour/shared';
import { ApiClient } from '../test/support/api.js';
import { agentNodeFlags } from '../agent/src/node/node-flags.js';
import { AgentProcess, ServerProcess } from '../test/support/processes.js';
import { XDisplay } from '../test/support/xdisplay.js';
import { readProc } from './lib/proc.js';
import { round } from './lib/stats.js';
import { until } from './lib/wait.js';

export interface FootprintResult {
  seconds: number;
  samples: number;
  cpuPercentMean: number;
  cpuPercentMaxPerSecond: number;
  /** CPU of the programs the agent runs to read the foreground window and idle time (xprop, xwininfo, xprintidle). */
  childCpuPercentMean: number;
  rssMeanMb: number;
  rssPeakMb: number;
  /** The agent's own memory (RssAnon): RSS without the files mapped from disk (the node executable's code above all). */
  rssAnonMeanMb?: number;
  rssAnonPeakMb?: number;
  /** Node/V8 flags the agent ran with. */
  nodeFlags?: string[];
  windowSwitches: number;
  activityIntervalsStored: number;
}

const email = 'footprint@harbour.test';
const password = 'footprint password long enough';

export async function runFootprint(opts: {
  seconds: number;
  /** Seconds after the agent comes online before sampling starts (default 5). */
  warmupSeconds?: number;
  /** Node/V8 flags for the agent process (e.g. memory settings), to find out what would change the figures. */
  nodeFlags?: string[];
  log?: (l: string) => void;
}): Promise<FootprintResult> {
  const log = opts.log ?? (() => undefined);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-footprint-'));
  const x = await XDisplay.start('1280x800');
  let server: ServerProcess | undefined;
  let agent: AgentProcess | undefined;
  try {
    server = await ServerProcess.start(path.join(tmp, 'server'), {
      HARBOUR_ADMIN_EMAIL: email,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    const admin = new ApiClient(server.url);
    await admin.login(email, password);
    // Monitor at all hours, so the figure does not depend on the day the benchmark runs.
    const put = await admin.json('PUT', '/api/activity/settings', {
      ...defaultActivitySettings,
      schedule: null,
    });
    if (put.status !== 200) throw new Error(`activity settings: ${put.status}`);
    const room = await admin.createRoom('Footprint');
    const { token } = await admin.createToken(room.id);

    x.launch('xterm', ['-title', 'Phonics practice', '-geometry', '80x24+10+10']);
    x.launch('xterm', ['-title', 'Number bonds', '-geometry', '80x24+300+200']);
    await until(
      async () => (await x.run('xdotool', ['search', '--name', 'Number bonds']).catch(() => '')) !== '',
      15_000,
      'windows',
    );

    agent = new AgentProcess({
      server: server.url,
      dataDir: path.join(tmp, 'agent'),
      token,
      name: 'FOOTPRINT-01',
      extra: ['--activity', 'on', '--log-level', 'warn'],
      env: x.env,
      nodeFlags: opts.nodeFlags ?? agentNodeFlags,
    });
    await until(async () => (await admin.devices(room.id))[0]?.online === true, 30_000, 'the agent online');
    await new Promise((r) => setTimeout(r, (opts.warmupSeconds ?? 5) * 1000)); // past start-up (module loading, enrolment)
    log(`  agent online; sampling for ${opts.seconds} s`);

    const pid = agent.proc.pid!;
    const titles = ['Phonics practice', 'Number bonds'];
    let switches = 0;
    const start = readProc(pid);
    const startedAt = performance.now();
    const rss: number[] = [];
    const anon: number[] = [];
    const perSecond: number[] = [];
    let last = start;
    for (let s = 1; s <= opts.seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = readProc(pid);
      if (!now) throw new Error(`the agent exited:\n${agent.output}`);
      rss.push(now.rssBytes);
      anon.push(now.rssAnonBytes);
      if (last) perSecond.push((now.cpuSeconds - last.cpuSeconds) * 100);
      last = now;
      if (s % 10 === 0) {
        // A pupil moves to the other window now and then.
        const title = titles[switches++ % 2]!;
        await x.run('xdotool', ['search', '--name', title, 'windowactivate']).catch(() => undefined);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const end = readProc(pid)!;
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const devices = await admin.devices(room.id);
    const timeline = await admin.json<{ intervals: unknown[] }>(
      'GET',
      `/api/activity?deviceId=${devices[0]!.id}&from=${from}&to=${to}`,
    );
    return {
      seconds: round(seconds),
      samples: rss.length,
      cpuPercentMean: round(((end.cpuSeconds - start!.cpuSeconds) / seconds) * 100, 2),
      cpuPercentMaxPerSecond: round(Math.max(...perSecond), 1),
      childCpuPercentMean: round(((end.childCpuSeconds - start!.childCpuSeconds) / seconds) * 100, 2),
      rssMeanMb: round(rss.reduce((a, b) => a + b, 0) / rss.length / 2 ** 20),
      rssPeakMb: round(Math.max(...rss) / 2 ** 20),
      rssAnonMeanMb: round(anon.reduce((a, b) => a + b, 0) / anon.length / 2 ** 20),
      rssAnonPeakMb: round(Math.max(...anon) / 2 ** 20),
      nodeFlags: opts.nodeFlags ?? agentNodeFlags,
      windowSwitches: switches,
      activityIntervalsStored: timeline.body.intervals.length,
    };
  } finally {
    await agent?.kill('SIGTERM');
    await server?.stop();
    await x.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
