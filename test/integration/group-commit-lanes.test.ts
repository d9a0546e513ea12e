/**
 * The group commit (db/group-commit.ts) on the run's database: on PostgreSQL several
 * transactions run at once, one device's work always in one of them and in the order it
 * was queued; on SQLite, one writer, one transaction at a time. Real databases: the SQLite
 * file, or a database of its own on the run's PostgreSQL (integration-pg). Two lanes' work
 * that deadlocks in PostgreSQL is run again, in order, and nothing is lost.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../dashboard/src/server/db/database.js';
import { groupCommitLaneOf, inGroupTransaction } from '../../dashboard/src/server/db/group-commit.js';
import { databaseUrlFor, onPostgres } from '../support/database.js';
import { tempDir } from '../support/paths.js';

let opened: OpenedDatabase;
let schoolId: number;

beforeAll(async () => {
  const dir = tempDir('group-commit');
  opened = await openDatabase(dir, pino({ level: 'silent' }), { url: await databaseUrlFor(dir) });
  schoolId = (await opened.db.selectFrom('schools').select('id').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await opened.close();
});

const addRoom = (name: string) => (trx: OpenedDatabase['db']) =>
  trx
    .insertInto('rooms')
    .values({ id: name, name, created_at: new Date().toISOString(), school_id: schoolId })
    .execute();

/** Two device ids whose work goes to different lanes. */
function pair(): [string, string] {
  const first = 'device-deadlock-0';
  for (let i = 1; i < 100; i++) {
    const other = `device-deadlock-${i}`;
    if (groupCommitLaneOf(opened.db, other) !== groupCommitLaneOf(opened.db, first)) return [first, other];
  }
  throw new Error('every device in one lane');
}

describe('group commit lanes', () => {
  it("keeps one device's work in the order it was queued, among other devices' work", async () => {
    const ran: Record<string, number[]> = {};
    const work = Array.from({ length: 400 }, (_, i) => {
      const device = `device-${i % 8}`;
      return inGroupTransaction(
        opened.db,
        async (trx) => {
          await addRoom(`lane-order-${i}`)(trx);
          (ran[device] ??= []).push(i);
        },
        device,
      );
    });
    await Promise.all(work);
    for (const [device, order] of Object.entries(ran)) {
      expect(order, device).toEqual([...order].sort((a, b) => a - b));
      expect(order, device).toHaveLength(50);
    }
    const stored = await opened.db
      .selectFrom('rooms')
      .select('id')
      .where('id', 'like', 'lane-order-%')
      .execute();
    expect(stored).toHaveLength(400);
  });

  it.runIf(onPostgres)(
    "on PostgreSQL, one device's open transaction does not hold up another device's commit",
    async () => {
      // The first device's work waits, inside its transaction, until another device's work
      // has committed: with one transaction at a time it would wait for ever.
      let someoneCommitted!: () => void;
      const committed = new Promise<void>((resolve) => (someoneCommitted = resolve));
      const waiting = inGroupTransaction(
        opened.db,
        async (trx) => {
          await addRoom('lane-wait')(trx);
          await Promise.race([
            committed,
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('no other device committed while this one waited')), 10_000),
            ),
          ]);
        },
        'device-waiting',
      );
      const others = Array.from({ length: 8 }, (_, i) =>
        inGroupTransaction(opened.db, addRoom(`lane-other-${i}`), `device-other-${i}`).then(() =>
          someoneCommitted(),
        ),
      );
      // Some of the others share the waiting device's lane and commit after it: all settle.
      await expect(Promise.all([waiting, ...others])).resolves.toBeDefined();
    },
  );

  it.runIf(onPostgres)(
    "on PostgreSQL, two lanes' work that deadlocks is run again after the other commits, in the device's order",
    async () => {
      // Two devices in different lanes, each locking the row the other wants next: PostgreSQL
      // aborts one of them (40P01). Its work, and its device's work queued after it, run again
      // in the next transaction, in order; nothing is rejected, both rooms end up renamed by both.
      const [first, second] = pair();
      await addRoom('deadlock-1')(opened.db);
      await addRoom('deadlock-2')(opened.db);
      const signal = () => {
        let done!: () => void;
        const promise = new Promise<void>((resolve) => (done = resolve));
        return { promise, done };
      };
      const firstLocked = signal();
      const secondLocked = signal();
      const rename = (trx: OpenedDatabase['db'], id: string, name: string) =>
        // Room names are unique: each room's own.
        trx
          .updateTable('rooms')
          .set({ name: `${id} ${name}` })
          .where('id', '=', id)
          .execute();
      const ran: string[] = [];
      const a = inGroupTransaction(
        opened.db,
        async (trx) => {
          await rename(trx, 'deadlock-1', 'renamed by first');
          firstLocked.done();
          await secondLocked.promise;
          await rename(trx, 'deadlock-2', 'renamed by first');
          ran.push('first');
        },
        first,
      );
      const b = inGroupTransaction(
        opened.db,
        async (trx) => {
          await rename(trx, 'deadlock-2', 'renamed by second');
          secondLocked.done();
          await firstLocked.promise;
          await rename(trx, 'deadlock-1', 'renamed by second');
          ran.push('second');
        },
        second,
      );
      // Queued behind each deadlocking piece, in the same batch: it must not run before it.
      const a2 = inGroupTransaction(opened.db, () => Promise.resolve(void ran.push('first, then')), first);
      const b2 = inGroupTransaction(opened.db, () => Promise.resolve(void ran.push('second, then')), second);
      await expect(Promise.all([a, b, a2, b2])).resolves.toHaveLength(4);
      expect(ran.indexOf('first')).toBeLessThan(ran.indexOf('first, then'));
      expect(ran.indexOf('second')).toBeLessThan(ran.indexOf('second, then'));
      const names = await opened.db
        .selectFrom('rooms')
        .select(['id', 'name'])
        .where('id', 'in', ['deadlock-1', 'deadlock-2'])
        .orderBy('id')
        .execute();
      // Whichever ran last renamed both rooms.
      const last = ran.indexOf('first') > ran.indexOf('second') ? 'first' : 'second';
      expect(names.map((r) => r.name)).toEqual([
        `deadlock-1 renamed by ${last}`,
        `deadlock-2 renamed by ${last}`,
      ]);
    },
    20_000,
  );
});
