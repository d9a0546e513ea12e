/**
 * What several server nodes must share beyond the database: who is connected (presence)
 * and who does scheduled work (leases). One node (no REDIS_URL) uses the in-process
 * versions here; realtime/cluster.ts has the Redis ones.
 */

/** Which devices have an agent connected to some node now. */
export interface Presence {
  /** One more connection of `deviceId` on this node. */
  add(deviceId: string): Promise<void>;
  /** One connection of `deviceId` on this node went away. */
  remove(deviceId: string): Promise<void>;
  /** Those of `deviceIds` connected to any live node. */
  onlineOf(deviceIds: readonly string[]): Promise<Set<string>>;
}

/** One process's connections: a restart starts every device offline, as before there were nodes. */
export function memoryPresence(): Presence {
  const connections = new Map<string, number>();
  return {
    add(deviceId) {
      connections.set(deviceId, (connections.get(deviceId) ?? 0) + 1);
      return Promise.resolve();
    },
    remove(deviceId) {
      const left = (connections.get(deviceId) ?? 1) - 1;
      if (left > 0) connections.set(deviceId, left);
      else connections.delete(deviceId);
      return Promise.resolve();
    },
    onlineOf(deviceIds) {
      return Promise.resolve(new Set(deviceIds.filter((id) => (connections.get(id) ?? 0) > 0)));
    },
  };
}

/**
 * Scheduled work (retention, purges, session ends, the roster folder) runs once per trust:
 * each node's timer asks for the named lease, and only the node that gets it does the run.
 * The lease is held for `ttlMs` and not given back, so a run is not repeated by another
 * node whose timer fires a moment later.
 */
export interface Lease {
  claim(name: string, ttlMs: number): Promise<boolean>;
}

/** One node: every run is this node's. */
export const soleNode: Lease = { claim: () => Promise.resolve(true) };

/**
 * `run` guarded by the lease `name`: a node runs it only if no node has in the last
 * `everyMs` less a little (so the same node's next tick, a moment early, still gets it).
 */
export function onceAcrossNodes(
  lease: Lease,
  name: string,
  everyMs: number,
  run: () => Promise<void>,
): () => Promise<void> {
  const ttlMs = Math.max(1_000, Math.floor(everyMs * 0.9));
  return async () => {
    if (await lease.claim(name, ttlMs)) await run();
  };
}
