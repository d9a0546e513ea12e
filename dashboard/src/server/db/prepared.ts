/**
 * Queries built and compiled once, run many times with new values: the agent event path
 * (store the event, the device's room, close the open interval, open the next) runs
 * thousands of times a second under fleet load, and building the same Kysely query afresh
 * for each event (immutable operation nodes, then SQL text) was a visible share of the
 * server's time (docs/benchmarks.md). Kysely's own recipe for this is `compile()` once
 * and `executeQuery()` with the compiled query; a compiled query is for one dialect, so
 * each is compiled once per database handle's dialect adapter (SQLite or PostgreSQL) and
 * works inside a transaction of that handle too. On SQLite the statement cache
 * (statement-cache.ts) then reuses the prepared statement for the same SQL text.
 *
 * Values are named: `build` gets a placeholder for each, and where a placeholder lands in
 * the compiled parameters is where each run's value goes. Plugins see the query once, when
 * it is compiled, so the change tracker (change-tracker.ts), which counts writes, is told
 * of each run of a write here.
 */
import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from 'kysely';
import { ChangeTracker, writtenTables } from './change-tracker.js';
import type { Db } from './database.js';

const mark = '\u0000harbour-value:';

/** The SQL text of every compiled query here, and the name PostgreSQL prepares it under. */
const statementNames = new Map<string, string>();

/**
 * The name to prepare `sql` under on a PostgreSQL connection, if it is one of the queries
 * compiled here; otherwise undefined. PostgreSQL parses and plans a query sent unnamed each
 * time it runs: for the agent event path that was most of PostgreSQL's own time per event
 * (docs/benchmarks.md). A named statement is parsed and planned once per connection and
 * then only bound and run. Only these few, fixed texts are named, so each connection holds
 * a bounded set of them.
 */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

interface Compiled {
  query: CompiledQuery;
  /** For each compiled parameter, the name of the value that goes there (null: a constant). */
  slots: (string | null)[];
  writes: boolean;
}

export interface PreparedQuery<P, R> {
  run(db: Db, values: P): Promise<QueryResult<R>>;
}

/** A query with values named `names`, compiled on first use for each dialect. */
export function prepared<P extends Record<string, unknown>, R>(
  names: readonly (keyof P & string)[],
  build: (db: Db, values: P) => Compilable<R>,
): PreparedQuery<P, R> {
  const byDialect = new WeakMap<DialectAdapter, Compiled>();
  const compile = (db: Db): Compiled => {
    const placeholders = Object.fromEntries(names.map((n) => [n, `${mark}${n}`])) as unknown as P;
    const query = build(db, placeholders).compile();
    const slots = query.parameters.map((v) =>
      typeof v === 'string' && v.startsWith(mark) ? v.slice(mark.length) : null,
    );
    const missing = names.filter((n) => !slots.includes(n));
    // A value Kysely wrote into the SQL text rather than as a parameter cannot be replaced.
    if (missing.length > 0) throw new Error(`prepared query: ${missing.join(', ')} not passed as parameters`);
    if (!statementNames.has(query.sql)) statementNames.set(query.sql, `harbour_${statementNames.size + 1}`);
    return { query, slots, writes: writtenTables(query.query).length > 0 };
  };
  return {
    async run(db, values) {
      const executor = db.getExecutor();
      let compiled = byDialect.get(executor.adapter);
      if (!compiled) {
        compiled = compile(db);
        byDialect.set(executor.adapter, compiled);
      }
      const { query, slots } = compiled;
      const parameters = slots.map((name, i) => (name === null ? query.parameters[i] : values[name]));
      if (compiled.writes) {
        for (const plugin of executor.plugins) {
          if (plugin instanceof ChangeTracker)
            plugin.transformQuery({ node: query.query, queryId: query.queryId });
        }
      }
      return db.executeQuery<R>({ ...query, parameters });
    },
  };
}
