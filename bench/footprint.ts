/**
 * Agent footprint: the real headless agent (node agent/dist/cli.js) enrolled with a real
 * server, on a real X display (Xvfb + openbox) with activity on (one foreground sample a
 * second, the default) while xdotool switches between two windows now and then. Samples the
 * agent process's CPU and RSS once a second from /proc, and the CPU of every program it runs
 * (waited-for children, and any still running under it: issue 15's "including every program").
 *
 * Then the latency of a window switch (issue 15's target: p95 under 300 ms): xdotool brings
 * the other window to the front, and the clock runs from just before that command until (a)
 * a staff browser's live room view (`activity:watch`) receives the change, and (b) the
 * timeline (`GET /api/activity`, polled every 20 ms) holds the new interval. Both include
 * xdotool's own start-up, so they overstate the agent's part a little.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultActivitySettings } from '@harbour/shared';
import { ApiClient } from '../test/support/api.js';
import { agentNodeFlags } from '../agent/src/node/node-flags.js';
import { AgentProcess, ServerProcess } from '../test/support/processes.js';
import { XDisplay } from '../test/support/xdisplay.js';
import { connected, dashboardSocket } from '../test/support/sockets.js';
import { processTree, readProc } from './lib/proc.js';
import { round, summarise } from './lib/stats.js';
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
  /** CPU of the agent and every program it runs (children waited for, and live descendants), % of one core. */
  treeCpuPercentMean?: number;
  /** Window switch → the room view's live push, and → the timeline, in ms. */
  switchToRoomViewMs?: { count: number; p50: number; p95: number; max: number };
  switchToTimelineMs?: { count: number; p50: number; p95: number; max: number };
}

/** CPU seconds of a process tree: each live process's own, plus the children each has waited for. */
function treeCpuSeconds(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    const p = readProc(pid);
    if (p) total += p.cpuSeconds + p.childCpuSeconds;
  }
  return total;
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
  /** Window switches timed after the CPU sampling (default 40). */
  switches?: number;
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
    const treeStart = treeCpuSeconds(pid);
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
        // A pupil at work: the pointer moves (activating a window alone is not input, and the
        // agent would count the desktop idle after a few minutes and stop naming windows).
        await x.run('xdotool', ['mousemove', String(100 + switches * 7), '300']).catch(() => undefined);
        await x.run('xdotool', ['search', '--name', title, 'windowactivate']).catch(() => undefined);
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const end = readProc(pid)!;
    const treeEnd = treeCpuSeconds(pid);

    // The latency of a window switch, to the live room view and to the timeline.
    const deviceId = (await admin.devices(room.id))[0]!.id;
    const live = await connected(dashboardSocket(server.url, admin.cookieHeader));
    const watched = await live.emitWithAck('activity:watch', { roomId: room.id });
    if (!watched.ok) throw new Error(`activity:watch refused: ${JSON.stringify(watched.error)}`);
    let pushed: { title: string | null; at: number }[] = [];
    live.on('activity:changes', ({ changes }) => {
      const at = performance.now();
      for (const a of changes) if (a.deviceId === deviceId) pushed.push({ title: a.title, at });
    });
    const roomMs: number[] = [];
    const timelineMs: number[] = [];
    const frontTitle = async () => {
      const now = Date.now();
      const r = await admin.json<{ intervals: { title: string | null; end: string | null }[] }>(
        'GET',
        `/api/activity?deviceId=${deviceId}&from=${new Date(now - 600_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`,
      );
      return r.body.intervals.find((i) => i.end === null)?.title ?? null;
    };
    for (let i = 0; i < (opts.switches ?? 40); i++) {
      const title = titles[switches++ % 2]!;
      await x.run('xdotool', ['mousemove', String(100 + i * 7), '320']).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      pushed = [];
      const t0 = performance.now();
      await x.run('xdotool', ['search', '--name', title, 'windowactivate']).catch(() => undefined);
      let timelineAt: number | null = null;
      while (
        performance.now() - t0 < 5000 &&
        (timelineAt === null || !pushed.some((p) => p.title === title))
      ) {
        if (timelineAt === null && (await frontTitle()) === title) timelineAt = performance.now();
        if (timelineAt === null || !pushed.some((p) => p.title === title))
          await new Promise((r) => setTimeout(r, 20));
      }
      const push = pushed.find((p) => p.title === title);
      if (push) roomMs.push(push.at - t0);
      if (timelineAt !== null) timelineMs.push(timelineAt - t0);
      await new Promise((r) => setTimeout(r, 1000));
    }
    live.close();
    const latency = (values: number[]) => {
      const sum = summarise(values);
      return { count: sum.count, p50: round(sum.p50), p95: round(sum.p95), max: round(sum.max) };
    };
    log(
      `  window switch → room view p95 ${latency(roomMs).p95} ms (${roomMs.length}), → timeline p95 ${latency(timelineMs).p95} ms (${timelineMs.length})`,
    );
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
      treeCpuPercentMean: round(((treeEnd - treeStart) / seconds) * 100, 2),
      switchToRoomViewMs: latency(roomMs),
      switchToTimelineMs: latency(timelineMs),
    };
  } finally {
    await agent?.kill('SIGTERM');
    await server?.stop();
    await x.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
