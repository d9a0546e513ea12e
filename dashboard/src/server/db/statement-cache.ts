import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver prepares every query afresh; preparing (parsing and planning the
 * SQL) was about a tenth of the server's busy time under fleet load
 * (docs/benchmarks.md). Queries built by Kysely have a small set of distinct SQL texts with
 * their values as parameters, so the prepared statements are kept and reused, most recently
 * used first, up to `max`. Kysely runs one query at a time on its single connection, so a
 * statement is never used by two queries at once.
 */
export function cachingStatements(database: SqliteDatabase, max = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      return database.close();
    },
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-insert: most recently used last
      } else {
        stmt = database.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
