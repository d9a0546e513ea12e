import { describe, expect, it } from 'vitest';
import { runFleet } from '../../bench/fleet.js';

// Benchmarks are not timed tests: this only proves `npm run bench` still works end to end
// (seeding, a real server, worker processes of real-protocol agents, a watching dashboard).
describe('benchmark smoke run', () => {
  it('runs a tiny fleet and measures it', async () => {
    const result = await runFleet({ agents: 12, workers: 2, measureSeconds: 2, changeEverySeconds: 1 });
    expect(result.connected).toBe(12);
    expect(result.latencyMs.count).toBeGreaterThan(0);
    expect(result.refused).toBe(0);
    expect(result.serverRssPeakMb).toBeGreaterThan(10);
    expect(Number.isFinite(result.latencyMs.p99)).toBe(true);
  }, 120_000);
});
