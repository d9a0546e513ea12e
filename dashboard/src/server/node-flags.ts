/**
 * Node and V8 settings for the server: a young generation of up to 64 MB (V8's default stops
 * at 16 MB). Each agent event allocates its packet, its parsed body and its queries' values,
 * and at 10,000 agents these were collected every few milliseconds in pauses of 60 to 115 ms,
 * promoting live objects into the old generation, whose full collections then stopped the
 * server for hundreds of milliseconds. With 64 MB the fleet benchmark's p99 at 10,000
 * agents fell from 392 to 177 ms and the server's CPU from 80% to 59% of a core, for about
 * 100 MB more resident memory under that load (docs/benchmarks.md). The young generation
 * grows to it only under load: an idle server stays small.
 *
 * The same list is in the root `npm start` script; `node-flags.test.ts` keeps them equal.
 * Tests and the benchmarks start the server with these flags, as `npm start` does.
 */
export const serverNodeFlags = ['--max-semi-space-size=64'];
