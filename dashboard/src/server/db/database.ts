import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import type { Logger } from 'pino';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { ChangeTracker, registerChangeTracker } from './change-tracker.js';
import { cachingStatements } from './statement-cache.js';
import { AuditKeyPlugin } from './audit-key.js';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  file: string;
  close(): Promise<void>;
}

/** Where the database file of a data directory is. */
export const databaseFile = (dataDir: string) => path.join(dataDir, 'harbour.sqlite');

/**
 * Opens (creating if needed) the SQLite file in `dataDir` and migrates it to the latest
 * version. With `auditKey`, every handle and transaction from it can write the audit trail.
 */
export async function openDatabase(
  dataDir: string,
  logger: Logger,
  options: { auditKey?: Buffer } = {},
): Promise<OpenedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = databaseFile(dataDir);
  const sqlite = new SQLite(file);
  // WAL keeps readers (live views) off the writers' backs; NORMAL sync is durable in WAL mode
  // across application crashes, which is the failure the outbox protocol is built for.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const tracker = new ChangeTracker(() => sqlite.pragma('data_version', { simple: true }) as number);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
    plugins: options.auditKey ? [tracker, new AuditKeyPlugin(options.auditKey)] : [tracker],
  });
  registerChangeTracker(db, tracker);
  await migrate(db, logger);
  return {
    db,
    file,
    close: () => db.destroy(),
  };
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
