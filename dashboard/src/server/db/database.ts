import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type MigrationProvider,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { setGroupCommitGate, setGroupCommitLanes, setGroupCommitPacing } from './group-commit.js';
import { ChangeTracker, registerChangeTracker } from './change-tracker.js';
import { cachingStatements } from './statement-cache.js';
import { preparedStatementName } from './prepared.js';
import { AuditKeyPlugin } from './audit-key.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { DialectName } from './portable.js';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The SQLite file, or the PostgreSQL database's address without its password. */
  file: string;
  dialect: DialectName;
  close(): Promise<void>;
}

/** Harbour could not open its database: the message says which and why, for the person starting it. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

const checkpointers = new WeakMap<Db, Checkpointer | undefined>();

/** The thread checkpointing an SQLite database's WAL (db/checkpointer.ts); none on PostgreSQL. */
export const checkpointerOf = (db: Db): Checkpointer | undefined => checkpointers.get(db);

/** Where the database file of a data directory is. */
export const databaseFile = (dataDir: string) => path.join(dataDir, 'harbour.sqlite');

/**
 * Opens the database and migrates it to the latest version: the PostgreSQL database at
 * `url` (DATABASE_URL) when given, otherwise (creating if needed) the SQLite file in
 * `dataDir`. With `auditKey`, every handle and transaction from it can write the audit trail.
 */
export async function openDatabase(
  dataDir: string,
  logger: Logger,
  options: { auditKey?: Buffer; url?: string | undefined } = {},
): Promise<OpenedDatabase> {
  if (options.url) return openPostgres(options.url, logger, options.auditKey);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = databaseFile(dataDir);
  const sqlite = new SQLite(file);
  // WAL keeps readers (live views) off the writers' backs; NORMAL sync is durable in WAL mode
  // across application crashes, which is the failure the outbox protocol is built for.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MB of page cache instead of SQLite's 2 MB: at 10,000 agents each event touches a
  // device's leaf pages of several indexes, scattered over far more than 2 MB, so most
  // statements read their pages back from the OS (docs/benchmarks.md).
  sqlite.pragma('cache_size = -65536');
  const tracker = new ChangeTracker(() => sqlite.pragma('data_version', { simple: true }) as number);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
    plugins: options.auditKey ? [tracker, new AuditKeyPlugin(options.auditKey)] : [tracker],
  });
  registerChangeTracker(db, tracker);
  // Agents' events gather for up to 10 ms into one commit under load (db/group-commit.ts).
  setGroupCommitPacing(db, 10);
  await migrate(db, logger);
  const checkpointer = startCheckpointer(sqlite, file, logger);
  checkpointers.set(db, checkpointer);
  setGroupCommitGate(db, () => checkpointer.beforeWrite());
  return {
    db,
    file,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

// PostgreSQL's "connection exception" class (08…) and "operator intervention" (57P01-03:
// shut down, restarting, not yet accepting connections), and the socket errors of a server
// that is not there: the database is unreachable, not the request wrong.
const unreachableCodes = /^(08...|57P0[123]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/;
const unreachableMessages = /^(Connection terminated|timeout exceeded when trying to connect)/;

/** The error says the database could not be reached (PostgreSQL stopped or restarting), not that a query was wrong. */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && unreachableCodes.test(code)) || unreachableMessages.test(error.message);
}

/**
 * A server's address from a setting (`setting`: DATABASE_URL, REDIS_URL) as it may be shown
 * and logged: its password replaced, or, when it is not a URL at all, only the setting named
 * (an unreadable value may be a password pasted in the wrong place). The one place that masks
 * an address: the database's, and both clusters' (realtime/cluster.ts, pg-cluster.ts).
 */
export function urlWithoutPassword(url: string, setting: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return `an unreadable ${setting}`;
  }
}

/** DATABASE_URL as it may be shown and logged: its password replaced. */
export function describeDatabaseUrl(url: string): string {
  return urlWithoutPassword(url, 'DATABASE_URL');
}

// PostgreSQL's 64-bit integers (count(*), sum) and numerics arrive as strings from `pg`, to
// keep precision; every count Harbour makes is far below 2^53, and SQLite returns numbers,
// so both databases hand the features the same types. Set on this pool only, not globally.
const numberTypes = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    numberTypes.has(oid) && format !== 'binary'
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

/** Clears `pg`'s record of the named statements this connection has prepared. */
function forgetPrepared(client: pg.PoolClient): void {
  // pg keeps it on the connection (pg 8's `connection.parsedStatements`), not in its typings.
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } })
    .connection?.parsedStatements;
  for (const name of Object.keys(parsed ?? {})) delete parsed![name];
}

/**
 * The pool as Kysely uses it, with the queries of db/prepared.ts sent as named statements
 * (`preparedStatementName`), which PostgreSQL parses and plans once per connection.
 */
function namingPrepared(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // Kysely also passes a cursor object (streamed queries): that goes through as it is.
    query: ((sql: string | object, parameters?: readonly unknown[]) => {
      if (typeof sql !== 'string') return client.query(sql as never);
      const name = preparedStatementName(sql);
      const values = parameters ? [...parameters] : [];
      if (!name) return client.query(sql, values);
      return client.query({ name, text: sql, values }).catch((error: unknown) => {
        // The session lost its prepared statements (a DBA's DISCARD ALL or DEALLOCATE, a
        // pooler resetting it) while the driver still counts them as prepared: forget them,
        // so the next query prepares again. This one fails (and with it its transaction);
        // the group commit runs its batch again in a new one (test: prepared-statements).
        if ((error as { code?: unknown }).code === '26000') forgetPrepared(client);
        throw error;
      });
    }) as unknown as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let kysely = wrapped.get(client);
      if (!kysely) wrapped.set(client, (kysely = wrap(client)));
      return kysely;
    },
    end: () => pool.end(),
  };
}

async function openPostgres(
  url: string,
  logger: Logger,
  auditKey: Buffer | undefined,
): Promise<OpenedDatabase> {
  const where = describeDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // While PostgreSQL is unreachable a request fails after this rather than waiting for ever;
    // the agent's outbox sends again later, and staff see an error they can retry.
    connectionTimeoutMillis: 5000,
    application_name: 'harbour',
    types,
  });
  // A connection that breaks while idle in the pool (PostgreSQL restarted, a DBA ended it) is
  // reported here; unhandled, the pool's 'error' event would end the server. The pool drops
  // it and opens a new one for the next query.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'a PostgreSQL connection was lost'));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new DatabaseUnavailableError(`Harbour cannot reach its database at ${where}: ${reason}`);
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: namingPrepared(pool) }),
    // No change tracker: other nodes and a DBA's session write without telling this process,
    // and PostgreSQL has no counterpart of SQLite's data_version, so nothing is cached.
    plugins: auditKey ? [new AuditKeyPlugin(auditKey)] : [],
  });
  // Agents' events commit in 4 transactions at once, each on its own pooled connection; the
  // other 6 of the pool's 10 serve requests (db/group-commit.ts).
  setGroupCommitLanes(db, 4);
  try {
    await migrate(db, logger);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(
      `Harbour could not bring its database at ${where} up to date: ${reason}`,
    );
  }
  return { db, file: where, dialect: 'postgres', close: () => db.destroy() };
}

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

export async function migrate(db: Db, logger: Logger): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') logger.info({ migration: r.migrationName }, 'database migrated');
    else if (r.status === 'Error') logger.error({ migration: r.migrationName }, 'database migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}
