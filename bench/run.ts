/**
 * `npm run bench` — Harbour's benchmarks, separate from the tests.
 *   npm run bench              full run
 *   npm run bench -- --quick   a small run, within two minutes
 *   npm run bench -- --only fleet,footprint,machine,database,tell   some sections only
 *   npm run bench -- --only nodes --merge   two nodes on PostgreSQL and Redis, 20,000 agents
 *   npm run bench -- --only database --merge   re-run some sections, keeping the others from docs/benchmarks.json
 *   npx tsx bench/run.ts --report-only   rewrite the Markdown from docs/benchmarks.json
 * Writes docs/benchmarks.json (machine-readable), docs/benchmarks.md (table) and
 * docs/benchmarks-fleet.svg (latency and memory against N).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDatabase, type DatabaseResult } from './database.js';
import { runFleet, type FleetResult } from './fleet.js';
import { runCover } from './cover.js';
import { runCluster } from './cluster.js';
import { runFootprint, type FootprintResult } from './footprint.js';
import { runMachine } from './machine.js';
import { fleetChart } from './lib/chart.js';
import { machine } from './lib/proc.js';
import { markdown, type Results } from './lib/report.js';
import { runTellAlerts } from './tell.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    /** Rewrite docs/benchmarks.md and the chart from docs/benchmarks.json, without measuring. */
    'report-only': { type: 'boolean', default: false },
    /** With --only: keep the other sections of docs/benchmarks.json; the report names the re-run sections' commit and date. */
    merge: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
// Each benchmark's helpers (test/support) make sure their processes end with this one.
process.setMaxListeners(100);
const only = new Set((values.only ?? 'fleet,nodes,footprint,machine,database,tell').split(','));

async function rewrite() {
  const docs = path.join(repo, 'docs');
  const results = JSON.parse(fs.readFileSync(path.join(docs, 'benchmarks.json'), 'utf8')) as Results;
  if (results.fleet.length > 0)
    fs.writeFileSync(path.join(docs, 'benchmarks-fleet.svg'), await fleetChart(results.fleet));
  fs.writeFileSync(path.join(docs, 'benchmarks.md'), markdown(results));
  console.log('rewrote docs/benchmarks.md and docs/benchmarks-fleet.svg from docs/benchmarks.json');
}

async function main() {
  if (values['report-only']) return rewrite();
  const started = new Date();
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo }).toString().trim();
  const results: Results = {
    date: started.toISOString(),
    commit,
    mode: quick ? 'quick' : 'full',
    machine: machine(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    fleet: [] as FleetResult[],
  };

  if (only.has('fleet')) {
    for (const agents of quick ? [100, 500] : [100, 1000, 5000, 10_000]) {
      console.log(`fleet: ${agents} agents`);
      const result = await runFleet({
        agents,
        workers: quick ? 2 : 4,
        measureSeconds: quick ? 6 : 30,
        log: console.log,
      });
      console.log(
        `  p99 ${result.latencyMs.p99} ms, ${result.eventsPerSecond} events/s, RSS ${result.serverRssPeakMb} MB`,
      );
      results.fleet.push(result);
    }
  }
  // It needs PostgreSQL and Redis (scripts/install-system-deps.sh installs them).
  if (only.has('nodes')) {
    const agents = quick ? 500 : 20_000;
    console.log(`two nodes on PostgreSQL and Redis: ${agents} agents`);
    const result = await runCluster({
      nodes: 2,
      agents,
      workers: quick ? 2 : 4,
      measureSeconds: quick ? 6 : 30,
      log: console.log,
    });
    console.log(
      `  p99 ${result.latencyMs.p99} ms, ${result.connected} connected, ${result.eventsPerSecond} events/s`,
    );
    results.nodes = result;
  }
  if (only.has('footprint')) {
    console.log('agent footprint');
    const footprint: FootprintResult = await runFootprint({ seconds: quick ? 30 : 300, log: console.log });
    console.log(
      `  CPU ${footprint.cpuPercentMean} % (+ ${footprint.childCpuPercentMean} % in helpers), RSS ${footprint.rssPeakMb} MB`,
    );
    results.footprint = footprint;
  }
  if (only.has('machine')) {
    console.log('the machine: service + helper + Chromium, whole trees (Linux as root)');
    const machineResult = await runMachine({
      idleSeconds: quick ? 10 : 60,
      lessonSeconds: quick ? 15 : 60,
      afterSeconds: quick ? 10 : 60,
      log: console.log,
    });
    console.log(
      machineResult.skipped
        ? `  skipped: ${machineResult.skipped}`
        : `  idle ${machineResult.idle?.total?.pssMeanMb} MB PSS, ${machineResult.idle?.total?.cpuPercent} % CPU; restart ${machineResult.restart?.connectedMs} ms`,
    );
    results.machineService = machineResult;
  }
  if (only.has('database')) {
    console.log('database at school scale');
    const database: DatabaseResult = await runDatabase({
      activityRows: quick ? 100_000 : 1_000_000,
      incidents: quick ? 10_000 : 100_000,
      requests: quick ? 50 : 200,
      log: console.log,
    });
    for (const q of database.queries) console.log(`  ${q.name}: p95 ${q.p95} ms`);
    results.database = database;
  }
  if (only.has('tell')) {
    const agents = quick ? 100 : 1000;
    console.log(`tell: ${agents} agents, reports with 1920×1080 screenshots`);
    const tell = await runTellAlerts({
      agents,
      reports: quick ? 20 : 100,
      workers: quick ? 2 : 4,
      spacingMs: quick ? 100 : 200,
      log: console.log,
    });
    console.log(`  ${tell.alerts}/${tell.reports} alerts, p99 ${tell.latencyMs.p99} ms`);
    results.tell = tell;
  }
  // `--only cover` runs the click-to-cover part of the tell section alone.
  if (only.has('tell') || only.has('cover')) {
    console.log('tell: click to cover on Xvfb');
    const cover = await runCover({ rounds: quick ? 2 : 30, probeSeconds: quick ? 4 : 20, log: console.log });
    console.log(`  p95 covered ${cover.clickToCoveredMs.p95} ms, content ${cover.clickToContentMs?.p95} ms`);
    results.cover = cover;
  }
  results.finishedAt = new Date().toISOString();
  results.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);

  let written: Results = results;
  if (values.merge) {
    const file = path.join(repo, 'docs', 'benchmarks.json');
    const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
    // A re-run's load may be nothing like the full run's (helpers share the machine): keep its own.
    const rerun = {
      commit,
      date: results.date,
      finishedAt: results.finishedAt,
      mode: results.mode,
      loadAverageAtStart: results.loadAverageAtStart,
      loadAverageAtEnd: results.loadAverageAtEnd,
    };
    written = { ...previous, reruns: { ...previous.reruns } };
    if (only.has('fleet')) written.fleet = results.fleet;
    if (only.has('nodes')) written.nodes = results.nodes;
    if (only.has('footprint')) written.footprint = results.footprint;
    if (only.has('machine')) written.machineService = results.machineService;
    if (only.has('database')) written.database = results.database;
    if (only.has('tell')) written.tell = results.tell;
    if (only.has('tell') || only.has('cover')) written.cover = results.cover;
    for (const section of only) written.reruns![section] = rerun;
  }
  const docs = path.join(repo, 'docs');
  fs.writeFileSync(path.join(docs, 'benchmarks.json'), `${JSON.stringify(written, null, 2)}\n`);
  if (written.fleet.length > 0)
    fs.writeFileSync(path.join(docs, 'benchmarks-fleet.svg'), await fleetChart(written.fleet));
  fs.writeFileSync(path.join(docs, 'benchmarks.md'), markdown(written));
  console.log('wrote docs/benchmarks.json, docs/benchmarks.md, docs/benchmarks-fleet.svg');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
