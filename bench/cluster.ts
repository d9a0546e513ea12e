/**
 * Two server nodes on one PostgreSQL and one Redis, as a trust runs Harbour behind a load
 * balancer (docs/multinode.md), carrying a fleet twice the size of one node's target: the
 * fleet benchmark (fleet.ts) with its workers spread over the nodes. The database and Redis
 * are Debian's, started here for the run: a cluster of its own with durable writes (fsync on,
 * as a trust would run it), and a Redis that saves nothing.
 */
import { createDatabase, startPostgresCluster } from '../test/support/postgres.js';
import { freePort } from '../test/support/processes.js';
import { startRedis } from '../test/support/redis.js';
import { runFleet, type FleetOptions, type FleetResult } from './fleet.js';

export async function runCluster(
  opts: Omit<FleetOptions, 'cluster'> & { nodes: number },
): Promise<FleetResult> {
  const postgres = startPostgresCluster(await freePort(), { durable: true });
  const redis = await startRedis();
  try {
    const databaseUrl = await createDatabase(postgres.adminUrl, 'harbour_bench');
    return await runFleet({ ...opts, cluster: { nodes: opts.nodes, databaseUrl, redisUrl: redis.url } });
  } finally {
    await redis.stop();
    postgres.destroy();
  }
}
