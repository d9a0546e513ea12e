import { describe, expect, it } from 'vitest';
import { runCluster } from '../../bench/cluster.js';
import { runDatabase } from '../../bench/database.js';
import { runFleet } from '../../bench/fleet.js';
import { runCover } from '../../bench/cover.js';
import { runFootprint } from '../../bench/footprint.js';
import { runMachine } from '../../bench/machine.js';
import { runTellAlerts } from '../../bench/tell.js';

// Benchmarks are not timed tests: these only prove `npm run bench` still works end to end,
// each section with tiny sizes, and assert no speed.
describe('benchmark smoke run', () => {
  it('runs a tiny fleet and measures it', async () => {
    const result = await runFleet({ agents: 12, workers: 2, measureSeconds: 2, changeEverySeconds: 1 });
    expect(result.connected).toBe(12);
    expect(result.latencyMs.count).toBeGreaterThan(0);
    expect(result.refused).toBe(0);
    expect(result.serverRssPeakMb).toBeGreaterThan(10);
    expect(Number.isFinite(result.latencyMs.p99)).toBe(true);
    expect(result.stealPercent).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('runs a tiny fleet on two nodes over PostgreSQL and Redis, measured from the second', async () => {
    const result = await runCluster({
      nodes: 2,
      agents: 12,
      workers: 2,
      measureSeconds: 2,
      changeEverySeconds: 1,
    });
    expect(result.connected).toBe(12);
    expect(result.nodes).toHaveLength(2);
    // Both nodes carried agents, and the first node's agents' changes reached the dashboard on the second.
    for (const node of result.nodes!) expect(node.received).toBeGreaterThan(0);
    expect(result.latencyMs.count).toBeGreaterThanOrEqual(12);
    expect(result.refused).toBe(0);
  }, 180_000);

  it('measures a real agent on a real X display', async () => {
    const result = await runFootprint({ seconds: 3, warmupSeconds: 1 });
    expect(result.samples).toBe(3);
    expect(result.rssPeakMb).toBeGreaterThan(10);
    expect(Number.isFinite(result.cpuPercentMean)).toBe(true);
    // The agent really reported activity from the display.
    expect(result.activityIntervalsStored).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)(
    'measures the service, a helper and its Chromium as whole trees, through a lesson and a restart',
    async () => {
      const result = await runMachine({ idleSeconds: 2, lessonSeconds: 4, afterSeconds: 2, veyon: false });
      expect(result.skipped).toBeUndefined();
      for (const part of ['service', 'helper', 'total'])
        expect(result.idle?.[part]?.pssMeanMb, part).toBeGreaterThan(1);
      // Idle is measured once the helper's Chromium has gone (issue 12: no browser at idle).
      expect(result.idle?.chromium?.pssMeanMb ?? 0, 'Chromium at idle').toBeLessThan(1);
      expect(result.lesson?.total?.pssMeanMb).toBeGreaterThan(1);
      expect(result.restart?.connectedMs).toBeGreaterThan(0);
      expect(result.veyon).toEqual({ skipped: 'not asked for' });
    },
    180_000,
  );

  it('seeds a tiny school and times its queries through the real API', async () => {
    const result = await runDatabase({ activityRows: 3000, incidents: 300, devices: 60, requests: 5 });
    expect(result.activityRows).toBe(3000);
    expect(result.queries.length).toBeGreaterThanOrEqual(6);
    expect(result.incidents).toBe(300);
    for (const q of result.queries) {
      expect(q.requests).toBe(5);
      expect(Number.isFinite(q.p95)).toBe(true);
    }
  }, 120_000);

  it('sends tell reports with real screenshots through a small fleet and times the alerts', async () => {
    const result = await runTellAlerts({ agents: 10, reports: 2, workers: 2, spacingMs: 50 });
    expect(result.failed).toEqual([]);
    expect(result.alerts).toBe(2);
    expect(result.latencyMs.count).toBe(2);
    expect(result.screenshotBytes).toBeGreaterThan(10_000);
  }, 120_000);

  it('clicks the real help badge on Xvfb and sees every display covered', async () => {
    const result = await runCover({ rounds: 1, probeSeconds: 2 });
    expect(result.clickToCoveredMs.count).toBe(1);
    expect(result.clickToCoveredMs.p50).toBeGreaterThan(0);
    expect(result.clickToContentMs?.count).toBe(1);
    expect(result.agentCoverRequestedMs.count).toBe(1);
    expect(result.pss?.totalMb).toBeGreaterThan(0);
    expect(result.spawned, 'programs the agent started while windows switched').toEqual([]);
    expect(result.spawnsPerSecond).toBe(0);
    expect(result.switchToEventMs?.count).toBeGreaterThan(0);
  }, 120_000);
});
