/**
 * The tray app's settings: the same precedence as the headless agent (command line,
 * then policy, then the machine-wide config file, then defaults; see
 * docs/agent-configuration.md). Only the defaults differ: data lives in the user's
 * app-data folder.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAgentConfig, type ConfigKey, type ResolvedConfig } from '../node/config/index.js';

const flags: Record<ConfigKey, string> = {
  serverUrl: 'server',
  enrolmentToken: 'enroll',
  dataDir: 'data-dir',
  deviceName: 'name',
  heartbeatSeconds: 'heartbeat',
  logLevel: 'log-level',
  serverCaFile: 'ca-file',
};

/** Settings flags given to the tray app (e.g. by a technician testing a machine). Unknown arguments are ignored. */
function commandLine(argv: string[]): Record<string, unknown> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.values(flags).map((f) => [f, { type: 'string' as const }])),
    strict: false,
    allowPositionals: true,
  });
  const out: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(flags) as [ConfigKey, string][]) {
    const raw = values[flag];
    if (typeof raw === 'string')
      out[key] = key === 'heartbeatSeconds' && /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

export function machineConfig(
  userDataDir: string,
  argv: string[] = process.argv.slice(1),
): Promise<ResolvedConfig> {
  return loadAgentConfig({
    commandLine: commandLine(argv),
    defaults: { dataDir: path.join(userDataDir, 'agent'), deviceName: undefined },
  });
}
