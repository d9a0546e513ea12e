import type { AuditVerify } from '@harbour/shared';
import { chainHash, genesisHash } from '../db/audit-chain.js';
import type { Db } from '../db/database.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  detail?: unknown;
}

/**
 * Records who did what, in a tamper-evident trail: each entry stores the hash of the one
 * before it and of its own canonical form, so changing, deleting or reordering any entry
 * breaks the chain (see verifyAuditChain). Entries are only ever appended.
 *
 * Runs inside the caller's transaction when given one; otherwise opens its own, so
 * reading the last hash and appending the next entry can never interleave with another write.
 * Returns the new entry's id.
 */
export async function audit(db: Db, entry: AuditEntry): Promise<number> {
  if (db.isTransaction) return append(db, entry);
  return db.transaction().execute((trx) => append(trx, entry));
}

async function append(db: Db, entry: AuditEntry): Promise<number> {
  const last = await db
    .selectFrom('audit_log')
    .select(['id', 'hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fields = {
    id: (last?.id ?? 0) + 1,
    at: new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  };
  const prevHash = last?.hash ?? genesisHash;
  await db
    .insertInto('audit_log')
    .values({ ...fields, prev_hash: prevHash, hash: chainHash(prevHash, fields) })
    .execute();
  return fields.id;
}

/**
 * Walks the whole trail in order and recomputes every link. Reports the first entry
 * whose stored hashes don't match what its content and its predecessor say they must be.
 */
export async function verifyAuditChain(db: Db): Promise<AuditVerify> {
  let prev = genesisHash;
  let entries = 0;
  let expectedId = 1;
  const pageSize = 5000;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      entries++;
      const broken = (reason: string): AuditVerify => ({
        ok: false,
        entries,
        brokenAt: { id: row.id, at: row.at, action: row.action },
        reason,
      });
      if (row.id !== expectedId) return broken(`entry ${expectedId} is missing before entry ${row.id}`);
      if (row.prev_hash !== prev) return broken(`entry ${row.id} does not follow the entry before it`);
      if (row.hash !== chainHash(prev, row))
        return broken(`entry ${row.id} was changed after it was written`);
      prev = row.hash;
      expectedId++;
    }
    const lastRow = rows.at(-1);
    if (!lastRow || rows.length < pageSize) break;
    after = lastRow.id;
  }
  return { ok: true, entries };
}

/**
 * The entries about any of `subjects` (optionally only some actions): an incident's
 * history, a pupil's chronology. `ordered` sorts them by id, the order they were written.
 */
export async function entriesAbout(
  db: Db,
  subjects: readonly string[],
  options: { actions?: readonly string[]; ordered?: boolean } = {},
) {
  let q = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor', 'action', 'subject', 'detail'])
    .where('subject', 'in', [...subjects]);
  if (options.actions) q = q.where('action', 'in', [...options.actions]);
  if (options.ordered) q = q.orderBy('id');
  return q.execute();
}
