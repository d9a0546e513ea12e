import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';
import type { DashboardClientToServer, DashboardServerToClient } from '@harbour/shared';
import type { Socket } from 'socket.io-client';
import { serverNodeFlags } from '../dashboard/src/server/node-flags.js';
import { sampleMachine, sampleProcess } from './lib/proc.js';
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
  /**
   * Several server nodes on one PostgreSQL and one Redis (docs/multinode.md) instead of one
   * node on its SQLite file: the agents' workers are spread over the nodes, and the watching
   * dashboard is on the last node, so the changes of every other node's agents reach it
   * through the socket.io adapter (`nodes[i].received` counts each node's agents' changes).
   */
  cluster?: { nodes: number; databaseUrl: string; redisUrl: string };
}

export interface FleetResult {
  agents: number;
  connected: number;
  eventsPerSecond: number;
  /** Events the server acknowledged as stored while measuring: fewer than sent means the store fell behind. */
  storedPerSecond?: number;
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number };
  serverCpuPercent: number;
  serverRssPeakMb: number;
  serverRssMeanMb: number;
  /** CPU of the simulated agents' worker processes together (% of one core): they share the machine. */
  agentsCpuPercent: number;
  /** The machine's 1-minute load average at the end of the measurement. */
  loadAverage: number;
  /**
   * The share of the machine's CPU time the hypervisor gave to other machines while measuring
   * (/proc/stat's steal): on a shared virtual machine the server waits for it, whatever the load.
   */
  stealPercent?: number;
  /** With several nodes: each node's CPU (% of one core) and peak RSS; the server figures above are their sum and largest. */
  nodes?: { cpuPercent: number; rssPeakMb: number; received: number }[];
  refused: number;
  /** How often the measuring dashboard lost its connection (and watched again). */
  dashboardLost?: number;
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

/** What each worker process reports of its agents (fleet-worker.ts). */
// A type, not an interface: it is also passed on as a Record to the workers' listeners.
type WorkerStatus = {
  connected: number;
  sent: number;
  failed: number;
  stored: number;
};

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
  const devices = await seedFleet(dataDir, opts.agents, 30, opts.cluster?.databaseUrl);
  const nodeCount = opts.cluster?.nodes ?? 1;
  const ports = await Promise.all(Array.from({ length: nodeCount }, () => freePort()));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  // The dashboard's node: the last one, so that with several nodes most changes cross the adapter.
  const url = urls.at(-1)!;
  const servers = ports.map((port) =>
    spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        pathToFileURL(path.join(here, 'lib/memory-probe.mjs')).href,
        // As `npm start` runs it.
        ...serverNodeFlags,
        ...(opts.serverExecArgv ?? []),
        path.join(repo, 'dashboard/dist/server/main.js'),
      ],
      {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          // With several nodes, one data directory (the master key file) for all of them.
          DATA_DIR: dataDir,
          LOG_LEVEL: 'error',
          HARBOUR_ADMIN_EMAIL: email,
          HARBOUR_ADMIN_PASSWORD: password,
          // The one measuring dashboard watches every room (334 at 10,000 agents): more live-view
          // requests than one teacher's sign-in may send a minute.
          HARBOUR_STAFF_SOCKET_RATE_LIMIT: '100000',
          ...(opts.cluster && {
            DATABASE_URL: opts.cluster.databaseUrl,
            REDIS_URL: opts.cluster.redisUrl,
            EVIDENCE_DIR: path.join(dataDir, 'evidence'),
          }),
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    ),
  );
  const server = servers.at(-1)!;
  const memory = () =>
    new Promise<{ heapUsedMb: number; rssMb: number }>((resolve) => {
      server.once('message', (m: { heapUsed: number; rss: number }) =>
        resolve({ heapUsedMb: round(m.heapUsed / 2 ** 20), rssMb: round(m.rss / 2 ** 20) }),
      );
      server.send({ type: 'memory' });
    });
  const workers: ChildProcess[] = [];
  const listeners: ((m: { type: string } & Record<string, unknown>) => void)[] = [];
  const status = new Map<number, WorkerStatus>();
  /** One of the workers' counts, over every worker. */
  const sum = (count: keyof WorkerStatus) => [...status.values()].reduce((a, s) => a + s[count], 0);
  let dashboard: Socket<DashboardServerToClient, DashboardClientToServer> | undefined;
  try {
    for (const nodeUrl of urls)
      await until(
        async () => (await fetch(`${nodeUrl}/api/health`).catch(() => undefined))?.ok === true,
        60_000,
        `server ${nodeUrl}`,
      );
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    dashboard = io(`${url}/dashboard`, { transports: ['websocket'], extraHeaders: { cookie } });
    const latencies: number[] = [];
    const receivedFrom = urls.map(() => 0);
    let measuring = false;
    dashboard.on('activity:changes', ({ changes }) => {
      if (!measuring) return;
      const now = Date.now();
      for (const a of changes) {
        const [sentAt, node] =
          a.title
            ?.match(/^b(\d+) n(\d+)$/)
            ?.slice(1)
            .map(Number) ?? [];
        if (sentAt === undefined || node === undefined) continue;
        latencies.push(now - sentAt);
        receivedFrom[node] = (receivedFrom[node] ?? 0) + 1;
      }
    });
    await new Promise<void>((resolve) => dashboard!.once('connect', () => resolve()));
    const watch = async () => {
      for (const roomId of new Set(devices.map((d) => d.roomId))) {
        const r = await dashboard!.emitWithAck('activity:watch', { roomId });
        if (!r.ok) throw new Error(`watch failed: ${r.error.message}`);
      }
    };
    await watch();
    // A dashboard that lost its connection (its node too busy to answer socket.io's pings)
    // watches again when it is back, as the web app does; each loss is reported.
    let dashboardLost = 0;
    dashboard.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return; // the benchmark's own close at the end
      dashboardLost++;
      log(`  the dashboard lost its connection: ${reason}`);
    });
    dashboard.io.on(
      'reconnect',
      () => void watch().catch((e: unknown) => log(`  watching again failed: ${String(e)}`)),
    );

    await new Promise((r) => setTimeout(r, 1000));
    // Memory per agent is one node's: measured with one node only.
    const before = nodeCount === 1 ? await memory() : undefined;

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
            url: urls[w % urls.length],
            node: w % urls.length,
            devicesFile: file,
            changeEverySeconds: changeEvery,
            heartbeatSeconds: opts.heartbeatSeconds ?? 30,
            connectPerSecond: Math.ceil(1000 / opts.workers),
          }),
        ],
        { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      );
      child.on('message', (m: { type: string } & WorkerStatus) => {
        if (m.type === 'status') status.set(w, m);
        else for (const listener of listeners) listener(m);
      });
      workers.push(child);
    }
    const total = () => sum('connected');
    await until(() => total() >= opts.agents, 60_000 + opts.agents * 10, `${opts.agents} agents to connect`);
    log(`  ${total()} agents connected; measuring for ${opts.measureSeconds} s`);
    // Connected and idle: the handshakes' work done (last-seen writes, presence) before measuring.
    await new Promise((r) => setTimeout(r, 3000));
    const connected = before ? await memory() : undefined;
    const perAgentKb = (mb: number) => round((mb * 1024) / Math.max(1, total()));
    const memoryResult = before &&
      connected && {
        before,
        connected,
        perAgent: {
          heapKb: perAgentKb(connected.heapUsedMb - before.heapUsedMb),
          rssKb: perAgentKb(connected.rssMb - before.rssMb),
        },
      };
    if (memoryResult)
      log(
        `  per connected agent: heap ${memoryResult.perAgent.heapKb} KB, RSS ${memoryResult.perAgent.rssKb} KB`,
      );

    for (const w of workers) w.send({ type: 'start' });
    await new Promise((r) => setTimeout(r, changeEvery * 1000)); // let every agent reach its rhythm
    const sentBefore = sum('sent');
    const storedBefore = sum('stored');
    const samplers = servers.map((node) => sampleProcess(node.pid!));
    const machineSampler = sampleMachine();
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
    const usages = samplers.map((sampler) => sampler.stop());
    const usage = {
      seconds: usages[0]!.seconds,
      cpuPercent: usages.reduce((a, u) => a + u.cpuPercent, 0),
      rssPeakMb: Math.max(...usages.map((u) => u.rssPeakMb)),
      rssMeanMb: Math.max(...usages.map((u) => u.rssMeanMb)),
    };
    const stealPercent = machineSampler.stop().stealPercent;
    const agentsCpu = workerSamplers.reduce((a, w) => a + w.stop().cpuPercent, 0);
    const sentAfter = sum('sent');
    const storedAfter = sum('stored');
    const connectedAtEnd = total();
    for (const w of workers) w.send({ type: 'stop' });
    await new Promise((r) => setTimeout(r, 500));
    return {
      agents: opts.agents,
      connected: connectedAtEnd,
      eventsPerSecond: round((sentAfter - sentBefore) / usage.seconds),
      storedPerSecond: round((storedAfter - storedBefore) / usage.seconds),
      latencyMs: summarise(latencies),
      serverCpuPercent: round(usage.cpuPercent),
      serverRssPeakMb: round(usage.rssPeakMb),
      serverRssMeanMb: round(usage.rssMeanMb),
      agentsCpuPercent: round(agentsCpu),
      loadAverage: round(os.loadavg()[0] ?? NaN, 2),
      stealPercent: round(stealPercent),
      ...(nodeCount > 1 && {
        nodes: usages.map((u, i) => ({
          cpuPercent: round(u.cpuPercent),
          rssPeakMb: round(u.rssPeakMb),
          received: receivedFrom[i] ?? 0,
        })),
      }),
      refused: sum('failed'),
      dashboardLost,
      ...(memoryResult && { memory: memoryResult }),
    };
  } finally {
    dashboard?.close();
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(
      servers.map((node) => {
        const gone = new Promise((r) => node.once('exit', r));
        node.kill('SIGTERM');
        return gone;
      }),
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
