/**
 * Loaded into the benchmarked server with `node --expose-gc --import` (bench/fleet.ts): on a
 * `memory` message over the IPC channel it collects garbage and answers with
 * `process.memoryUsage()`, so the fleet benchmark can report the heap each connected agent
 * keeps. Plain JavaScript, so the server's own code and flags stay as they are deployed.
 */
process.on('message', (message) => {
  if (message?.type !== 'memory') return;
  // Twice: the first run can leave objects that only a second frees (weak references).
  globalThis.gc?.();
  globalThis.gc?.();
  process.send?.({ type: 'memory', ...process.memoryUsage() });
});
// The channel must not keep the server running once it has closed everything else.
process.channel?.unref();
