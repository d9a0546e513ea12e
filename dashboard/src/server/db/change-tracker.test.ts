import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeTrackerOf, type ChangeTracker } from './change-tracker.js';
import { openDatabase, type OpenedDatabase } from './database.js';

let opened: OpenedDatabase;
let dir: string;
let tracker: ChangeTracker;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-change-tracker-'));
  opened = await openDatabase(dir, pino({ level: 'silent' }));
  const found = changeTrackerOf(opened.db);
  if (!found) throw new Error('openDatabase registers a change tracker');
  tracker = found;
});
afterEach(async () => {
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const addRoom = (db: typeof opened.db, id: string) =>
  db.insertInto('rooms').values({ id, name: id, created_at: new Date().toISOString() }).execute();

describe('change tracker', () => {
  it('keeps the version while a table is only read, and changes it on every kind of write', async () => {
    const v0 = tracker.version('rooms');
    await opened.db.selectFrom('rooms').selectAll().execute();
    expect(tracker.version('rooms')).toBe(v0);

    await addRoom(opened.db, 'a');
    const v1 = tracker.version('rooms');
    expect(v1).not.toBe(v0);
    await opened.db.updateTable('rooms').set({ name: 'A' }).where('id', '=', 'a').execute();
    const v2 = tracker.version('rooms');
    expect(v2).not.toBe(v1);
    await opened.db.deleteFrom('rooms as r').where('r.id', '=', 'a').execute();
    expect(tracker.version('rooms')).not.toBe(v2);
  });

  it('sees writes inside a transaction, and only for the table written', async () => {
    const rooms = tracker.version('rooms');
    const incidents = tracker.version('incidents');
    await opened.db.transaction().execute((trx) => addRoom(trx, 'b'));
    expect(tracker.version('rooms')).not.toBe(rooms);
    expect(tracker.version('incidents')).toBe(incidents);
  });

  it('sees a commit by another connection to the same file', () => {
    const v0 = tracker.version('rooms');
    const raw = new SQLite(opened.file);
    try {
      raw.prepare("insert into rooms (id, name, created_at) values ('c', 'c', '2026-01-01')").run();
    } finally {
      raw.close();
    }
    expect(tracker.version('rooms')).not.toBe(v0);
  });
});
