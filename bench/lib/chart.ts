import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { FleetResult } from '../fleet.js';

/** Latency (p50/p99) and server memory against fleet size, as an SVG (Vega-Lite, rendered headless). */
export async function fleetChart(fleet: FleetResult[]): Promise<string> {
  const values = fleet.flatMap((f) => [
    { agents: f.agents, metric: 'p50 latency (ms)', value: f.latencyMs.p50, panel: 'Latency (ms)' },
    { agents: f.agents, metric: 'p99 latency (ms)', value: f.latencyMs.p99, panel: 'Latency (ms)' },
    { agents: f.agents, metric: 'server RSS (MB)', value: f.serverRssPeakMb, panel: 'Server memory (MB)' },
  ]);
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'agents', type: 'quantitative', scale: { type: 'log' }, title: 'agents (log scale)' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'metric', type: 'nominal', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
    background: 'white',
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
