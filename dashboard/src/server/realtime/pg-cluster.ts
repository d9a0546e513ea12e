/**
 * Several nodes over the trust's PostgreSQL, without Redis (HARBOUR_CLUSTER=postgres): the same
 * `Cluster` as realtime/cluster.ts, for a few schools that would rather not run another service.
 * socket.io's PostgreSQL adapter carries pushes, joins, fetches and disconnections between nodes
 * (LISTEN/NOTIFY, bigger messages through `socket_io_attachments`); small tables hold presence,
 * leases and rate-limit counters.
 *
 * These tables are the cluster's working state, not Harbour's records: this module creates them
 * (`create ... if not exists`, so no migration and nothing on SQLite), as UNLOGGED tables (no
 * write-ahead log, so cheap to write; PostgreSQL empties them after a crash, which the heartbeat
 * notices and makes good). Times are PostgreSQL's `now()`, so nodes' clocks need not agree.
 *
 * The cluster has its own small pool, apart from the one Kysely uses, so a burst of agents
 * connecting cannot take the connections events are stored on, nor the other way round.
 * PostgreSQL going away must not stop a node: the adapter's LISTEN connection reconnects by
 * itself; the other queries fail within a few seconds, are logged, and degrade as the Redis
 * version's do (a rate limit lets the request through, a lease is not taken, presence keeps what
 * it last knew and is rewritten whole once PostgreSQL answers again).
 */
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { Lease, Presence } from '../core/cluster.js';
import type { CounterStore } from '../core/rate-limit.js';
import { describeDatabaseUrl } from '../db/database.js';
import { ClusterUnavailableError, type Cluster } from './cluster.js';

/** As the Redis version: a node that has not beaten for this long is gone, and its devices with it. */
const presenceTtlMs = 15_000;
const heartbeatMs = 5_000;
/** Dead nodes' rows and finished rate-limit windows are deleted this often (by whichever node). */
const purgeMs = 60_000;
/** Each cluster query gives up after this: a node waits no longer than this on a PostgreSQL gone away. */
const queryTimeoutMs = 3_000;

// One transaction under an advisory lock: two nodes starting together on an empty database
// would otherwise race in `create table if not exists` (it is not safe against itself).
const setUp = `
select pg_advisory_xact_lock(hashtext('harbour:cluster-tables'));
create table if not exists socket_io_attachments (
  id bigserial unique,
  created_at timestamptz default now(),
  payload bytea
);
create unlogged table if not exists cluster_nodes (
  node_id text primary key,
  beat_at timestamptz not null
);
create unlogged table if not exists cluster_presence (
  node_id text not null,
  device_id text not null,
  count integer not null,
  primary key (node_id, device_id)
);
create index if not exists cluster_presence_device on cluster_presence (device_id);
create unlogged table if not exists cluster_leases (
  name text primary key,
  holder text not null,
  until timestamptz not null
);
create unlogged table if not exists cluster_counters (
  key text primary key,
  count integer not null,
  expires_at bigint not null
);`;

export async function joinPostgresCluster(
  io: Server,
  url: string,
  log: Logger,
  options: { connectTimeoutMs?: number } = {},
): Promise<Cluster> {
  const nodeId = randomUUID();
  const clusterLog = log.child({ service: 'cluster', nodeId });
  const pool = new pg.Pool({
    connectionString: url,
    // One connection stays checked out by the adapter for LISTEN; the rest serve the queries here
    // and the adapter's NOTIFYs.
    max: 5,
    connectionTimeoutMillis: options.connectTimeoutMs ?? queryTimeoutMs,
    query_timeout: queryTimeoutMs,
    application_name: 'harbour-cluster',
  });
  // A connection that breaks (PostgreSQL restarted, a DBA ended it) emits 'error': on an idle one
  // the pool passes it here, on the adapter's checked-out LISTEN connection nothing would catch
  // it and the node would end. Both are logged; the pool opens new connections, and the adapter
  // listens again on a new one when the old one ends.
  let down = false;
  const lost = (error: Error) => {
    if (!down)
      clusterLog.error({ err: error.message }, 'cluster connection to PostgreSQL lost; reconnecting');
    down = true;
  };
  pool.on('error', lost);
  // The adapter drops its LISTEN connection when it ends without giving it back to the pool,
  // which would keep counting it: after a few PostgreSQL restarts the pool would be full of
  // dead connections. A checked-out connection that ends is handed back here as broken.
  const held = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => held.add(client));
  pool.on('release', (_error, client) => held.delete(client));
  pool.on('connect', (client) => {
    client.on('error', lost);
    client.on('end', () => {
      if (held.has(client)) client.release(new Error('connection ended'));
    });
    if (down) clusterLog.info('cluster connection to PostgreSQL back');
    down = false;
  });
  try {
    await pool.query(setUp);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ClusterUnavailableError(
      `Harbour cannot join the other nodes over PostgreSQL at ${describeDatabaseUrl(url)} (HARBOUR_CLUSTER=postgres): ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  io.adapter(
    createAdapter(pool, {
      channelPrefix: 'harbour',
      errorHandler: (error) =>
        clusterLog.warn({ err: error.message }, 'cluster message failed (PostgreSQL unavailable?)'),
    }),
  );

  const safely = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      clusterLog.warn(
        { err: error instanceof Error ? error.message : error },
        `${what} failed (PostgreSQL unavailable?)`,
      );
    }
  };

  // This node's own connections, as in the Redis version. Changes are written for the devices
  // that changed since the last write, in one statement, one write at a time: a burst of agents
  // connecting becomes a few upserts of many rows, and an add and a remove of one device cannot
  // be reordered by two pooled connections. Each write sets the device's count from `local`,
  // so writing it twice is harmless.
  const local = new Map<string, number>();
  const changed = new Set<string>();
  /** Set when a write failed or PostgreSQL lost the rows: the next heartbeat writes `local` whole. */
  let rewrite = false;
  const writeChanged = async () => {
    const ids = [...changed];
    changed.clear();
    if (ids.length === 0) return;
    const there = ids.filter((id) => (local.get(id) ?? 0) > 0);
    const gone = ids.filter((id) => (local.get(id) ?? 0) === 0);
    try {
      await pool.query(
        `with gone as (
           delete from cluster_presence where node_id = $1 and device_id = any($4::text[])
         )
         insert into cluster_presence (node_id, device_id, count)
         select $1, d, c from unnest($2::text[], $3::int[]) as t(d, c)
         on conflict (node_id, device_id) do update set count = excluded.count`,
        [nodeId, there, there.map((id) => local.get(id)!), gone],
      );
    } catch (error) {
      rewrite = true;
      clusterLog.warn(
        { err: error instanceof Error ? error.message : error },
        'presence not written (PostgreSQL unavailable?)',
      );
    }
  };
  let writing: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const write = (): Promise<void> => {
    if (next) return next;
    if (writing) {
      next = writing.then(() => {
        next = undefined;
        return write();
      });
      return next;
    }
    writing = writeChanged().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  const rewriteWhole = async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('delete from cluster_presence where node_id = $1', [nodeId]);
      await client.query(
        `insert into cluster_presence (node_id, device_id, count)
         select $1, d, c from unnest($2::text[], $3::int[]) as t(d, c)`,
        [nodeId, [...local.keys()], [...local.values()]],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const beat = async () => {
    // `xmax = 0`: the row was inserted, not updated. It was there before unless PostgreSQL lost
    // it (a crash empties unlogged tables) or another node purged this one as dead: then this
    // node's presence rows are gone too and are written whole again.
    const { rows } = await pool.query<{ inserted: boolean }>(
      `insert into cluster_nodes (node_id, beat_at) values ($1, now())
       on conflict (node_id) do update set beat_at = now()
       returning (xmax = 0) as inserted`,
      [nodeId],
    );
    if (rows[0]?.inserted || rewrite) {
      rewrite = false;
      try {
        await rewriteWhole();
      } catch (error) {
        rewrite = true;
        throw error;
      }
    }
  };
  const purge = async () => {
    await pool.query(
      `with gone as (
         delete from cluster_nodes where beat_at < now() - interval '1 minute' returning node_id
       )
       delete from cluster_presence where node_id in (select node_id from gone)`,
    );
    await pool.query('delete from cluster_counters where expires_at < $1', [Date.now()]);
  };
  await beat();
  const heartbeat = setInterval(() => void safely('presence heartbeat', beat), heartbeatMs);
  heartbeat.unref();
  const purging = setInterval(() => void safely('cluster purge', purge), purgeMs);
  purging.unref();

  const presence: Presence = {
    add: (deviceId) => {
      local.set(deviceId, (local.get(deviceId) ?? 0) + 1);
      changed.add(deviceId);
      return write();
    },
    remove: (deviceId) => {
      const left = (local.get(deviceId) ?? 1) - 1;
      if (left > 0) local.set(deviceId, left);
      else local.delete(deviceId);
      changed.add(deviceId);
      return write();
    },
    async onlineOf(deviceIds) {
      const online = new Set<string>();
      if (deviceIds.length === 0) return online;
      try {
        // A node that stopped beating is gone, and its devices with it, whatever rows it left.
        const { rows } = await pool.query<{ device_id: string }>(
          `select distinct p.device_id from cluster_presence p
           join cluster_nodes n on n.node_id = p.node_id
           where p.device_id = any($1::text[]) and p.count > 0
             and n.beat_at > now() - $2 * interval '1 millisecond'`,
          [[...deviceIds], presenceTtlMs],
        );
        for (const r of rows) online.add(r.device_id);
      } catch (error) {
        clusterLog.warn(
          { err: error instanceof Error ? error.message : error },
          'presence lookup failed (PostgreSQL unavailable?)',
        );
        // What this node knows of its own connections is still true.
        for (const id of deviceIds) if ((local.get(id) ?? 0) > 0) online.add(id);
      }
      return online;
    },
  };

  const lease: Lease = {
    async claim(name, ttlMs) {
      try {
        // Taken if nobody holds it or the holder's time is up; a node killed holding a lease
        // blocks the others until `until` and no longer.
        const { rowCount } = await pool.query(
          `insert into cluster_leases (name, holder, until)
           values ($1, $2, now() + $3 * interval '1 millisecond')
           on conflict (name) do update set holder = excluded.holder, until = excluded.until
           where cluster_leases.until <= now()`,
          [name, nodeId, ttlMs],
        );
        return rowCount === 1;
      } catch (error) {
        clusterLog.warn(
          { err: error instanceof Error ? error.message : error, lease: name },
          'lease not taken: PostgreSQL unavailable; skipping this run',
        );
        return false;
      }
    },
  };

  const windowKey = (key: string, windowMs: number, now: number) =>
    `${key}:${windowMs}:${now - (now % windowMs)}`;
  const counters: CounterStore = {
    async hit(key, windowMs, now) {
      const start = now - (now % windowMs);
      try {
        const { rows } = await pool.query<{ count: number }>(
          `insert into cluster_counters (key, count, expires_at) values ($1, 1, $2)
           on conflict (key) do update set count = cluster_counters.count + 1
           returning count`,
          [windowKey(key, windowMs, now), start + windowMs],
        );
        return { count: Number(rows[0]!.count), resetAt: start + windowMs };
      } catch (error) {
        // A limit that cannot be counted lets the request through rather than stop the school.
        clusterLog.warn(
          { err: error instanceof Error ? error.message : error },
          'rate limit not counted (PostgreSQL unavailable?)',
        );
        return { count: 0, resetAt: start + windowMs };
      }
    },
    // Throws when PostgreSQL is away: a lockout that cannot be read is the caller's to refuse.
    async peek(key, windowMs, now) {
      const { rows } = await pool.query<{ count: number }>(
        'select count from cluster_counters where key = $1',
        [windowKey(key, windowMs, now)],
      );
      return Number(rows[0]?.count ?? 0);
    },
    async clear(key, windowMs, now) {
      await safely('rate limit reset', () =>
        pool.query('delete from cluster_counters where key = $1', [windowKey(key, windowMs, now)]),
      );
    },
  };

  clusterLog.info('joined the cluster over PostgreSQL');
  return {
    nodeId,
    presence,
    lease,
    counters,
    async close() {
      clearInterval(heartbeat);
      clearInterval(purging);
      await writing;
      await safely('leaving the cluster', () =>
        pool.query(
          `with n as (delete from cluster_nodes where node_id = $1)
           delete from cluster_presence where node_id = $1`,
          [nodeId],
        ),
      );
      // socket.io closed its adapters first (Harbour.close), giving back the LISTEN connection;
      // end() waits for connections still out, so it is given a moment and no more.
      await Promise.race([
        pool.end().catch(() => undefined),
        new Promise((r) => setTimeout(r, 2_000).unref()),
      ]);
    },
  };
}
