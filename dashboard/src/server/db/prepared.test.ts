import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeTrackerOf } from './change-tracker.js';
import { openDatabase, type OpenedDatabase } from './database.js';
import { prepared } from './prepared.js';

let opened: OpenedDatabase;
let dir: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-prepared-'));
  opened = await openDatabase(dir, pino({ level: 'silent' }));
});
afterEach(async () => {
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const addRoom = prepared<{ id: string; name: string; created_at: string }, never>(
  ['id', 'name', 'created_at'],
  (db, row) => db.insertInto('rooms').values(row),
);
const roomsNamed = prepared<{ name: string }, { id: string }>(['name'], (db, { name }) =>
  db
    .selectFrom('rooms')
    .select('id')
    .where(sql<boolean>`${name} in (name, upper(name))`)
    .where('name', '!=', 'never a name')
    .orderBy('id'),
);

describe('prepared queries', () => {
  it('run with each call’s values, in a transaction too, keeping the constants the query was built with', async () => {
    const at = new Date().toISOString();
    await addRoom.run(opened.db, { id: 'a', name: 'Ash', created_at: at });
    await opened.db.transaction().execute(async (trx) => {
      await addRoom.run(trx, { id: 'b', name: 'Beech', created_at: at });
      await addRoom.run(trx, { id: 'c', name: 'never a name', created_at: at });
    });
    const rooms = await opened.db.selectFrom('rooms').select(['id', 'name']).orderBy('id').execute();
    expect(rooms).toEqual([
      { id: 'a', name: 'Ash' },
      { id: 'b', name: 'Beech' },
      { id: 'c', name: 'never a name' },
    ]);
    // One value used twice; the constant 'never a name' stays what the query said.
    expect((await roomsNamed.run(opened.db, { name: 'BEECH' })).rows).toEqual([{ id: 'b' }]);
    expect((await roomsNamed.run(opened.db, { name: 'never a name' })).rows).toEqual([]);
  });

  it('count as writes for the change tracker, each time they run', async () => {
    const tracker = changeTrackerOf(opened.db)!;
    const at = new Date().toISOString();
    const v0 = tracker.version('rooms');
    await addRoom.run(opened.db, { id: 'a', name: 'Ash', created_at: at });
    const v1 = tracker.version('rooms');
    await addRoom.run(opened.db, { id: 'b', name: 'Beech', created_at: at });
    expect(new Set([v0, v1, tracker.version('rooms')]).size).toBe(3);
    await roomsNamed.run(opened.db, { name: 'Ash' });
    expect(tracker.version('rooms')).not.toBe(v1);
  });

  it('refuse a value Kysely writes into the SQL text, which could not be replaced', async () => {
    const inlined = prepared<{ n: number }, { id: string }>(['n'], (db, { n }) =>
      db.selectFrom('rooms').select('id').where(sql.lit(n), '=', 1),
    );
    await expect(inlined.run(opened.db, { n: 1 })).rejects.toThrow(/n not passed as parameters/);
  });
});
