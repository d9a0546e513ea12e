/** The agent's settings: one schema, four sources, one precedence. See docs/agent-configuration.md. */
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import type { ConfigDefaults } from './schema.js';
import { machineSources, valuesSource, type RegQuery } from './sources.js';

export type { ConfigProblem } from './problems.js';
export type { ResolvedConfig } from './resolve.js';
export { agentConfigShape, configKeys, keyDocs, type ConfigKey, type ConfigValues } from './schema.js';
export { machinePaths, policyRegistryKey } from './sources.js';

export interface LoadOptions {
  /** Settings given on the command line (already checked by the caller). */
  commandLine?: Record<string, unknown>;
  platform?: NodeJS.Platform;
  /** Where the machine-wide files are looked for; `/` normally. */
  root?: string;
  defaults: ConfigDefaults;
  registry?: RegQuery;
}

/** Reads every source and resolves the settings by precedence. Never throws for bad settings. */
export function loadAgentConfig(options: LoadOptions): Promise<ResolvedConfig> {
  const sources = [
    valuesSource('the command line', options.commandLine ?? {}),
    ...machineSources(options.platform ?? process.platform, options.root ?? '/', options.registry),
  ];
  return resolveConfig(sources, options.defaults);
}
