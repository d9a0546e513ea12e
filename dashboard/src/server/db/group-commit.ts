import { CompiledQuery, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

interface Work {
  run(trx: Transaction<Database>): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

// The same on SQLite and PostgreSQL, and run three times per piece of work: written once.
const savepoint = CompiledQuery.raw('savepoint harbour_work');
const rollback = CompiledQuery.raw('rollback to harbour_work');
const release = CompiledQuery.raw('release harbour_work');

/** Most pieces of work one transaction carries. */
const maxBatch = 256;
interface Lane {
  pending: Work[];
  running: boolean;
}
const lanesOf = new WeakMap<Db, Lane[]>();
const laneCounts = new WeakMap<Db, number>();

/**
 * How many group transactions may run at once on `db` (default one). SQLite has one writer,
 * so one. On PostgreSQL each lane is a transaction on a pooled connection of its own: one
 * lane made every event wait for the round trips of every event before it (about 250 events
 * a second per node, docs/benchmarks.md), whereas PostgreSQL runs many writers at once.
 */
export function setGroupCommitLanes(db: Db, lanes: number): void {
  laneCounts.set(db, Math.max(1, Math.floor(lanes)));
}

/** FNV-1a over the key: the same key, the same lane. */
function laneIndex(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

/**
 * Runs `work` in a transaction shared with other work queued at the same moment (group
 * commit). Under fleet load every agent event used to be its own transaction, and each
 * commit writes every page it touched to the WAL again: thousands of commits a second kept
 * the server waiting on the disk (docs/benchmarks.md). Each piece of work runs inside its
 * own savepoint, so one that throws is rolled back alone and its promise rejects, as if it
 * had had a transaction to itself; the others commit together. Promises settle only once
 * the shared transaction has committed, so an acknowledgement still means "stored".
 * Under light load a batch holds a single piece of work.
 *
 * `key` (a device's id) keeps one device's work in one lane, in the order it was queued:
 * its activity intervals are closed and opened by consecutive events, which two
 * transactions at once would interleave. Work without a key goes to the first lane.
 */
export function inGroupTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  key?: string,
): Promise<T> {
  let lanes = lanesOf.get(db);
  if (!lanes) {
    lanes = Array.from({ length: laneCounts.get(db) ?? 1 }, () => ({ pending: [], running: false }));
    lanesOf.set(db, lanes);
  }
  const q = lanes[key === undefined || lanes.length === 1 ? 0 : laneIndex(key, lanes.length)]!;
  return new Promise<T>((resolve, reject) => {
    q.pending.push({ run: work, resolve: resolve, reject });
    if (!q.running) {
      q.running = true;
      setImmediate(() => void drain(db, q));
    }
  });
}

async function drain(db: Db, q: Lane): Promise<void> {
  try {
    for (let first = true; q.pending.length > 0; first = false) {
      // Back to the event loop between transactions. SQLite runs synchronously, so without
      // this a backlog (thousands of events read at once after a pause) was committed in one
      // unbroken stretch of the loop: no acknowledgement or live push went out and no socket
      // was read for seconds, which let the next backlog build up (docs/benchmarks.md).
      if (!first) await new Promise((resolve) => setImmediate(resolve));
      const batch = q.pending.splice(0, maxBatch);
      let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
      try {
        outcomes = await db.transaction().execute(async (trx) => {
          const done: typeof outcomes = [];
          for (const item of batch) {
            await trx.executeQuery(savepoint);
            try {
              done.push({ ok: true, value: await item.run(trx) });
            } catch (error) {
              await trx.executeQuery(rollback);
              done.push({ ok: false, error });
            }
            await trx.executeQuery(release);
          }
          return done;
        });
      } catch (error) {
        // The commit itself failed: nothing in the batch was stored.
        for (const item of batch) item.reject(error);
        continue;
      }
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    }
  } finally {
    q.running = false;
  }
}
