/**
 * Node and V8 settings for the headless agent, a small process that runs all day and does
 * little: a 1 MB young generation (V8's default grows it to 16 MB, memory the agent never
 * needs back) and one V8 platform thread instead of four. Measured by the footprint
 * benchmark (docs/benchmarks.md): about 10 MB less resident memory, no more CPU.
 *
 * The same list is in the first line of `agent/src/cli.ts` (the `harbour-agent` command) and
 * in the root `npm run agent` script; `node-flags.test.ts` keeps them equal. Tests and the
 * benchmarks start the agent with these flags, as installed.
 */
export const agentNodeFlags = ['--max-semi-space-size=1', '--v8-pool-size=1'];

/** The V8 part, for Electron's `js-flags` switch in the tray app (the pool size is Node's own option). */
export const agentV8Flags = agentNodeFlags.filter((flag) => flag.startsWith('--max-semi-space-size'));
