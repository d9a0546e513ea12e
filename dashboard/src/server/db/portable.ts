/**
 * What differs between the two databases Harbour runs on, in one place: SQLite (the embedded
 * default, one file, one writer) and PostgreSQL (DATABASE_URL, a pool of connections that
 * write at the same time). Everything else is written once, with Kysely's builders.
 */
import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** Which database a handle (or a transaction, or a migration's handle) talks to. */
export function dialectOf(db: Kysely<never> | Kysely<unknown> | object): DialectName {
  // getExecutor() is marked internal in Kysely's typings; audit-key.ts relies on it too, and
  // the unit test of this file fails if it ever stops naming the adapter.
  const executor = (db as { getExecutor?: () => { adapter: unknown } }).getExecutor?.();
  return executor?.adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * An integer primary key the database numbers itself: SQLite's AUTOINCREMENT (what the
 * shipped migrations always made there, so existing files keep their exact schema), an
 * identity column on PostgreSQL, which has no AUTOINCREMENT. "By default" rather than
 * "always": a restored dump and the audit trail (which numbers its own entries) write ids.
 */
export function idColumn(db: Kysely<unknown>) {
  const postgres = dialectOf(db) === 'postgres';
  return (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
}

/**
 * The one lock every numbered append takes: the audit trail (which reads the last entry's id
 * and hash and writes the next) and incident references (which read the highest number and
 * take the next). SQLite already runs one write transaction at a time, so there is nothing
 * to do. On PostgreSQL two transactions would read the same last entry, so the first to get
 * here holds a transaction-scoped advisory lock until it commits or rolls back; the second
 * waits, then reads what the first wrote. One lock for both, not one each, because a
 * transaction that audits and then numbers an incident, against one that does it the other
 * way round, would otherwise deadlock. Must be called inside a transaction.
 */
export async function lockNumberedAppends(trx: Kysely<never> | Kysely<unknown> | object): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  const db = trx as Kysely<unknown>;
  if (!db.isTransaction) throw new Error('lockNumberedAppends needs a transaction: the lock ends with it');
  await sql`select pg_advisory_xact_lock(${sql.lit(numberedAppendsLock)})`.execute(db);
}

/** An arbitrary constant of Harbour's ("Harb" in ASCII), so other users of advisory locks in a shared database don't collide. */
export const numberedAppendsLock = 0x48617262;
