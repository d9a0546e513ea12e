/**
 * The agent event path's queries, compiled once (db/prepared.ts), are also prepared once per
 * PostgreSQL connection: sent as named statements, parsed and planned the first time only
 * (the store-only probe in docs/benchmarks.md: PostgreSQL's CPU per activity change fell by
 * about a third). On SQLite the statement cache does the same (db/statement-cache.ts).
 * Real databases: the SQLite file, or a database of its own on the run's PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../dashboard/src/server/db/database.js';
import { inGroupTransaction } from '../../dashboard/src/server/db/group-commit.js';
import { recordActivityChange } from '../../dashboard/src/server/features/activity/activity.js';
import { databaseUrlFor, onPostgres } from '../support/database.js';
import { tempDir } from '../support/paths.js';

let opened: OpenedDatabase;
const deviceId = randomUUID();
const roomId = randomUUID();

beforeAll(async () => {
  const dir = tempDir('prepared-statements');
  opened = await openDatabase(dir, pino({ level: 'silent' }), { url: await databaseUrlFor(dir) });
  const school = await opened.db.selectFrom('schools').select('id').executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  await opened.db
    .insertInto('rooms')
    .values({ id: roomId, name: 'Oak', created_at: now, school_id: school.id })
    .execute();
  await opened.db
    .insertInto('devices')
    .values({
      id: deviceId,
      room_id: roomId,
      credential_hash: 'x',
      hostname: 'OAK-01',
      os: 'Test',
      serial: null,
      agent_version: '0.1.0',
      enrolled_at: now,
      enrolment_token_id: null,
      last_seen: null,
      current_user: null,
      revoked_at: null,
    })
    .execute();
});
afterAll(async () => {
  await opened.close();
});

const change = (title: string) =>
  ({
    type: 'activity.changed',
    state: 'active',
    user: { username: 'pupil' },
    window: { app: 'Browser', title, exePath: null, url: null, domain: null, private: false },
  }) as const;

describe('prepared statements', () => {
  it('stores consecutive changes the same way whatever the connection has prepared', async () => {
    const base = Date.now() - 60_000;
    for (let i = 0; i < 5; i++) {
      const now = await opened.db
        .transaction()
        .execute((trx) =>
          recordActivityChange(trx, deviceId, new Date(base + i * 1000).toISOString(), change(`t${i}`)),
        );
      expect(now).toMatchObject({ deviceId, roomId, title: `t${i}` });
    }
    const rows = await opened.db
      .selectFrom('activity_intervals')
      .select(['title', 'ended_at'])
      .where('device_id', '=', deviceId)
      .orderBy('started_at')
      .execute();
    expect(rows.map((r) => r.title)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(rows.filter((r) => r.ended_at === null)).toHaveLength(1);
  });

  it.runIf(onPostgres)(
    'on PostgreSQL the activity path runs as named statements, prepared once per connection',
    async () => {
      const names = await opened.db.transaction().execute(async (trx) => {
        await recordActivityChange(trx, deviceId, new Date().toISOString(), change('named'));
        // The same connection as the change: a transaction keeps to one.
        return (
          await sql<{
            name: string;
            statement: string;
          }>`select name, statement from pg_prepared_statements`.execute(trx)
        ).rows;
      });
      const statements = names.filter((r) => r.name.startsWith('harbour_')).map((r) => r.statement);
      expect(statements.some((s) => /^update "activity_intervals"/.test(s))).toBe(true);
      expect(statements.some((s) => /^insert into "activity_intervals"/.test(s))).toBe(true);
    },
  );

  it.runIf(onPostgres)(
    'a session whose statements were dropped (DEALLOCATE ALL) prepares them again, and the change is stored',
    async () => {
      // A DBA's DISCARD ALL or a pooler resetting the session removes them under the driver.
      await opened.db.transaction().execute(async (trx) => {
        await recordActivityChange(trx, deviceId, new Date().toISOString(), change('before'));
        await sql`deallocate all`.execute(trx);
      });
      // The pool hands the same connection out next (it reuses the last released). The
      // group commit's first try fails on the missing statement; its second, in a new
      // transaction, prepares it again.
      const stored = await inGroupTransaction(
        opened.db,
        (trx) => recordActivityChange(trx, deviceId, new Date(Date.now() + 5).toISOString(), change('after')),
        deviceId,
        { rerunnable: true },
      );
      expect(stored).toMatchObject({ title: 'after' });
      const after = await opened.db
        .transaction()
        .execute((trx) =>
          recordActivityChange(trx, deviceId, new Date(Date.now() + 10).toISOString(), change('later')),
        );
      expect(after).toMatchObject({ title: 'later' });
    },
  );
});
