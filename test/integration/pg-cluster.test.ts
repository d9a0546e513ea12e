/**
 * The PostgreSQL cluster (HARBOUR_CLUSTER=postgres, realtime/pg-cluster.ts) from close up: two
 * nodes' clusters in this process on one real PostgreSQL database, and what a node killed
 * outright or a PostgreSQL crash leaves behind, made by hand with psql. multinode.test.ts runs
 * the same cluster in two real server processes. integration-pg only (it needs PostgreSQL).
 */
import pino from 'pino';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Cluster } from '../../dashboard/src/server/realtime/cluster.js';
import { joinPostgresCluster } from '../../dashboard/src/server/realtime/pg-cluster.js';
import { createDatabase, psql } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';

let databaseUrl: string;
let a: Cluster;
let b: Cluster;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  databaseUrl = await createDatabase(inject('postgresAdminUrl'));
  // Both at once on an empty database: creating the tables must not race.
  [a, b] = await Promise.all([
    joinPostgresCluster(new Server(), databaseUrl, log),
    joinPostgresCluster(new Server(), databaseUrl, log),
  ]);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('the PostgreSQL cluster', () => {
  it('a lease is held for its time and not given back, then another node takes it', async () => {
    expect(await a.lease.claim('retention', 1_000)).toBe(true);
    expect(await b.lease.claim('retention', 1_000)).toBe(false);
    expect(await a.lease.claim('retention', 1_000)).toBe(false);
    expect(await b.lease.claim('roster', 1_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await b.lease.claim('retention', 1_000)).toBe(true);
  });

  it('a lease left by a node killed while holding it blocks the others until its time is up, no longer', async () => {
    await psql(
      databaseUrl,
      `insert into cluster_leases (name, holder, until) values ('purge', 'killed-node', now() + interval '800 milliseconds')`,
    );
    expect(await a.lease.claim('purge', 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 900));
    expect(await a.lease.claim('purge', 60_000)).toBe(true);
    expect(await b.lease.claim('purge', 60_000)).toBe(false);
  });

  it('presence: a device connected to one node is online for the other until its last connection goes', async () => {
    await a.presence.add('dev-1');
    await a.presence.add('dev-1');
    expect(await b.presence.onlineOf(['dev-1', 'dev-2'])).toEqual(new Set(['dev-1']));
    await a.presence.remove('dev-1');
    expect(await b.presence.onlineOf(['dev-1'])).toEqual(new Set(['dev-1']));
    await a.presence.remove('dev-1');
    expect(await b.presence.onlineOf(['dev-1'])).toEqual(new Set());
  });

  it('a burst of agents connecting is written in full, and connections and disconnections stay in order', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => `burst-${i}`);
    await Promise.all(ids.map((id) => a.presence.add(id)));
    expect((await b.presence.onlineOf(ids)).size).toBe(400);
    // Each device goes and comes back at once: the last word is "connected" for every one.
    await Promise.all(ids.flatMap((id) => [a.presence.remove(id), a.presence.add(id)]));
    expect((await b.presence.onlineOf(ids)).size).toBe(400);
    await Promise.all(ids.map((id) => a.presence.remove(id)));
    expect((await b.presence.onlineOf(ids)).size).toBe(0);
  });

  it('a node that stops beating is gone after 15 s, its devices with it, whatever rows it left', async () => {
    await a.presence.add('dev-3');
    expect(await b.presence.onlineOf(['dev-3'])).toEqual(new Set(['dev-3']));
    // What SIGKILL leaves: the rows, and a last heartbeat that grows old.
    await psql(
      databaseUrl,
      `update cluster_nodes set beat_at = now() - interval '16 seconds' where node_id = $1`,
      [a.nodeId],
    );
    expect(await b.presence.onlineOf(['dev-3'])).toEqual(new Set());
    // A's next heartbeat (within 5 s) shows it alive again.
    await waitFor(async () => (await b.presence.onlineOf(['dev-3'])).has('dev-3'), {
      timeoutMs: 8_000,
      what: "node A's heartbeat to bring it back",
    });
    await a.presence.remove('dev-3');
  });

  it('presence lost by PostgreSQL (a crash empties unlogged tables) is written again by the next heartbeat', async () => {
    await a.presence.add('dev-4');
    await psql(databaseUrl, 'truncate cluster_nodes, cluster_presence');
    expect(await b.presence.onlineOf(['dev-4'])).toEqual(new Set());
    await waitFor(async () => (await b.presence.onlineOf(['dev-4'])).has('dev-4'), {
      timeoutMs: 8_000,
      what: 'node A to write its connections again',
    });
    await a.presence.remove('dev-4');
  });

  it('rate-limit counts are shared by the nodes, per window, and cleared for both', async () => {
    const now = 1_800_000_000_000;
    expect(await a.counters.hit('pin:dev-5', 60_000, now)).toEqual({ count: 1, resetAt: now + 60_000 });
    expect((await b.counters.hit('pin:dev-5', 60_000, now + 10)).count).toBe(2);
    expect(await a.counters.peek('pin:dev-5', 60_000, now + 20)).toBe(2);
    // The next window starts again from nothing.
    expect((await b.counters.hit('pin:dev-5', 60_000, now + 60_000)).count).toBe(1);
    await b.counters.clear('pin:dev-5', 60_000, now);
    expect(await a.counters.peek('pin:dev-5', 60_000, now)).toBe(0);
    expect(await a.counters.peek('pin:dev-5', 60_000, now + 60_000)).toBe(1);
  });
});
