import { CompiledQuery, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * Stores many pieces of work of one kind in a few statements instead of a few each: under
 * fleet load on PostgreSQL a lane waited for one turn of the node's event loop per
 * statement, three per activity change, so a batch of 256 changes took 768 round trips
 * (docs/benchmarks.md). `run` gets the pieces' inputs in the order they were queued and
 * gives back each one's result in that order. It handles the common case only: for anything
 * else it throws (`BulkRefused`, or any error), the transaction is rolled back whole and
 * every piece runs alone, in its savepoint, by its own `run`, so the outcome is exactly
 * what it would have been without the bulk path.
 */
export interface Bulk<I = unknown, T = unknown> {
  run(trx: Transaction<Database>, inputs: I[]): Promise<T[]>;
}

/** A bulk store declining a batch (a duplicate, an unknown device, a change arriving late). */
export class BulkRefused extends Error {
  override name = 'BulkRefused';
}

interface Work {
  key: string | undefined;
  /** Times it was run and rolled back because PostgreSQL chose it to end a deadlock. */
  conflicts: number;
  /** Safe to run twice (nothing outside the transaction changes): may run without a savepoint. */
  rerunnable: boolean;
  /** Stored with the batch's other pieces of the same bulk in one call, where it can be. */
  bulk: { of: Bulk; input: unknown } | undefined;
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
/** Times a piece of work is run again after a deadlock before its error is given back. */
const maxConflicts = 5;

/**
 * PostgreSQL ended this statement to break a deadlock with another transaction (40P01), or
 * could not serialise it (40001). Nothing is wrong with the work itself: run again once the
 * other transaction has committed, it succeeds.
 */
function transientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
interface Lane {
  pending: Work[];
  running: boolean;
  /** When its last transaction began (ms since the epoch); 0 before the first. */
  lastStart: number;
}
const lanesOf = new WeakMap<Db, Lane[]>();
const laneCounts = new WeakMap<Db, number>();
const pacings = new WeakMap<Db, number>();

/**
 * The least time between the starts of two transactions of one lane on `db` (default 0).
 * SQLite runs a transaction synchronously, so without it a lane under load committed after
 * every turn of the event loop, however little had arrived in it, and each commit writes
 * every page it touched to the WAL again (scattered index pages under fleet load).
 * Waiting a few milliseconds lets a batch gather the events of several turns, which share
 * their pages. A lane that has been idle for longer starts at once, so under light load
 * nothing waits; under load an event waits at most this long more for its acknowledgement.
 */
export function setGroupCommitPacing(db: Db, ms: number): void {
  pacings.set(db, Math.max(0, ms));
}

const gates = new WeakMap<Db, () => Promise<unknown> | undefined>();

/**
 * `gate` is asked before each transaction on `db`, and a promise it gives is waited for
 * first: SQLite's checkpoint thread uses it to have the WAL start afresh (db/checkpointer.ts).
 */
export function setGroupCommitGate(db: Db, gate: () => Promise<unknown> | undefined): void {
  gates.set(db, gate);
}

/** Waits until `lane` may begin its next transaction (at least one turn of the event loop). */
async function paced(db: Db, lane: Lane): Promise<void> {
  const wait = lane.lastStart + (pacings.get(db) ?? 0) - Date.now();
  await new Promise((resolve) =>
    wait > 0 && lane.pending.length < maxBatch ? setTimeout(resolve, wait) : setImmediate(resolve),
  );
  await gates.get(db)?.();
}

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

/** Which lane `key`'s work goes to on `db` (for tests that need two lanes). */
export function groupCommitLaneOf(db: Db, key: string): number {
  const lanes = laneCounts.get(db) ?? 1;
  return lanes === 1 ? 0 : laneIndex(key, lanes);
}

/**
 * Runs `work` in a transaction shared with other work queued at the same moment (group
 * commit). Under fleet load every agent event used to be its own transaction, and each
 * commit writes every page it touched to the WAL again: thousands of commits a second kept
 * the server waiting on the disk (docs/benchmarks.md). Each piece of work runs inside its
 * own savepoint, so one that throws is rolled back alone and its promise rejects, as if it
 * had had a transaction to itself; the others commit together. Promises settle only once
 * the shared transaction has committed, so an acknowledgement still means "stored".
 * Under light load a batch holds a single piece of work. Work that PostgreSQL ends to break a
 * deadlock with another lane is rolled back to its savepoint and run again in the next
 * transaction, with its device's later work behind it, so it must be safe to run again (it
 * is: its effects were rolled back, and agent events are stored once by their id).
 *
 * `key` (a device's id) keeps one device's work in one lane, in the order it was queued:
 * its activity intervals are closed and opened by consecutive events, which two
 * transactions at once would interleave. Work without a key goes to the first lane.
 *
 * `rerunnable` work changes nothing outside the transaction, so running it a second time
 * after a rollback does no harm. A batch of nothing else runs without the savepoints, which
 * were two of the seven round trips to PostgreSQL of each activity change (under fleet load
 * the lanes wait on those round trips, not on PostgreSQL: docs/benchmarks.md). If a piece of
 * it throws, the whole transaction is rolled back and the batch runs again with savepoints,
 * so the outcome is the same as with them from the start.
 */
export function inGroupTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  key?: string,
  options: { rerunnable?: boolean; bulk?: { of: Bulk<never, T>; input: unknown } } = {},
): Promise<T> {
  let lanes = lanesOf.get(db);
  if (!lanes) {
    lanes = Array.from({ length: laneCounts.get(db) ?? 1 }, () => ({
      pending: [],
      running: false,
      lastStart: 0,
    }));
    lanesOf.set(db, lanes);
  }
  const q = lanes[key === undefined || lanes.length === 1 ? 0 : laneIndex(key, lanes.length)]!;
  return new Promise<T>((resolve, reject) => {
    q.pending.push({
      key,
      conflicts: 0,
      rerunnable: options.rerunnable === true,
      bulk: options.rerunnable === true ? options.bulk : undefined,
      run: work,
      resolve: resolve,
      reject,
    });
    if (!q.running) {
      q.running = true;
      void paced(db, q).then(() => drain(db, q));
    }
  });
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown } | { again: true };

/** Thrown inside the transaction to roll it back: a piece of work threw. */
const rollBackAll = new Error('a piece of work threw: the batch runs again with savepoints');

/**
 * The batch with no savepoint between its pieces. Null if one threw: the transaction is
 * rolled back whole (on PostgreSQL it cannot go on after an error anyway), nothing of it stored.
 */
async function withoutSavepoints(db: Db, batch: Work[]): Promise<Outcome[] | null> {
  // A piece goes into its bulk's one call only if its key is nowhere else in the batch: a
  // device's pieces then still run in the order they were queued, whichever way each runs.
  const keys = new Map<string | undefined, number>();
  for (const item of batch) keys.set(item.key, (keys.get(item.key) ?? 0) + 1);
  const bulks = new Map<Bulk, number[]>();
  /** Each bulk piece's group: the indices of its bulk's pieces, in queue order. */
  const groupOf = new Map<number, number[]>();
  batch.forEach((item, i) => {
    if (!item.bulk || item.key === undefined || keys.get(item.key) !== 1) return;
    let group = bulks.get(item.bulk.of);
    if (!group) bulks.set(item.bulk.of, (group = []));
    group.push(i);
    groupOf.set(i, group);
  });
  try {
    return await db.transaction().execute(async (trx) => {
      const done: Outcome[] = new Array<Outcome>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i]!;
        const group = groupOf.get(i);
        try {
          if (group) {
            // The whole group, at its first piece's place.
            if (group[0] !== i) continue;
            for (const chunk of powersOfTwo(group)) {
              const values = await item.bulk!.of.run(
                trx,
                chunk.map((j) => batch[j]!.bulk!.input),
              );
              if (values.length !== chunk.length)
                throw new BulkRefused('a bulk store gave back too few results');
              chunk.forEach((j, k) => (done[j] = { ok: true, value: values[k] }));
            }
          } else done[i] = { ok: true, value: await item.run(trx) };
        } catch {
          throw rollBackAll;
        }
      }
      return done;
    });
  } catch (error) {
    if (error === rollBackAll) return null;
    throw error;
  }
}

/**
 * `items` in runs of 128, 64, … 1: a bulk statement's SQL text depends on how many rows it
 * has, and SQLite's statement cache and PostgreSQL's plans are per text, so a bulk store
 * has at most nine texts per statement, not one per batch size.
 */
function powersOfTwo<T>(items: T[]): T[][] {
  const runs: T[][] = [];
  for (let at = 0, size = 128; at < items.length; size >>= 1) {
    while (items.length - at >= size) {
      runs.push(items.slice(at, at + size));
      at += size;
    }
  }
  return runs;
}

/** Each piece in a savepoint of its own: one that throws is rolled back alone. */
function withSavepoints(db: Db, batch: Work[]): Promise<Outcome[]> {
  return db.transaction().execute(async (trx) => {
    const done: Outcome[] = [];
    // Devices whose work runs again in the next transaction: their later work waits too,
    // so that one device's work still runs in the order it was queued.
    const deferred = new Set<string | undefined>();
    for (const item of batch) {
      if (deferred.has(item.key)) {
        done.push({ again: true });
        continue;
      }
      await trx.executeQuery(savepoint);
      try {
        done.push({ ok: true, value: await item.run(trx) });
      } catch (error) {
        await trx.executeQuery(rollback);
        if (transientConflict(error) && item.conflicts < maxConflicts) {
          // A deadlock with another lane: this transaction keeps the locks its earlier
          // work took, so running the work again now would only meet the same lock.
          // Once this one commits (and the other lane's), it runs again.
          item.conflicts++;
          deferred.add(item.key);
          done.push({ again: true });
        } else done.push({ ok: false, error });
      }
      await trx.executeQuery(release);
    }
    return done;
  });
}

async function drain(db: Db, q: Lane): Promise<void> {
  try {
    for (let first = true; q.pending.length > 0; first = false) {
      // Back to the event loop between transactions. SQLite runs synchronously, so without
      // this a backlog (thousands of events read at once after a pause) was committed in one
      // unbroken stretch of the loop: no acknowledgement or live push went out and no socket
      // was read for seconds, which let the next backlog build up (docs/benchmarks.md).
      if (!first) await paced(db, q);
      q.lastStart = Date.now();
      const batch = q.pending.splice(0, maxBatch);
      let outcomes: Outcome[];
      try {
        outcomes =
          (batch.every((item) => item.rerunnable) ? await withoutSavepoints(db, batch) : null) ??
          (await withSavepoints(db, batch));
      } catch (error) {
        // The commit itself failed: nothing in the batch was stored.
        if (transientConflict(error) && batch.every((item) => item.conflicts < maxConflicts)) {
          for (const item of batch) item.conflicts++;
          q.pending.unshift(...batch);
        } else for (const item of batch) item.reject(error);
        continue;
      }
      const again: Work[] = [];
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if ('again' in outcome) again.push(item);
        else if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
      // First in the next transaction, in the order they were queued.
      q.pending.unshift(...again);
    }
  } finally {
    q.running = false;
  }
}
