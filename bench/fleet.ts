import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';
import type { DashboardClientToServer, DashboardServerToClient } from '@harbour/shared';
import type { Socket } from 'socket.io-client';
import { sampleProcess } from './lib/proc.js';
import { seedFleet, type SeededDevice } from './lib/seed.js';
import { round, summarise } from './lib/stats.js';
import { until } from './lib/wait.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = path.resolve(here, '..');

export interface FleetOptions {
  agents: number;
  workers: number;
  measureSeconds: number;
  changeEverySeconds?: number;
  heartbeatSeconds?: number;
  log?: (line: string) => void;
  /**
   * Runs while the fleet is being measured (the measurement lasts until both it and
   * `measureSeconds` are done): the tell benchmark sends its reports here.
   */
  during?: (fleet: FleetContext) => Promise<void>;
  /** Extra node flags for the server, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] to profile it. */
  serverExecArgv?: string[];
}

export interface FleetResult {
  agents: number;
  connected: number;
  eventsPerSecond: number;
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number };
  serverCpuPercent: number;
  serverRssPeakMb: number;
  serverRssMeanMb: number;
  /** CPU of the simulated agents' worker processes together (% of one core): they share the machine. */
  agentsCpuPercent: number;
  /** The machine's 1-minute load average at the end of the measurement. */
  loadAverage: number;
  refused: number;
  /**
   * The server's memory after garbage collection with only the dashboard connected, then
   * with every agent connected and idle (before any activity): the difference over the
   * agents is what one connected agent costs the server.
   */
  memory?: {
    before: { heapUsedMb: number; rssMb: number };
    connected: { heapUsedMb: number; rssMb: number };
    perAgent: { heapKb: number; rssKb: number };
  };
}

export interface FleetContext {
  url: string;
  /** The signed-in administrator's session cookie. */
  adminCookie: string;
  devices: SeededDevice[];
  /** How many worker processes play the agents. */
  workers: number;
  /** Sends a message to one worker process, which acts with its own devices. */
  toWorker(index: number, message: object): void;
  /** Every message the workers send (besides their status). */
  onWorkerMessage(listener: (message: { type: string } & Record<string, unknown>) => void): void;
}

const email = 'bench@harbour.test';
const password = 'bench password long enough';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** N simulated agents in several processes against one real server, with a dashboard watching every room. */
export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const log = opts.log ?? (() => undefined);
  const changeEvery = opts.changeEverySeconds ?? 5;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-bench-'));
  const devices = await seedFleet(dataDir, opts.agents);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      pathToFileURL(path.join(here, 'lib/memory-probe.mjs')).href,
      ...(opts.serverExecArgv ?? []),
      path.join(repo, 'dashboard/dist/server/main.js'),
    ],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        HARBOUR_ADMIN_EMAIL: email,
        HARBOUR_ADMIN_PASSWORD: password,
        // The one measuring dashboard watches every room (334 at 10,000 agents): more live-view
        // requests than one teacher's sign-in may send a minute.
        HARBOUR_STAFF_SOCKET_RATE_LIMIT: '100000',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const memory = () =>
    new Promise<{ heapUsedMb: number; rssMb: number }>((resolve) => {
      server.once('message', (m: { heapUsed: number; rss: number }) =>
        resolve({ heapUsedMb: round(m.heapUsed / 2 ** 20), rssMb: round(m.rss / 2 ** 20) }),
      );
      server.send({ type: 'memory' });
    });
  const workers: ChildProcess[] = [];
  const listeners: ((m: { type: string } & Record<string, unknown>) => void)[] = [];
  const status = new Map<number, { connected: number; sent: number; failed: number }>();
  let dashboard: Socket<DashboardServerToClient, DashboardClientToServer> | undefined;
  try {
    await until(
      async () => (await fetch(`${url}/api/health`).catch(() => undefined))?.ok === true,
      30_000,
      'server',
    );
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    dashboard = io(`${url}/dashboard`, { transports: ['websocket'], extraHeaders: { cookie } });
    const latencies: number[] = [];
    let measuring = false;
    dashboard.on('activity:changes', ({ changes }) => {
      if (!measuring) return;
      const now = Date.now();
      for (const a of changes) if (a.title?.startsWith('b')) latencies.push(now - Number(a.title.slice(1)));
    });
    await new Promise<void>((resolve) => dashboard!.once('connect', () => resolve()));
    for (const roomId of new Set(devices.map((d) => d.roomId))) {
      const r = await dashboard.emitWithAck('activity:watch', { roomId });
      if (!r.ok) throw new Error(`watch failed: ${r.error.message}`);
    }

    await new Promise((r) => setTimeout(r, 1000));
    const before = await memory();

    const per = Math.ceil(devices.length / opts.workers);
    for (let w = 0; w < opts.workers; w++) {
      const slice = devices.slice(w * per, (w + 1) * per);
      if (slice.length === 0) continue;
      const file = path.join(dataDir, `devices-${w}.json`);
      fs.writeFileSync(file, JSON.stringify(slice));
      const child = fork(
        path.join(here, 'fleet-worker.ts'),
        [
          JSON.stringify({
            url,
            devicesFile: file,
            changeEverySeconds: changeEvery,
            heartbeatSeconds: opts.heartbeatSeconds ?? 30,
            connectPerSecond: Math.ceil(1000 / opts.workers),
          }),
        ],
        { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      );
      child.on('message', (m: { type: string; connected: number; sent: number; failed: number }) => {
        if (m.type === 'status') status.set(w, m);
        else for (const listener of listeners) listener(m);
      });
      workers.push(child);
    }
    const total = () => [...status.values()].reduce((a, s) => a + s.connected, 0);
    await until(() => total() >= opts.agents, 60_000 + opts.agents * 10, `${opts.agents} agents to connect`);
    log(`  ${total()} agents connected; measuring for ${opts.measureSeconds} s`);
    // Connected and idle: the handshakes' work done (last-seen writes, presence) before measuring.
    await new Promise((r) => setTimeout(r, 3000));
    const connected = await memory();
    const perAgentKb = (mb: number) => round((mb * 1024) / Math.max(1, total()));
    const memoryResult = {
      before,
      connected,
      perAgent: {
        heapKb: perAgentKb(connected.heapUsedMb - before.heapUsedMb),
        rssKb: perAgentKb(connected.rssMb - before.rssMb),
      },
    };
    log(
      `  per connected agent: heap ${memoryResult.perAgent.heapKb} KB, RSS ${memoryResult.perAgent.rssKb} KB`,
    );

    for (const w of workers) w.send({ type: 'start' });
    await new Promise((r) => setTimeout(r, changeEvery * 1000)); // let every agent reach its rhythm
    const sentBefore = [...status.values()].reduce((a, s) => a + s.sent, 0);
    const sampler = sampleProcess(server.pid!);
    const workerSamplers = workers.map((w) => sampleProcess(w.pid!));
    measuring = true;
    await Promise.all([
      new Promise((r) => setTimeout(r, opts.measureSeconds * 1000)),
      opts.during?.({
        url,
        adminCookie: cookie,
        devices,
        workers: workers.length,
        toWorker: (index, message) => workers[index % workers.length]!.send(message),
        onWorkerMessage: (listener) => listeners.push(listener),
      }),
    ]);
    measuring = false;
    const usage = sampler.stop();
    const agentsCpu = workerSamplers.reduce((a, w) => a + w.stop().cpuPercent, 0);
    const sentAfter = [...status.values()].reduce((a, s) => a + s.sent, 0);
    const connectedAtEnd = total();
    for (const w of workers) w.send({ type: 'stop' });
    await new Promise((r) => setTimeout(r, 500));
    return {
      agents: opts.agents,
      connected: connectedAtEnd,
      eventsPerSecond: round((sentAfter - sentBefore) / usage.seconds),
      latencyMs: summarise(latencies),
      serverCpuPercent: round(usage.cpuPercent),
      serverRssPeakMb: round(usage.rssPeakMb),
      serverRssMeanMb: round(usage.rssMeanMb),
      agentsCpuPercent: round(agentsCpu),
      loadAverage: round(os.loadavg()[0] ?? NaN, 2),
      refused: [...status.values()].reduce((a, s) => a + s.failed, 0),
      memory: memoryResult,
    };
  } finally {
    dashboard?.close();
    for (const w of workers) w.kill('SIGKILL');
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
