import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type OpenedDatabase } from './database.js';
import { BulkRefused, inGroupTransaction, setGroupCommitPacing, type Bulk } from './group-commit.js';

let opened: OpenedDatabase;
let dir: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-group-commit-'));
  opened = await openDatabase(dir, pino({ level: 'silent' }));
});
afterEach(async () => {
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const addRoom = (name: string) => (trx: typeof opened.db) =>
  trx
    .insertInto('rooms')
    .values({ id: name, name, created_at: new Date().toISOString() })
    .execute()
    .then(() => name);

const roomNames = async () =>
  (await opened.db.selectFrom('rooms').select('name').orderBy('name').execute()).map((r) => r.name);

describe('group commit', () => {
  it('stores work queued together and resolves each with its own result', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((n) => inGroupTransaction(opened.db, addRoom(n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(await roomNames()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the work that throws, and rejects only its promise', async () => {
    const failing = inGroupTransaction(opened.db, async (trx) => {
      await addRoom('half-done')(trx);
      throw new Error('this event is refused');
    });
    const [first, second, third] = await Promise.allSettled([
      inGroupTransaction(opened.db, addRoom('before')),
      failing,
      inGroupTransaction(opened.db, addRoom('after')),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: 'before' });
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(third).toEqual({ status: 'fulfilled', value: 'after' });
    expect(await roomNames()).toEqual(['after', 'before']);
  });

  it('a constraint violation in one piece leaves the others stored', async () => {
    await inGroupTransaction(opened.db, addRoom('taken'));
    const settled = await Promise.allSettled([
      inGroupTransaction(opened.db, addRoom('taken')),
      inGroupTransaction(opened.db, addRoom('free')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
    expect(await roomNames()).toEqual(['free', 'taken']);
  });

  it('keeps working after a batch and for work queued while one is running', async () => {
    const first = Array.from({ length: 300 }, (_, i) => inGroupTransaction(opened.db, addRoom(`r${i}`)));
    const later = new Promise<string>((resolve) =>
      setImmediate(() => resolve(inGroupTransaction(opened.db, addRoom('late')))),
    );
    await Promise.all([...first, later]);
    expect(await roomNames()).toHaveLength(301);
  });

  it('goes back to the event loop between the transactions of a backlog', async () => {
    // 1,000 events read at once after a pause: four transactions. Sockets are read, and
    // acknowledgements written, in the event loop's phases: an I/O callback stands for them.
    // It is asked for once the first transaction has committed.
    let settled = 0;
    let settledWhenTheLoopRan!: Promise<number>;
    const backlog = Array.from({ length: 1000 }, (_, i) =>
      inGroupTransaction(opened.db, addRoom(`b${i}`)).then(() => {
        settled++;
        settledWhenTheLoopRan ??= new Promise<number>((resolve) => fs.stat(dir, () => resolve(settled)));
      }),
    );
    await Promise.all(backlog);
    const atLoop = await settledWhenTheLoopRan;
    expect(atLoop).toBeGreaterThan(0);
    expect(atLoop).toBeLessThan(1000);
  });

  describe('work safe to run twice (no savepoint each)', () => {
    const rerunnable = { rerunnable: true };

    it('a piece that throws is rolled back alone, with its own error; the others are stored once', async () => {
      let runs = 0;
      const counted = (name: string) => async (trx: typeof opened.db) => {
        runs++;
        return addRoom(name)(trx);
      };
      const refused = new Error('this event is refused');
      const settled = await Promise.allSettled([
        inGroupTransaction(opened.db, counted('before'), undefined, rerunnable),
        inGroupTransaction(
          opened.db,
          async (trx) => {
            await addRoom('half-done')(trx);
            throw refused;
          },
          undefined,
          rerunnable,
        ),
        inGroupTransaction(opened.db, counted('after'), undefined, rerunnable),
      ]);
      expect(settled[0]).toEqual({ status: 'fulfilled', value: 'before' });
      expect(settled[1]).toEqual({ status: 'rejected', reason: refused });
      expect(settled[2]).toEqual({ status: 'fulfilled', value: 'after' });
      // Rolled back whole and run again with savepoints: nothing half-done, nothing twice.
      expect(await roomNames()).toEqual(['after', 'before']);
      expect(runs).toBeGreaterThanOrEqual(2);
    });

    it('with other work in the batch, every piece keeps its savepoint and runs once', async () => {
      let runs = 0;
      const settled = await Promise.allSettled([
        inGroupTransaction(
          opened.db,
          async (trx) => {
            runs++;
            return addRoom('safe')(trx);
          },
          undefined,
          rerunnable,
        ),
        inGroupTransaction(opened.db, async (trx) => {
          await addRoom('not safe')(trx);
          throw new Error('refused');
        }),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
      expect(runs).toBe(1);
      expect(await roomNames()).toEqual(['safe']);
    });

    it('a constraint violation leaves the others stored', async () => {
      await inGroupTransaction(opened.db, addRoom('taken'));
      const settled = await Promise.allSettled([
        inGroupTransaction(opened.db, addRoom('free 1'), undefined, rerunnable),
        inGroupTransaction(opened.db, addRoom('taken'), undefined, rerunnable),
        inGroupTransaction(opened.db, addRoom('free 2'), undefined, rerunnable),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await roomNames()).toEqual(['free 1', 'free 2', 'taken']);
    });
  });

  describe('pacing', () => {
    it('gathers work queued over several turns of the event loop into one transaction', async () => {
      setGroupCommitPacing(opened.db, 200);
      // The lane's first transaction starts at once and marks the time.
      await inGroupTransaction(opened.db, addRoom('first'));
      // Then work arrives one piece per turn, as events read from different sockets do:
      // without pacing each would have had a transaction (and a commit) to itself.
      const transactions: unknown[] = [];
      const pieces: Promise<string>[] = [];
      for (const name of ['a', 'b', 'c', 'd']) {
        pieces.push(
          inGroupTransaction(opened.db, (trx) => {
            transactions.push(trx);
            return addRoom(name)(trx);
          }),
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await Promise.all(pieces)).toEqual(['a', 'b', 'c', 'd']);
      expect(new Set(transactions).size).toBe(1);
      expect(await roomNames()).toEqual(['a', 'b', 'c', 'd', 'first']);
    });

    it('an idle lane does not wait', async () => {
      setGroupCommitPacing(opened.db, 60_000);
      // Only the clock is faked: timers and the event loop run for real.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        await inGroupTransaction(opened.db, addRoom('long ago'));
        vi.setSystemTime(Date.now() + 61_000);
        // A minute later the lane has been idle longer than its pacing: the work starts at
        // once. Had it waited for the pacing, it would not be stored for another minute.
        const outcome = await Promise.race([
          inGroupTransaction(opened.db, addRoom('now')),
          new Promise((resolve) => setTimeout(() => resolve('waited'), 5_000)),
        ]);
        expect(outcome).toBe('now');
      } finally {
        vi.useRealTimers();
      }
    });
  });

  describe('bulk', () => {
    const bulkOf = (calls: string[][], refuse = false): Bulk<string, string> => ({
      async run(trx, names) {
        calls.push([...names]);
        if (refuse) throw new BulkRefused('not this batch');
        for (const name of names) await addRoom(name)(trx);
        return names.map((n) => `bulk ${n}`);
      },
    });
    const piece = (bulk: Bulk<string, string>, name: string, key = name) =>
      inGroupTransaction(opened.db, (trx) => addRoom(name)(trx).then(() => `alone ${name}`), key, {
        rerunnable: true,
        bulk: { of: bulk, input: name },
      });

    it('stores a batch’s pieces of one bulk in one call, in the order queued', async () => {
      const calls: string[][] = [];
      const bulk = bulkOf(calls);
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => piece(bulk, n)));
      expect(results).toEqual(['bulk a', 'bulk b', 'bulk c', 'bulk d']);
      expect(calls).toEqual([['a', 'b', 'c', 'd']]);
      expect(await roomNames()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('runs alone the pieces of a key queued twice, so that key’s order holds', async () => {
      const calls: string[][] = [];
      const bulk = bulkOf(calls);
      const results = await Promise.all([piece(bulk, 'a'), piece(bulk, 'b1', 'b'), piece(bulk, 'b2', 'b')]);
      expect(results).toEqual(['bulk a', 'alone b1', 'alone b2']);
      expect(calls).toEqual([['a']]);
    });

    it('a refused batch is stored piece by piece, with the same outcome', async () => {
      const calls: string[][] = [];
      const bulk = bulkOf(calls, true);
      const results = await Promise.all(['a', 'b'].map((n) => piece(bulk, n)));
      expect(results).toEqual(['alone a', 'alone b']);
      expect(calls).toEqual([['a', 'b']]);
      // Nothing of the refused call is left: each room once.
      expect(await roomNames()).toEqual(['a', 'b']);
    });

    it('splits a large group into runs of powers of two (few SQL texts per statement)', async () => {
      const calls: string[][] = [];
      const bulk = bulkOf(calls);
      const names = Array.from({ length: 13 }, (_, i) => `r${String(i).padStart(2, '0')}`);
      await Promise.all(names.map((n) => piece(bulk, n)));
      expect(calls.map((c) => c.length)).toEqual([8, 4, 1]);
      expect(calls.flat()).toEqual(names);
    });
  });
});
