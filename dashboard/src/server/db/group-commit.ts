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
const queues = new WeakMap<Db, { pending: Work[]; running: boolean }>();

/**
 * Runs `work` in a transaction shared with other work queued at the same moment (group
 * commit). Under fleet load every agent event used to be its own transaction, and each
 * commit writes every page it touched to the WAL again: thousands of commits a second kept
 * the server waiting on the disk (docs/benchmarks.md). Each piece of work runs inside its
 * own savepoint, so one that throws is rolled back alone and its promise rejects, as if it
 * had had a transaction to itself; the others commit together. Promises settle only once
 * the shared transaction has committed, so an acknowledgement still means "stored".
 * Under light load a batch holds a single piece of work.
 */
export function inGroupTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  let queue = queues.get(db);
  if (!queue) {
    queue = { pending: [], running: false };
    queues.set(db, queue);
  }
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.pending.push({ run: work, resolve: resolve, reject });
    if (!q.running) {
      q.running = true;
      setImmediate(() => void drain(db, q));
    }
  });
}

async function drain(db: Db, q: { pending: Work[]; running: boolean }): Promise<void> {
  try {
    while (q.pending.length > 0) {
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
