/**
 * Issue 18 review, item 5: what a node makes of presence while the store the nodes share stops
 * answering, for both clusters side by side (docs/multinode.md). Two nodes' clusters in this
 * process, each with an agent of its own, on a real Redis (redis-server) or a real PostgreSQL
 * cluster of this test's own (so stopping it stops no other test file's), stopped and started
 * again. Meanwhile each node still counts its own agents online (it holds their connections, and
 * a push to them needs no Redis or PostgreSQL: a teacher's controls are sent only to devices
 * counted online, features/supervision); the other node's agents are not known, so offline.
 * Once the store answers again, each node sees both.
 */
import pino from 'pino';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinCluster, type Cluster } from '../../dashboard/src/server/realtime/cluster.js';
import { joinPostgresCluster } from '../../dashboard/src/server/realtime/pg-cluster.js';
import { onPostgres } from '../support/database.js';
import { createDatabase, startPostgresCluster, type PostgresCluster } from '../support/postgres.js';
import { freePort } from '../support/processes.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const log = pino({ level: 'silent' });
const ids = ['agent-on-a', 'agent-on-b'];

/** Both nodes' view, each with its own agent connected. */
async function views(a: Cluster, b: Cluster) {
  return [await a.presence.onlineOf(ids), await b.presence.onlineOf(ids)].map((s) => [...s].sort());
}

async function outage(
  nodes: () => [Cluster, Cluster],
  stop: () => Promise<void>,
  start: () => Promise<void>,
) {
  const [a, b] = nodes();
  await a.presence.add('agent-on-a');
  await b.presence.add('agent-on-b');
  expect(await views(a, b)).toEqual([ids, ids]);
  await stop();
  expect(await views(a, b)).toEqual([['agent-on-a'], ['agent-on-b']]);
  // A connection that comes and goes meanwhile is still counted by its own node.
  await a.presence.add('agent-on-b-too');
  expect([...(await a.presence.onlineOf(['agent-on-b-too']))]).toEqual(['agent-on-b-too']);
  await a.presence.remove('agent-on-b-too');
  expect([...(await a.presence.onlineOf(['agent-on-b-too']))]).toEqual([]);
  await start();
  await waitFor(async () => JSON.stringify(await views(a, b)) === JSON.stringify([ids, ids]), {
    timeoutMs: 20_000,
    what: 'both nodes to see both agents again',
  });
}

describe('Redis stops answering under two nodes', () => {
  let redis: TestRedis;
  let a: Cluster;
  let b: Cluster;
  beforeAll(async () => {
    redis = await startRedis();
    a = await joinCluster(new Server(), redis.url, log);
    b = await joinCluster(new Server(), redis.url, log);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('each node keeps its own agents online meanwhile, and sees the other’s again after', async () => {
    await outage(
      () => [a, b],
      () => redis.stop(),
      () => redis.start(),
    );
  }, 40_000);
});

describe.runIf(onPostgres)('PostgreSQL stops answering under two nodes (HARBOUR_CLUSTER=postgres)', () => {
  let cluster: PostgresCluster;
  let a: Cluster;
  let b: Cluster;
  beforeAll(async () => {
    cluster = startPostgresCluster(await freePort());
    const url = await createDatabase(cluster.adminUrl);
    a = await joinPostgresCluster(new Server(), url, log);
    b = await joinPostgresCluster(new Server(), url, log);
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    cluster?.destroy();
  });

  it('each node keeps its own agents online meanwhile, and sees the other’s again after', async () => {
    await outage(
      () => [a, b],
      () => Promise.resolve(cluster.stop('fast')),
      () => Promise.resolve(cluster.start()),
    );
  }, 60_000);
});
