import type { DatabaseResult } from '../database.js';
import type { FleetResult } from '../fleet.js';
import type { CoverResult } from '../cover.js';
import type { FootprintResult } from '../footprint.js';
import type { MachineResult } from '../machine.js';
import type { TellAlertResult } from '../tell.js';
import type { machine } from './proc.js';

export const targets = {
  fleet: { agents: 10_000, p99Ms: 250, rssMb: 1536 },
  footprint: { cpuPercent: 1, rssMb: 80 },
  /** Issue 15: activity on, the agent and every program it runs; a window switch reaching the room view and the timeline. */
  activity: { treeCpuPercent: 0.5, switchP95Ms: 300 },
  /** Issue 12: service + one helper with the cover ready, whole tree; a lesson adds under 10 MB; restart under 5 s. */
  machine: { pssMb: 150, cpuPercent: 0.5, lessonAddsMb: 10, restartMs: 5000 },
  database: { p95Ms: 50 },
  tell: { alertP99Ms: 1000, coverMs: 150 },
};

export interface Results {
  date: string;
  finishedAt?: string;
  commit: string;
  mode: string;
  machine: ReturnType<typeof machine>;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  fleet: FleetResult[];
  /** Two nodes on PostgreSQL and Redis (bench/cluster.ts). */
  nodes?: FleetResult;
  footprint?: FootprintResult;
  /** The machine service, a helper and its Chromium as whole trees (bench/machine.ts). */
  machineService?: MachineResult;
  database?: DatabaseResult;
  tell?: TellAlertResult;
  cover?: CoverResult;
  /** Sections measured again later (npm run bench -- --only … --merge): when, and at which commit. */
  reruns?: Record<
    string,
    {
      commit: string;
      date: string;
      finishedAt?: string;
      mode: string;
      loadAverageAtStart?: number[];
      loadAverageAtEnd?: number[];
    }
  >;
}

const n = (x: number) => x.toLocaleString('en-GB');
const verdict = (met: boolean) => (met ? '**met**' : '**missed**');

function fleetSection(r: Results): string {
  if (r.fleet.length === 0) return '';
  const t = targets.fleet;
  const rows = r.fleet
    .map(
      (f) =>
        `| ${n(f.agents)} | ${n(f.connected)} | ${f.eventsPerSecond} | ${n(f.latencyMs.count)} | ${f.latencyMs.p50} | ${f.latencyMs.p95} | ${f.latencyMs.p99} | ${f.serverCpuPercent} | ${f.serverRssPeakMb} | ${f.agentsCpuPercent} | ${f.loadAverage} | ${stolen(f)} |`,
    )
    .join('\n');
  const biggest = r.fleet.at(-1)!;
  let status: string;
  if (biggest.agents < t.agents) {
    status = `This ${r.mode} run stops at ${n(biggest.agents)} agents; run \`npm run bench\` for the 10,000-agent target.`;
  } else {
    const latencyMet = biggest.latencyMs.p99 < t.p99Ms && biggest.connected === biggest.agents;
    const memoryMet = biggest.serverRssPeakMb < t.rssMb;
    status = `Target at 10,000 agents: p99 under ${t.p99Ms} ms — p99 ${n(biggest.latencyMs.p99)} ms, ${verdict(latencyMet)}; server RSS under 1.5 GB — ${biggest.serverRssPeakMb} MB, ${verdict(memoryMet)}.`;
    status += `\n\n${latencyMet ? fleetHistory : fleetMissNotes(biggest)}`;
  }
  return `## Fleet

N simulated agents connect to one real server (\`node dashboard/dist/server/main.js\`), each a real socket.io
connection authenticated with a real device credential (seeded through the server's own migrations), speaking the
protocol from \`shared/\`, spread over ${r.mode === 'quick' ? 2 : 4} worker processes and connected at a ramp of 1,000 a
second. Each changes window every 5 s — the real activity path: an outbox \`agent:event\` with an \`activity.changed\`
body, stored by \`storeEvent\` as an activity interval — and heartbeats every 30 s. One dashboard, signed in, has
joined every room with \`activity:watch\`; latency is from the agent stamping the event (its window title carries the
send time) to the dashboard receiving it in an \`activity:changes\` message (changes are batched per dashboard
socket every 100 ms, docs/architecture.md). "events/s" is what the agents sent while measuring;
"received" is how many changes reached the dashboard in the measuring window (fewer than sent means a backlog).
"simulated agents' CPU" is what the worker processes playing the agents used on the same 2 cores, and "load average"
the machine's 1-minute load at the end of the measurement (other engineers' work included). "stolen" is the share of
the machine's CPU time the hypervisor gave to other guests while measuring (\`/proc/stat\`): this is a shared virtual
machine, and a server waiting for a core it was promised shows it in its tail, whatever its own load (– : not
recorded by that run).

${fleetHeader}
${rows}

${status}
${memorySection(r.fleet)}
![latency and memory against N](benchmarks-fleet.svg)
`;
}

const fleetHeader = `| agents | connected | events/s | received | p50 ms | p95 ms | p99 ms | server CPU % (of one core) | server RSS MB (peak) | simulated agents' CPU % | load average | stolen % |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`;
const stolen = (f: FleetResult) => (f.stealPercent === undefined ? '–' : String(f.stealPercent));

/** Two nodes on PostgreSQL and Redis carrying twice one node's target (bench/cluster.ts). */
function nodesSection(r: Results): string {
  const f = r.nodes;
  if (!f?.nodes) return '';
  const stored = f.storedPerSecond ?? 0;
  const carried = f.connected === f.agents && f.refused === 0 && stored >= 0.95 * f.eventsPerSecond;
  const perNode = f.nodes
    .map(
      (node, i) =>
        `| ${i === f.nodes!.length - 1 ? 'B (the dashboard’s)' : 'A'} | ${node.cpuPercent} | ${node.rssPeakMb} | ${n(node.received)} |`,
    )
    .join('\n');
  return `## Two nodes on PostgreSQL and Redis

The fleet above, on ${f.nodes.length} server nodes (\`node dashboard/dist/server/main.js\` twice) sharing one PostgreSQL
(Debian's, a cluster of its own started for the run, with fsync on) and one Redis (\`REDIS_URL\`, socket.io's Redis
adapter), as docs/multinode.md deploys a trust. Half the simulated agents' worker processes connect to each node; the
measuring dashboard is on node B, so node A's agents' changes reach it through Redis. Everything (both nodes,
PostgreSQL, Redis, the agents and the dashboard) shares this machine's 2 cores, so latency here measures the machine
as much as Harbour; what is checked is that two nodes carry ${n(f.agents)} agents: all connected, every event
acknowledged as stored, and changes from both nodes' agents live on one dashboard.

| agents | connected | events/s sent | events/s stored | received | p50 ms | p95 ms | p99 ms | nodes' CPU % (of one core, both) | RSS MB (peak, larger node) | simulated agents' CPU % | load average | stolen % |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${n(f.agents)} | ${n(f.connected)} | ${f.eventsPerSecond} | ${stored} | ${n(f.latencyMs.count)} | ${f.latencyMs.p50 ?? '–'} | ${f.latencyMs.p95 ?? '–'} | ${f.latencyMs.p99 ?? '–'} | ${f.serverCpuPercent} | ${f.serverRssPeakMb} | ${f.agentsCpuPercent} | ${f.loadAverage} | ${stolen(f)} |

| node | CPU % (of one core) | RSS MB (peak) | its agents' changes received by the dashboard on B |
| --- | ---: | ---: | ---: |
${perNode}

Target: two nodes carry ${n(f.agents)} agents — ${f.connected === f.agents ? 'all connected' : `${n(f.connected)} connected`}, ${n(f.refused)} events refused, ${stored} of ${f.eventsPerSecond} events a second stored as they came — ${verdict(carried)}.

${carried ? nodesHistory : nodesMissNotes}
`;
}

const nodesHistory = `Before (2026-12-04, commit \`3bd3826\`, same machine) 554.6 of 3,990.9 events a second were stored: a
diagnostic run with \`pg_stat_statements\` showed PostgreSQL's own time at a fraction of a millisecond a statement and the
lanes' connections "idle in transaction", each of a change's three statements waiting for a turn of its node's busy
event loop. A batch of up to 256 changes is now four statements whatever its size (the group commit's bulk path:
docs/architecture.md), and the agent event path's queries are named prepared statements. The latency columns measure
a machine where two nodes, PostgreSQL with fsync on, Redis and 20,000 simulated agents share 2 cores.`;

const nodesMissNotes = `**Why it is missed here.** Both nodes, PostgreSQL, Redis and the simulated agents share 2 cores
(see the load average and the stolen share). Each batch of up to 256 changes is now four statements, whatever its
size (the events, closing the open intervals, a look-up of late changes, the new intervals: the group commit's bulk
path), and the agent event path's queries are named prepared statements. Before those (2026-12-04, commit
\`3bd3826\`, same machine), 554.6 of 3,990.9 events a second were stored: a diagnostic run with \`pg_stat_statements\`
showed PostgreSQL's own time at a fraction of a millisecond a statement and the lanes' connections "idle in
transaction", each statement waiting for a turn of its node's busy event loop, three per change. What is left is the
machine: the two nodes took about a core between them, the agents almost half of one, and PostgreSQL, its WAL
with fsync on, and Redis the rest. With PostgreSQL on a machine of its own the store keeps pace with more.`;

/** What one connected, idle agent costs the server, against socket.io's published figure. */
function memorySection(fleet: readonly FleetResult[]): string {
  const rows = fleet.filter((f) => f.memory);
  if (rows.length === 0) return '';
  const table = rows
    .map(
      (f) =>
        `| ${n(f.agents)} | ${f.memory!.before.heapUsedMb} | ${f.memory!.connected.heapUsedMb} | ${f.memory!.perAgent.heapKb} | ${f.memory!.before.rssMb} | ${f.memory!.connected.rssMb} | ${f.memory!.perAgent.rssKb} |`,
    )
    .join('\n');
  return `
**Server memory per connected agent.** The server's heap (after garbage collection, asked through
\`bench/lib/memory-probe.mjs\`, loaded with \`node --expose-gc --import\`) and RSS with only the dashboard connected,
then with every agent connected and idle, before any activity; the difference over the agents is one agent's cost.
socket.io's own documentation gives about 10 KB of heap per idle client for a bare socket.io server; a Harbour
agent connection also carries its device's session (identity, rooms, presence) and the handshake's buffers.

| agents | heap MB (dashboard only) | heap MB (agents connected) | heap KB per agent | RSS MB (dashboard only) | RSS MB (agents connected) | RSS KB per agent |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${table}
`;
}

const fleetMissNotes = (
  f: FleetResult,
) => `**Why the latency target is missed.** ${n(f.agents)} agents changing window every 5 s is
${n(Math.round(f.eventsPerSecond))} stored events a second. The server used ${f.serverCpuPercent}% of one core for them (load
average ${f.loadAverage} on 2 cores; the simulated agents took ${f.agentsCpuPercent}% of a core), so on average it keeps up: the
median is the 100 ms batching window, and the tail is made of pauses: garbage collections and the simulated fleet
wanting the same 2 cores. Runs of the same fleet vary by about 100 ms at p99 from one to the next on this machine.
${fleetHistory}`;

/** What CPU profiles of the 10,000-agent fleet found, and what each change did (docs/architecture.md). */
const fleetHistory = `What profiles of the server (\`node --cpu-prof\`) found at 10,000 agents, and what was done (2026-12-04; at
commit \`3bd3826\` this table's 10,000-agent row was p95 1,801 ms, p99 2,231 ms):
- SQLite was 40% of the event loop and its commits alone 23%: every commit that took the WAL past 1,000 pages also
  copied it into the database file and synced it, on the event loop. Checkpoints now run on a worker thread
  (\`db/checkpointer.ts\`), the page cache is 64 MB, and a lane waits 10 ms between transactions under load.
- The simulated agents' heartbeats all fired in the same millisecond every 30 s, a burst the server took seconds to
  clear inside the measuring window: at 5,000 agents p99 was 921 ms with it and 116 ms without. Each simulated agent's
  heartbeat now starts at a random point of its interval, as a real agent's does.
- Young-generation collections of 60 to 115 ms, and full collections after them: the server now runs with a 64 MB
  young generation (\`dashboard/src/server/node-flags.ts\`, in \`npm start\`).
Beyond one process: two server nodes behind a sticky load balancer with the socket.io adapter (docs/multinode.md).
Real pupils also change windows far less often than every 5 s.`;

function footprintSection(r: Results): string {
  const f = r.footprint;
  if (!f) return '';
  const t = targets.footprint;
  const cpuMet = f.cpuPercentMean < t.cpuPercent;
  const rssMet = f.rssPeakMb < t.rssMb;
  const notes: string[] = [];
  if (!cpuMet)
    notes.push(`- **CPU.** Once a second the agent samples the foreground window: \`get-windows\` runs \`xprop\` and
  \`xwininfo\`, two new processes a second. Starting them costs the agent itself most of its CPU, and the programs
  themselves cost about as much again (the "helpers" row, from the children's CPU time in /proc). Idle time
  (\`xprintidle\`, a third process) is now asked only when the user could have reached the idle threshold
  (\`agent/src/core/activity/idle.ts\`): about once a minute while someone is working. What would meet it: read the
  active window in-process through one long-lived X connection (an X11 binding, or one long-running helper that
  reports changes by listening to \`_NET_ACTIVE_WINDOW\` property events instead of polling), or sample every 2–3 s.`);
  if (!rssMet)
    notes.push(`- **Memory.** RSS counts the pages of files a process has mapped, and here that is mostly the node
  executable's own code: in \`/proc/<pid>/smaps\` about 43 MB of the agent's RSS is \`/usr/bin/node\` (file-backed,
  clean, shared with every other node process, and dropped and read again by the kernel under memory pressure). The
  agent's own memory is the "anonymous" row: heaps, stacks and buffers. A bare Node.js 20 process is about 40 MB
  resident here. Imported alone into a bare process, socket.io-client adds about 23 MB, the zod schemas of
  \`shared/\` about 22 MB, Fastify (the local UI server for the pupil-facing pages) about 18 MB, and pino,
  get-windows, node-screenshots and better-sqlite3 about 7–12 MB each. They share much of that, so the sum is
  smaller. Bundling the agent into one file (esbuild) did not help (about 101 MB before, 103 MB after). V8's
  settings did: the agent now runs with \`${(f.nodeFlags ?? []).join(' ') || 'no flags'}\` (\`agent/src/node/node-flags.ts\`).
  Trying them over this benchmark's 5 minutes before they became the default: 87 MB mean, 90 MB peak, against
  99 / 108 MB without them (the full run at 1d56076), and no more CPU (0.89% against 0.98%). \`--lite-mode\` would save more, but it turns off WebAssembly, which Node's \`fetch\` needs
  (the agent did not come online). Starting the UI server only when a page is first shown would save its share, but
  the AUP is shown at every logon, so it would start at once anyway. What would meet 80 MB of RSS: a smaller runtime
  for the core (the Node executable alone is half of it). In the tray app the core shares Electron's main process
  and adds only its anonymous part.`);
  return `## Agent footprint

The real headless agent (\`node ${(f.nodeFlags ?? []).join(' ')} agent/dist/cli.js\`, as the \`harbour-agent\` command starts it), enrolled with a real server, on Xvfb + openbox with two xterm
windows that xdotool switches between every 10 s (moving the pointer first, as a pupil at work would); activity on,
monitoring hours off so that the day of the week does not matter. CPU and RSS of the agent process sampled once a
second from /proc over ${f.seconds} s (${f.samples} samples), after 5 s of start-up${f.switchToRoomViewMs ? `, then ${f.switchToRoomViewMs.count} more switches timed one by one: from just before \`xdotool windowactivate\` (its start-up included) until a staff browser's live room view (\`activity:watch\`) receives the change, and until the timeline (\`GET /api/activity\`, polled every 20 ms) holds the new interval` : ''}; ${f.windowSwitches} window switches,
${f.activityIntervalsStored} activity intervals stored by the server.

| measure | value | target | |
| --- | ---: | ---: | --- |
| CPU, agent process (% of one core, mean) | ${f.cpuPercentMean} | < ${t.cpuPercent} | ${verdict(cpuMet)} |
| CPU, programs it runs (xprop, xwininfo; xprintidle about once a minute) | ${f.childCpuPercentMean} | | |
| CPU, busiest second | ${f.cpuPercentMaxPerSecond} | | |
| RSS MB (mean / peak) | ${f.rssMeanMb} / ${f.rssPeakMb} | < ${t.rssMb} | ${verdict(rssMet)} |
${f.rssAnonMeanMb === undefined ? '' : `| of which anonymous: the agent's own memory, MB (mean / peak) | ${f.rssAnonMeanMb} / ${f.rssAnonPeakMb} | | |\n`}${activityRows(f)}
${notes.join('\n')}
`;
}

/** Issue 15's two targets, measured in the same run (bench/footprint.ts). */
function activityRows(f: FootprintResult): string {
  const a = targets.activity;
  const rows: string[] = [];
  if (f.treeCpuPercentMean !== undefined)
    rows.push(
      `| CPU, the agent and every program it runs (% of one core, mean; issue 15) | ${f.treeCpuPercentMean} | < ${a.treeCpuPercent} | ${verdict(f.treeCpuPercentMean < a.treeCpuPercent)} |`,
    );
  for (const [what, m] of [
    ['room view (live push)', f.switchToRoomViewMs],
    ['timeline (GET /api/activity)', f.switchToTimelineMs],
  ] as const) {
    if (!m) continue;
    rows.push(
      `| window switch → ${what}, ms (p50 / p95 / max of ${m.count}) | ${m.p50} / ${m.p95} / ${m.max} | p95 < ${a.switchP95Ms} | ${verdict(m.p95 < a.switchP95Ms)} |`,
    );
  }
  const missed = [f.switchToRoomViewMs, f.switchToTimelineMs].some((m) => m && m.p95 >= a.switchP95Ms);
  if (missed)
    rows.push(`
- **Window switch latency.** The X11 probe itself sees a switch within a few milliseconds (the foreground probe's
  change event in the Tell section); the rest is \`xdotool\`'s own start, the agent's outbox and socket, the
  server's transaction and push, and, for the timeline, the poll. Measured on 2 cores shared with other helpers'
  test runs (load average 8–16 by \`uptime\` during the 2026-12-01 17:32 run), so the tail is largely the scheduler's:
  run it again on an idle machine before concluding the target is missed.`);
  return rows.length ? `${rows.join('\n')}\n` : '';
}

function tellSection(r: Results): string {
  const t = r.tell;
  const c = r.cover;
  if (!t && !c) return '';
  const out: string[] = ['## Tell'];
  if (t) {
    const met = t.latencyMs.p99 < targets.tell.alertP99Ms && t.alerts === t.reports;
    out.push(`With ${n(t.agents)} simulated agents connected and changing windows (as in the fleet benchmark: ${t.fleet.eventsPerSecond}
activity events a second), ${t.reports} pupils on different computers press "turn the screen off and tell". Each
report is sent the way the agent's outbox sends it: the ${Math.round(t.screenshotBytes / 1024)} KB 1920×1080 PNG screenshot (a
rendered web page; every report's file unique) uploaded to \`POST /api/agent/evidence\` with the device's
credential, then the \`tell.reported\` outbox event. A DSL signed in to the dashboard receives \`tell:alert\`.
Trigger → alert is from the start of the upload to the alert arriving; the agent's own screen grab and PNG encoding
before that are in the click-to-cover figures below.

| reports | alerts received | p50 ms | p95 ms | p99 ms | max ms | target (p99) |
| ---: | ---: | ---: | ---: | ---: | ---: | --- |
| ${t.reports} | ${t.alerts} | ${t.latencyMs.p50} | ${t.latencyMs.p95} | ${t.latencyMs.p99} | ${t.latencyMs.max} | < ${targets.tell.alertP99Ms} ms: ${verdict(met)} |
${t.failed.length > 0 ? `\nFailures: ${t.failed.slice(0, 5).join('; ')}\n` : ''}`);
  }
  if (c) {
    const content = c.clickToContentMs ?? c.clickToCoveredMs;
    const met = c.clickToCoveredMs.p95 < targets.tell.coverMs && content.p95 < targets.tell.coverMs;
    const pss = c.pss;
    const base = c.baselinePss;
    out.push(`**Click to every display covered**, for real on Xvfb (${c.screen}) + openbox: the real agent process with its
help badge (drawn by the agent on its own X connection); the bench clicks it through XTEST on its own X connection,
like a pupil's mouse (no program started for the click, so its start-up is not in the time); the bench
polls full-screen captures (node-screenshots, as fast as they run) from the click. Two moments: the first capture
with no pixel of the upsetting page left and more than half the screen in the cover's colour (Harbour's own
override-redirect window, painted by the X server the instant it is mapped), and the first capture that also shows
the cover page's **content** (its words: dark text on the cover colour), so a blank page does not count. Each time is
from the click to the start of that capture, accurate to within one capture (${c.captureMs.p50} ms median). No
Chromium runs at the press: the agent keeps a picture of the cover page (\`ChromiumOverlay\` with \`snapshots\`, taken
from the page loaded unseen after each release), the X server paints it the instant the cover windows are mapped, and
Chromium starts behind it and takes over once its page has painted. The bench shortens Chromium's linger after a
screen to 1 s and waits for it to end before each press; ${c.picturedRounds ?? 0} of ${c.rounds} rounds showed the
picture first (${c.preparedRounds ?? 0} found Chromium still there). After each round the DSL releases the screen from the dashboard.

| measure | p50 ms | p95 ms | max ms | target |
| --- | ---: | ---: | ---: | --- |
| click → every display covered, first solid frame (screen capture) | ${c.clickToCoveredMs.p50} | ${c.clickToCoveredMs.p95} | ${c.clickToCoveredMs.max} | < ${targets.tell.coverMs} ms |
| click → the cover's content painted on every display (screen capture) | ${content.p50} | ${content.p95} | ${content.max} | < ${targets.tell.coverMs} ms: ${verdict(met)} |
| badge press → cover requested (agent's log, screen grab included) | ${c.agentCoverRequestedMs.p50} | ${c.agentCoverRequestedMs.p95} | ${c.agentCoverRequestedMs.max} | |
| one screen capture + colour check | ${c.captureMs.p50} | ${c.captureMs.p95} | ${c.captureMs.max} | |
${c.switchToEventMs ? `| window switch → foreground probe's change event (X11 events, in process) | ${c.switchToEventMs.p50} | ${c.switchToEventMs.p95} | ${c.switchToEventMs.max} | |\n` : ''}
${c.spawnsPerSecond !== undefined ? `Programs the agent started while windows switched, over ${c.probeSeconds} s (Chromium's own processes aside): **${c.spawnsPerSecond} a second** (target none; the foreground probe reads X events, and idle time from MIT-SCREEN-SAVER, in process; before, xprop twice and xwininfo once a second).\n` : ''}
${
  pss
    ? `**Memory** (PSS of the agent's whole process tree, Chromium's processes included, with the cover ready and the badge
on, same display, after Chromium's linger): **${pss.totalMb} MB**, of which Chromium ${pss.chromiumMb} MB (${pss.processes} processes).${
        base && base.totalMb > 0
          ? ` The build before this work, measured the same way in the same run (its prepared cover and its badge each a Chromium of their own): ${base.totalMb} MB, of which Chromium ${base.chromiumMb} MB.`
          : ''
      } With nothing on screen no Chromium runs: the cover is ready as a picture (a few MB per display in the agent) and the
help badge is not a browser at all. While a screen shows, one Chromium serves every display's page; the renderer
limit, the GPU thread and network service inside the browser process, and no spare renderer keep it small. Chromium
156 still starts a second renderer for its own omnibox popup WebUI, which no switch turns off.
`
    : ''
}${met ? '' : `\n${coverMissNotes}`}`);
  }
  return out.join('\n\n');
}

const coverMissNotes = `**Why click-to-cover misses 150 ms at p95 here, and what would meet it.** The agent's part is
short: from the badge press its log shows the raw screen grab (for the evidence, before any Harbour window appears)
and the map request within a few tens of milliseconds, and the X server paints the cover's colour at once. The rest
is the machine: the benchmark's own capture loop keeps about one core busy, and the 2 cores are shared with other
builds and test suites (see the load average above), so the xdotool click, the agent and the X server wait for a
core. What would meet it on a loaded machine: grab the screens on a worker thread so the map request is not behind
the grab's completion in the agent's event loop; on a school PC, without a benchmark capturing the screen, the
path is the same minus that load.`;

function governorsNote(d: DatabaseResult): string {
  const g = d.queries.find((q) => q.name.startsWith('governors'));
  if (!g) return '';
  const how = `**The governors' report keeps its counts.** A term at this scale is about a third of a year's 100,000
incidents; even counted from the covering index, SQLite groups some 30,000 index entries (the "just after an
incident was recorded" row). The
report changes only when incidents do, so the server keeps each term's counts until an incident is written
(\`features/incidents/reports.ts\`): a Kysely plugin sees every INSERT, UPDATE and DELETE on the table whichever
service makes it, and SQLite's \`data_version\` catches a commit by another connection
(\`db/change-tracker.ts\`; tested both ways). The benchmark's requests ask for the same term, so after the
warm-up they measure the kept counts plus the audit entry each request still writes; the first request after an
incident changes pays the full count again.`;
  if (g.p95 < targets.database.p95Ms) return how;
  return `${how}

**Why it still misses 50 ms.** Each request writes a hash-chained audit entry in a transaction; on this shared
machine that write is the rest of the time. Keeping monthly counts in a summary table as incidents are written
would not remove it: the audit of who read the report is required.`;
}

function databaseSection(r: Results): string {
  const d = r.database;
  if (!d) return '';
  const t = targets.database;
  const rows = d.queries
    .map(
      (q) =>
        `| ${q.name} | ${q.what} | ${q.requests} | ${q.p50} | ${q.p95} | ${q.p99} | ${q.target ? `< ${t.p95Ms}: ${verdict(q.p95 < t.p95Ms)}` : 'none (context)'} |`,
    )
    .join('\n');
  return `## Database at school scale

A server data directory created by the server's own migrations and seeded with ${n(d.rooms)} rooms of 30 devices
(${n(d.devices)} devices), a class of 30 pupils per room who move seats each lesson, ${n(d.activityRows)} activity
intervals over the last 20 school days (inside the default 30-day retention; 85% active, 10% idle, 5% locked;
school websites and apps; ${d.dbSizeMb} MB on disk, seeded in ${d.seedSeconds} s), and ${n(d.incidents)} incidents over
the school year with the columns \`createIncident\` writes (half from watch-list flags, 30% pupils' reports, 20% staff;
every category; most closed; 40% of device incidents with a screenshot), each with its audit entries chained as the
server chains them (${n(d.auditEntries)} entries). Then the real server answers a
signed-in DSL through the real HTTP API and live socket, one request at a time, timed at the client (milliseconds,
after 10 warm-up requests). Reads of activity are audited, so each also writes an audit row — part of its real cost.

| query | what | requests | p50 ms | p95 ms | p99 ms | target (p95) |
| --- | --- | ---: | ---: | ---: | ---: | --- |
${rows}

**Indexes added (migration \`0007_bench_indexes\`), before → after at 1,000,000 activity rows and 100,000 incidents,
200 requests each (measured on this machine while building this benchmark):**

- Room live view: what each device shows now is its one open interval (\`ended_at is null\`); finding it read the
  device's whole history. A partial index \`activity_open\` on \`activity_intervals(device_id) where ended_at is null\`:
  p95 37.9 → 11.0 ms (p50 19.1 → 3.2 ms). The same index serves every \`activity.changed\` event, which closes the
  device's open interval.
- Pupil chronology: the trail entries of the pupil's incidents were found by scanning the whole audit log. Index
  \`audit_subject\` on \`audit_log(subject)\` (and \`incident_people_subject\`): p95 184.8 → 11.8 ms.
- Governors' report: a term's incidents were found by scanning the whole table, then read one by one into
  JavaScript to be counted. A covering index \`incidents_occurred\` on \`incidents(occurred_at, category,
  subject_year_group, outcome, state, source)\`: p95 280.2 → 121.3 ms; counting in SQL with GROUP BY instead
  (\`features/incidents/reports.ts\`, same report): → about 76 ms.

${governorsNote(d)}

**Room top sites** has no target in the issue and is shown for context: it reads every interval of the room inside
retention (the query can bound the start of an interval only from above): about 50,000 rows at 1,000,000. Bounding the
look-back by the longest interval, or a covering index on \`(room_id, started_at, domain, ended_at)\`, would speed it up.
`;
}

function reruns(r: Results): string {
  const entries = Object.entries(r.reruns ?? {});
  if (entries.length === 0) return '';
  return `, except ${entries
    .map(
      ([section, run]) =>
        `the ${section} section, measured again from ${run.date} to ${run.finishedAt ?? '?'} at commit \`${run.commit}\`${run.loadAverageAtStart ? ` (load average ${run.loadAverageAtStart.join(' / ')} at its start, ${run.loadAverageAtEnd?.join(' / ') ?? '?'} at its end)` : ''}`,
    )
    .join('; ')}`;
}

function machineSection(r: Results): string {
  const m = r.machineService;
  if (!m) return '';
  if (m.skipped) return `## The machine: service, helper and Chromium\n\nNot measured: ${m.skipped}.\n`;
  const t = targets.machine;
  const row = (label: string, parts: MachineResult['idle']) => {
    const p = (k: string) => parts?.[k];
    const cell = (k: string) => (p(k) ? `${p(k)!.pssMeanMb} MB / ${p(k)!.cpuPercent}%` : '—');
    return `| ${label} | ${cell('service')} | ${cell('helper')} | ${cell('chromium')} | ${cell('probes')} | **${p('total')?.pssMeanMb ?? '—'} MB** (peak ${p('total')?.pssPeakMb ?? '—'}) / **${p('total')?.cpuPercent ?? '—'}%** |`;
  };
  const idle = m.idle?.total;
  const veyon = m.veyon && 'total' in m.veyon ? m.veyon.total : undefined;
  const veyonSkipped = m.veyon && 'skipped' in m.veyon ? (m.veyon as { skipped: string }).skipped : undefined;
  const helperIdle = m.idle?.helper?.pssMeanMb ?? 0;
  const helperAfter = m.after?.helper?.pssMeanMb ?? 0;
  const helperLesson = m.lesson?.helper?.pssMeanMb ?? 0;
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  return `## The machine: service, helper and Chromium

Issue 12's shape, measured as whole process trees: the machine service as root (\`harbour-agent service --help-badge
--activity on\`) and one session helper as a real user on one Xvfb display (1280×800), the help badge shown and the
tell cover ready (a picture of its page kept by the helper; Chromium ended 20 s after it was last needed, and idle is
measured once it has), activity on. PSS from \`/proc/<pid>/smaps_rollup\` (shared pages divided
among the processes that map them, so the sum is what the tree costs the machine), CPU from \`/proc/<pid>/stat\`, once a
second. "probes" are the short programs the helper runs (\`xprop\`, \`xwininfo\`); those that ended inside a window are
not counted. veyon-server (Debian's \`veyon-service\` ${veyonSkipped ? 'could not run' : 'package'}) ran as the same user on the same display in the same window as "idle".

| PSS mean / CPU | service | helper | Chromium | probes | whole tree |
| --- | --- | --- | --- | --- | --- |
${row(`idle, cover ready (${m.idle?.total ? 'measured' : '—'})`, m.idle)}
${row(`during a supervised lesson (${m.thumbnails ?? 0} thumbnails)`, m.lesson)}
${row('after the lesson', m.after)}
${veyon ? `| veyon-server tree, same display | | | | | **${veyon.pssMeanMb} MB** (peak ${veyon.pssPeakMb}) / **${veyon.cpuPercent}%** |` : `| veyon-server | not measured: ${veyonSkipped ?? '?'} | | | | |`}

- **Target: under ${t.pssMb} MB PSS and ${t.cpuPercent}% CPU idle** for the whole tree: ${verdict((idle?.pssMeanMb ?? Infinity) < t.pssMb && (idle?.cpuPercent ?? Infinity) < t.cpuPercent)} (${idle?.pssMeanMb} MB, ${idle?.cpuPercent}%).
  The service and the helper are ${(m.idle?.service?.pssMeanMb ?? 0) + helperIdle} MB of it. No Chromium runs while
  nothing is on screen: it starts for the AUP, eyes-on-me, a message or the cover's live page, and ends 20 s after
  the last of them; a badge press meanwhile shows the cover's kept picture at once (docs/tell.md).
- **Target: a lesson adds under ${t.lessonAddsMb} MB, and nothing stays**: the helper (which captures and encodes the
  thumbnails) went from ${helperIdle} MB to ${helperLesson} MB during the lesson and ${helperAfter} MB after it
  (${verdict(helperLesson - helperIdle < t.lessonAddsMb && helperAfter - helperIdle < 2)}). Thumbnails no longer load sharp, and on X no full-size frame reaches the
  helper: the X server shrinks the display (XRender: the root window as a Picture with a scaling transform and a box
  filter, composited into a thumbnail-sized pixmap, of which only that is read back, \`agent/src/platform/x11/thumbnail.ts\`),
  then jpeg-js encodes it. Elsewhere (or if RENDER fails) the capture is taken raw, shrunk in JavaScript
  (\`agent/src/platform/thumbnail.ts\`). Each such capture is a
  width × height × 4 byte buffer; glibc's malloc, after the first one is freed, raises its mmap threshold and keeps
  every later one in its heap for good, so helpers run with \`MALLOC_MMAP_THRESHOLD_=131072\` (the service sets it for
  the helpers it starts, \`build/bin/harbour-agent\` for the others), and freed captures go back to the system.
  "After" is measured from 10 s after the lesson ended. jpeg-js's own \`encode()\` built a new encoder for
  every image, with a table of 65,535 small arrays (about 17 MB of heap each) that outlived the helper's 1 MB young
  generation: the helper went from 57 MB to 74.3 MB during a lesson (2026-12-02, commit \`33be77c\`). It now keeps one
  encoder for the lesson, with that table replaced by a function and dropped a minute after the last thumbnail
  (same bytes out, \`agent/src/platform/thumbnail.test.ts\`).
- **Target: the helper back within ${t.restartMs / 1000} s of a kill**: connected again after ${m.restart?.connectedMs} ms, its
  cover prepared again after ${m.restart?.coverPreparedMs ?? '—'} ms (${verdict((m.restart?.connectedMs ?? Infinity) < t.restartMs)}).
`;
}

export function markdown(r: Results): string {
  const m = r.machine;
  return `# Benchmarks

Generated by \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\` from ${r.date} to ${r.finishedAt ?? '?'} at commit \`${r.commit}\`.
Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}. Load average (1, 5, 15 min) at the
start: ${r.loadAverageAtStart.join(', ')}; at the end: ${r.loadAverageAtEnd?.join(', ') ?? '?'} — the machine is shared
with other engineers' builds and test suites, and the server, the simulated agents and the watching dashboard all
share its 2 cores, so these figures are upper bounds for a dedicated server. Every figure below comes from this run${reruns(r)};
\`docs/benchmarks.json\` has them all. Benchmarks are not timed tests: \`test/integration/bench-smoke.test.ts\` runs
each section with tiny sizes to prove the benchmark still works, and asserts no speed.

${fleetSection(r)}
${nodesSection(r)}
${footprintSection(r)}
${machineSection(r)}
${databaseSection(r)}
${tellSection(r)}

## Server changes made for these benchmarks

- **Prepared statements are reused** (\`dashboard/src/server/db/statement-cache.ts\`): Kysely's SQLite driver prepared
  every query afresh: 7% of all profile samples under fleet load (about a tenth of the server's busy time), now under 1%.
- **Group commit** (\`dashboard/src/server/db/group-commit.ts\`): agent events that arrive together
  share one transaction, each in its own savepoint (one that fails is rolled back alone and its agent gets the
  error; acknowledgements are still sent only after the commit). One transaction per event made thousands of WAL
  commits a second, each writing every page it touched again, and the server waited on the disk.
  Heartbeats are not batched: a deferred heartbeat could run after the database closed at shutdown.${
    r.commit === '7b62496'
      ? ' (The run recorded here, at 7b62496, still batched heartbeats too; at 10,000 agents they are about 1 in 7 of the writes.)'
      : ''
  }
- **Indexes** (migration \`0007_bench_indexes\`), **the governors' report counting in SQL** and **keeping its
  counts until an incident changes**, above.

## How the figures were found

Server profiles: \`node --cpu-prof\` on the server under a fleet run (\`runFleet({ serverExecArgv: ['--cpu-prof',
'--cpu-prof-dir=…'] })\`), summarised by self and inclusive time per function and package. Agent memory: RSS after
importing each of the agent's modules in a bare Node.js process.
`;
}
