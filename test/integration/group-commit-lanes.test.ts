/**
 * The group commit (db/group-commit.ts) on the run's database: on PostgreSQL several
 * transactions run at once, one device's work always in one of them and in the order it
 * was queued; on SQLite, one writer, one transaction at a time. Real databases: the SQLite
 * file, or a database of its own on the run's PostgreSQL (integration-pg).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../dashboard/src/server/db/database.js';
import { inGroupTransaction } from '../../dashboard/src/server/db/group-commit.js';
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
});
