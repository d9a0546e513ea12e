/**
 * Several nodes over one Redis (REDIS_URL): socket.io's Redis adapter carries pushes,
 * joins, fetches and disconnections between nodes, and small Redis structures hold what
 * the nodes share: presence, leases, rate-limit counters. Redis going away must not stop
 * a node: the adapter's clients queue and reconnect; the other commands fail fast
 * (`disableOfflineQueue`), are logged, and degrade (a rate limit lets the request through,
 * a lease is not taken, presence keeps what it last knew and a node's own agents stay online
 * on that node).
 */
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import type { Lease, Presence } from '../core/cluster.js';
import type { CounterStore } from '../core/rate-limit.js';
import { urlWithoutPassword } from '../db/database.js';

type RedisClient = ReturnType<typeof createClient>;

export interface Cluster {
  /** This node's id (in logs and presence). */
  nodeId: string;
  presence: Presence;
  lease: Lease;
  counters: CounterStore;
  close(): Promise<void>;
}

/** Presence survives a node dying for this long at most: its entry expires unless it beats. */
const presenceTtlMs = 15_000;
const heartbeatMs = 5_000;
const prefix = 'harbour:';

/** Redis could not be reached when the node started: the operator's to fix, said plainly. */
export class ClusterUnavailableError extends Error {}

export async function joinCluster(
  io: Server,
  url: string,
  log: Logger,
  options: { connectTimeoutMs?: number } = {},
): Promise<Cluster> {
  const nodeId = randomUUID();
  const clusterLog = log.child({ service: 'cluster', nodeId });
  const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2_000);
  const connect = async (client: RedisClient, role: string) => {
    let down = false;
    client.on('error', (error: unknown) => {
      if (!down) clusterLog.error({ err: error, role }, 'Redis connection failed; reconnecting');
      down = true;
    });
    client.on('ready', () => {
      if (down) clusterLog.info({ role }, 'Redis connection back');
      down = false;
    });
    await client.connect();
  };
  const pub: RedisClient = createClient({ url, socket: { reconnectStrategy } });
  const sub = pub.duplicate();
  const commands: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy },
  });
  // Once running, a node rides out Redis going away; at start it refuses to run half-joined.
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([connect(pub, 'publish'), connect(sub, 'subscribe'), connect(commands, 'commands')]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    for (const c of [commands, pub, sub]) c.destroy();
    throw new ClusterUnavailableError(
      `Harbour cannot reach Redis at ${urlWithoutPassword(url, 'REDIS_URL')} (REDIS_URL): ${error instanceof Error ? error.message : String(error)}. Start Redis or correct REDIS_URL; without REDIS_URL Harbour runs as a single node.`,
    );
  } finally {
    clearTimeout(timer);
  }
  io.adapter(createAdapter(pub, sub, { key: `${prefix}socket.io`, requestsTimeout: 3_000 }));

  const nodes = `${prefix}nodes`;
  const here = `${prefix}presence:${nodeId}`;
  // This node's own connections, kept here too: each heartbeat writes them whole, so a Redis
  // restarted empty (or an update lost while it was away) is made good within one beat.
  // A few thousand fields every few seconds is small work for Redis.
  const local = new Map<string, number>();
  const beat = async () => {
    const tx = commands.multi().zAdd(nodes, { score: Date.now(), value: nodeId }).del(here);
    if (local.size > 0) {
      tx.hSet(here, Object.fromEntries([...local].map(([id, n]) => [id, String(n)]))).pExpire(
        here,
        presenceTtlMs,
      );
    }
    await tx.exec();
  };
  const safely = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      clusterLog.warn({ err: error }, `${what} failed (Redis unavailable?)`);
    }
  };
  await beat();
  const heartbeat = setInterval(() => void safely('presence heartbeat', beat), heartbeatMs);
  heartbeat.unref();

  const presence: Presence = {
    add: (deviceId) => {
      local.set(deviceId, (local.get(deviceId) ?? 0) + 1);
      return safely('presence', () =>
        commands.multi().hIncrBy(here, deviceId, 1).pExpire(here, presenceTtlMs).exec(),
      );
    },
    remove: (deviceId) => {
      const left = (local.get(deviceId) ?? 1) - 1;
      if (left > 0) local.set(deviceId, left);
      else local.delete(deviceId);
      return safely('presence', async () => {
        if (left > 0) await commands.hSet(here, deviceId, String(left));
        else await commands.hDel(here, deviceId);
      });
    },
    async onlineOf(deviceIds) {
      const online = new Set<string>();
      if (deviceIds.length === 0) return online;
      try {
        // A node that stopped beating is gone: its hash expires, and with it its devices.
        const live = await commands.zRangeByScore(nodes, Date.now() - presenceTtlMs, '+inf');
        for (const node of live) {
          const counts = await commands.hmGet(`${prefix}presence:${node}`, [...deviceIds]);
          counts.forEach((n, i) => {
            if (n !== null && Number(n) > 0) online.add(deviceIds[i]!);
          });
        }
        await commands.zRemRangeByScore(nodes, '-inf', Date.now() - 3600_000);
      } catch (error) {
        clusterLog.warn({ err: error }, 'presence lookup failed (Redis unavailable?)');
        // What this node knows of its own connections is still true, as in the PostgreSQL
        // cluster: without it every computer showed offline, and a teacher's controls
        // (features/supervision) were recorded "not reached" and not sent even to the agents
        // connected to this very node, which a push reaches without Redis.
        for (const id of deviceIds) if ((local.get(id) ?? 0) > 0) online.add(id);
      }
      return online;
    },
  };

  const lease: Lease = {
    async claim(name, ttlMs) {
      try {
        const got = await commands.set(`${prefix}lease:${name}`, nodeId, { NX: true, PX: ttlMs });
        return got === 'OK';
      } catch (error) {
        clusterLog.warn({ err: error, lease: name }, 'lease not taken: Redis unavailable; skipping this run');
        return false;
      }
    },
  };

  const windowKey = (key: string, windowMs: number, now: number) =>
    `${prefix}rate:${key}:${windowMs}:${now - (now % windowMs)}`;
  const counters: CounterStore = {
    async hit(key, windowMs, now) {
      const start = now - (now % windowMs);
      const k = windowKey(key, windowMs, now);
      try {
        const [count] = (await commands.multi().incr(k).pExpire(k, windowMs).exec()) as unknown as [number];
        return { count: Number(count), resetAt: start + windowMs };
      } catch (error) {
        // A limit that cannot be counted lets the request through rather than stop the school.
        clusterLog.warn({ err: error }, 'rate limit not counted (Redis unavailable?)');
        return { count: 0, resetAt: start + windowMs };
      }
    },
    // Throws when Redis is away: a lockout that cannot be read is the caller's to refuse.
    async peek(key, windowMs, now) {
      return Number((await commands.get(windowKey(key, windowMs, now))) ?? 0);
    },
    async clear(key, windowMs, now) {
      await safely('rate limit reset', () => commands.del(windowKey(key, windowMs, now)));
    },
  };

  clusterLog.info('joined the cluster over Redis');
  return {
    nodeId,
    presence,
    lease,
    counters,
    async close() {
      clearInterval(heartbeat);
      await safely('leaving the cluster', () => commands.multi().del(here).zRem(nodes, nodeId).exec());
      for (const c of [commands, pub, sub]) await c.close().catch(() => undefined);
    },
  };
}
