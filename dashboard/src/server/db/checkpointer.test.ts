import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.js';
import { checkpointerOf, openDatabase, type OpenedDatabase } from './database.js';
import { inGroupTransaction } from './group-commit.js';

let dir: string;
let opened: OpenedDatabase | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-checkpointer-'));
});
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const silent = pino({ level: 'silent' });
const walBytes = (file: string) => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);

/** A WAL-mode database with a table, as openDatabase sets one up. */
function scratch(): { sqlite: SQLite.Database; file: string; write: (rows: number) => void } {
  const file = path.join(dir, 'scratch.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (id integer primary key, k text, v text); create index t_k on t (k)');
  const insert = sqlite.prepare('insert into t (k, v) values (?, ?)');
  const write = sqlite.transaction((rows: number) => {
    // Random keys: each commit dirties leaf pages all over the index, as agents' events do.
    for (let i = 0; i < rows; i++) insert.run(Math.random().toString(36), 'x'.repeat(200));
  });
  return { sqlite, file, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL checkpoints on their own thread', () => {
  it("the server's connection no longer checkpoints itself, and the worker copies the WAL back", async () => {
    opened = await openDatabase(dir, silent);
    const checkpointer = checkpointerOf(opened.db)!;
    expect(checkpointer.running).toBe(true);
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
      opened.db,
    );
    expect(autocheckpoint.rows[0]!.wal_autocheckpoint).toBe(0);
    await opened.db
      .insertInto('rooms')
      .values({ id: 'r1', name: 'Oak', created_at: new Date().toISOString() })
      .execute();
    const result = await checkpointer.checkpoint();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
  });

  it('keeps the WAL bounded while the group commit never stops writing', async () => {
    opened = await openDatabase(dir, silent);
    const db = opened.db;
    const file = path.join(dir, 'harbour.sqlite');
    await sql`create table t (id integer primary key, k text, v text)`.execute(db);
    await sql`create index t_k on t (k)`.execute(db);
    expect(checkpointerOf(db)!.running).toBe(true);
    // About 15 MB of pages through the WAL: a transaction every turn of the event loop, each
    // dirtying leaf pages all over the index (random keys), as agents' events do, with no
    // pause in which a checkpoint could catch up by itself.
    let largest = 0;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 600; i++) {
      for (let j = 0; j < 100; j++)
        writes.push(
          inGroupTransaction(db, (trx) =>
            sql`insert into t (k, v) values (${Math.random().toString(36)}, ${'x'.repeat(200)})`.execute(trx),
          ),
        );
      await writes.at(-1);
      largest = Math.max(largest, walBytes(file));
    }
    await Promise.all(writes);
    // The WAL starts afresh past 4,096 pages (16 MB) and is cut back to twice that.
    expect(largest).toBeLessThan(4096 * 4096 * 3);
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0]).toEqual({
      n: 60_000,
    });
  }, 60_000);

  it('a worker that dies mid-checkpoint loses nothing, and the connection checkpoints itself again', async () => {
    const { sqlite, file, write } = scratch();
    const checkpointer = startCheckpointer(sqlite, file, silent, { everyMs: 1 });
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      for (let i = 0; i < 200; i++) {
        write(100);
        await turn();
      }
      await checkpointer.kill();
      await turn();
      expect(checkpointer.running).toBe(false);
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      await expect(checkpointer.checkpoint()).rejects.toThrow(/not running/);
      write(100);
    } finally {
      sqlite.close();
    }
    const reopened = new SQLite(file);
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 20_100 });
    reopened.close();
  });

  it('a process that closes its database ends, with everything on disk', () => {
    // The worker is unreferenced so it never keeps a finished process alive; closing must
    // still wait for it, or the process ends mid-close (this exited with 13, an unsettled await).
    const script = `
      import pino from 'pino';
      import { openDatabase } from ${JSON.stringify(path.resolve('dashboard/src/server/db/database.ts'))};
      const opened = await openDatabase(${JSON.stringify(dir)}, pino({ level: 'silent' }));
      await opened.db.insertInto('rooms').values({ id: 'r', name: 'Ash', created_at: new Date().toISOString() }).execute();
      await opened.close();
      console.log('closed');
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('closed');
    const check = new SQLite(path.join(dir, 'harbour.sqlite'), { readonly: true });
    expect(check.prepare("select name from rooms where id = 'r'").get()).toEqual({ name: 'Ash' });
    check.close();
  });
});
