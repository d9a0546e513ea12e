/**
 * The database a test server runs on. By default the embedded SQLite file in the server's
 * data directory, as Harbour runs without DATABASE_URL. In the `*-pg` vitest projects
 * (HARBOUR_TEST_DB=postgres) every data directory gets its own fresh database on one real
 * PostgreSQL cluster, started once per run by test/support/postgres-global-setup.ts from
 * Debian's package; a server restarted on the same data directory finds the same database.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { describeDatabaseUrl } from '../../dashboard/src/server/db/database.js';
import { migrations } from '../../dashboard/src/server/db/migrations/index.js';
import { createDatabase, postgresBinDir, psql } from './postgres.js';

export type TestDatabase = 'sqlite' | 'postgres';

/** Which database this run's servers use. */
export const testDatabase: TestDatabase = process.env.HARBOUR_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = testDatabase === 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's PostgreSQL cluster: a URL of its maintenance database, as a superuser. */
    postgresAdminUrl: string;
  }
}

const byDataDir = new Map<string, Promise<string>>();
/** Harbour shows a database's address without its password; the tests know it. */
const byShownAddress = new Map<string, string>();

/**
 * The DATABASE_URL for a server on `dataDir`: undefined on SQLite (the file in dataDir),
 * on PostgreSQL a database of its own, made the first time the directory is seen.
 */
export function databaseUrlFor(dataDir: string): Promise<string | undefined> {
  if (!onPostgres) return Promise.resolve(undefined);
  const key = path.resolve(dataDir);
  let url = byDataDir.get(key);
  if (!url) {
    url = createDatabase(inject('postgresAdminUrl')).then((u) => {
      byShownAddress.set(describeDatabaseUrl(u), u);
      return u;
    });
    byDataDir.set(key, url);
  }
  return url;
}

/** A server config's `dataDir` and, on PostgreSQL, its `databaseUrl`: spread into startHarbour's config. */
export async function storageFor(dataDir: string): Promise<{ dataDir: string; databaseUrl?: string }> {
  const databaseUrl = await databaseUrlFor(dataDir);
  return databaseUrl ? { dataDir, databaseUrl } : { dataDir };
}

/**
 * Another connection to a running server's database, as an administrator would open one
 * (the sqlite3 shell on the file, psql on PostgreSQL): for tests of what the server makes of
 * changes it did not make itself. `?` placeholders on both.
 */
export async function outsideQuery<R = Record<string, unknown>>(
  harbour: { dbFile: string; database: 'sqlite' | 'postgres' },
  text: string,
  ...values: (string | number | null)[]
): Promise<R[]> {
  if (harbour.database === 'sqlite') {
    const raw = new SQLite(harbour.dbFile);
    try {
      const stmt = raw.prepare(text);
      return stmt.reader ? (stmt.all(...values) as R[]) : (stmt.run(...values), []);
    } finally {
      raw.close();
    }
  }
  const url = byShownAddress.get(harbour.dbFile);
  if (!url) throw new Error(`no test database is known at ${harbour.dbFile}`);
  let n = 0;
  return (await psql(
    url,
    text.replace(/\?/g, () => `$${++n}`),
    values,
  )) as R[];
}

/** The database of a server known by its data directory (a ServerProcess, a stopped server), for outsideQuery and databaseContents. */
export async function databaseAt(dataDir: string): Promise<{ dbFile: string; database: TestDatabase }> {
  const url = await databaseUrlFor(dataDir);
  return url
    ? { dbFile: describeDatabaseUrl(url), database: 'postgres' }
    : { dbFile: path.join(dataDir, 'harbour.sqlite'), database: 'sqlite' };
}

/** outsideQuery for a server known by its data directory. */
export async function outsideQueryIn<R = Record<string, unknown>>(
  dataDir: string,
  text: string,
  ...values: (string | number | null)[]
): Promise<R[]> {
  return outsideQuery<R>(await databaseAt(dataDir), text, ...values);
}

/**
 * Everything the database holds, as bytes an attacker with a copy would have: the SQLite
 * file and its write-ahead log, or a pg_dump of the PostgreSQL database.
 */
export function databaseContents(harbour: { dbFile: string; database: 'sqlite' | 'postgres' }): Buffer {
  if (harbour.database === 'sqlite') {
    const wal = `${harbour.dbFile}-wal`;
    return Buffer.concat([
      fs.readFileSync(harbour.dbFile),
      fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0),
    ]);
  }
  const url = byShownAddress.get(harbour.dbFile);
  if (!url) throw new Error(`no test database is known at ${harbour.dbFile}`);
  const r = spawnSync(path.join(postgresBinDir(), 'pg_dump'), ['--dbname', url], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/**
 * A database on `dataDir` (the server's, as databaseUrlFor gives it) migrated only up to
 * `migration`, as an install of that version left it: for upgrade tests, which fill it as the
 * old version would and then start today's server on it. Close it before the server starts.
 */
export async function databaseAtMigration(
  dataDir: string,
  migration: string,
): Promise<Kysely<Record<string, Record<string, unknown>>>> {
  const url = await databaseUrlFor(dataDir);
  const db = new Kysely<Record<string, Record<string, unknown>>>({
    dialect: url
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) })
      : new SqliteDialect({ database: new SQLite(path.join(dataDir, 'harbour.sqlite')) }),
  });
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error } = await migrator.migrateTo(migration);
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(`migrating to ${migration} failed`, { cause: error });
  }
  return db;
}
