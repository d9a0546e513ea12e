import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditCheckpoint, AuditVerify } from '@harbour/shared';
import type { Logger } from 'pino';
import { chainHash, genesisHash, legacyChainHash, type ChainedFields } from '../db/audit-chain.js';
import { auditKeyOf } from '../db/audit-key.js';
import type { Db } from '../db/database.js';
import { lockNumberedAppends } from '../db/portable.js';
import type { ServerKeys } from './keys.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  detail?: unknown;
}

/** The purposes of the two sub-keys the trail uses (core/keys.ts derives them). */
export const auditKeyPurpose = 'audit-hmac';
const checkpointKeyPurpose = 'audit-checkpoint';

function keyOf(db: Db): Buffer {
  const key = auditKeyOf(db);
  if (!key) throw new Error('this database handle has no audit key: open it with one (app.ts does)');
  return key;
}

/**
 * Records who did what, in a tamper-evident trail: each entry stores the keyed hash (HMAC,
 * key outside the database) of the one before it and of its own canonical form, so changing,
 * deleting or reordering any entry breaks the chain, and nobody without the key can forge a
 * new one (see AuditTrail.verify). Entries are only ever appended.
 *
 * Runs inside the caller's transaction when given one; otherwise opens its own. Reading the
 * last hash and appending the next entry happen under db/portable.ts's lock, so they never
 * interleave with another writer's (PostgreSQL runs several transactions at once; SQLite one).
 * Returns the new entry's id.
 */
export async function audit(db: Db, entry: AuditEntry): Promise<number> {
  if (db.isTransaction) return append(db, entry);
  return db.transaction().execute((trx) => append(trx, entry));
}

async function append(db: Db, entry: AuditEntry): Promise<number> {
  const key = keyOf(db);
  await lockNumberedAppends(db);
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
    .values({ ...fields, prev_hash: prevHash, hash: chainHash(key, prevHash, fields) })
    .execute();
  return fields.id;
}

type Row = ChainedFields & { prev_hash: string | null; hash: string | null };
type Broken = { id: number; at: string; action: string } | null;

/** Walks the whole trail in id order, a page at a time; `visit` returns a reason to stop. */
async function walk(
  db: Db,
  visit: (row: Row) => string | null,
): Promise<{ entries: number; failed?: { row: Row; reason: string } }> {
  let entries = 0;
  let after = 0;
  const pageSize = 5000;
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
      const reason = visit(row);
      if (reason) return { entries, failed: { row, reason } };
    }
    const lastRow = rows.at(-1);
    if (!lastRow || rows.length < pageSize) return { entries };
    after = lastRow.id;
  }
}

/** A chain check: consecutive ids from 1, each entry following the one before and hashing to itself. */
function chainCheck(hash: (prev: string, row: Row) => string) {
  let prev = genesisHash;
  let expectedId = 1;
  return (row: Row): string | null => {
    if (row.id !== expectedId) return `entry ${expectedId} is missing before entry ${row.id}`;
    if (row.prev_hash !== prev) return `entry ${row.id} does not follow the entry before it`;
    if (row.hash !== hash(prev, row)) return `entry ${row.id} was changed after it was written`;
    prev = row.hash;
    expectedId++;
    return null;
  };
}

interface StoredCheckpoint extends AuditCheckpoint {
  v: 1;
  headId: number;
  /** The previous line's mac: a line taken out of the middle of the log breaks the next one. */
  prev: string;
  mac: string;
}

export interface AuditTrail {
  /** On start: re-chains a trail written before the key existed, and writes a first checkpoint. */
  prepare(): Promise<void>;
  /** Checks the chain and every checkpoint; when all hold, records a new checkpoint of the head. */
  verify(): Promise<AuditVerify>;
  /** Records a checkpoint if the trail grew since the last one; returns the newest. */
  checkpoint(): Promise<AuditCheckpoint | null>;
  /** Checkpoints every `intervalMs` while the server runs (and once more on stop). */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/**
 * The audit trail's guard against someone who can write the database file. The chain is
 * keyed (HMAC) with a key outside the database, so a rewritten entry cannot be re-hashed;
 * and signed checkpoints (entry count and head hash, HMAC under a second sub-key) are
 * appended to a log outside the database, so a trail cut short or rolled back to an older
 * copy no longer matches what was recorded. What it cannot catch is in docs/incidents.md.
 */
export function auditTrail(deps: { db: Db; keys: ServerKeys; dir: string; log: Logger }): AuditTrail {
  const { db, log } = deps;
  const key = deps.keys.derive(auditKeyPurpose);
  const checkpointKey = deps.keys.derive(checkpointKeyPurpose);
  const file = path.join(deps.dir, 'checkpoints.log');
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<unknown> = Promise.resolve();

  const macOf = (c: Omit<StoredCheckpoint, 'mac'>) =>
    createHmac('sha256', checkpointKey)
      .update(JSON.stringify([c.v, c.entries, c.headId, c.head, c.at, c.prev]))
      .digest('hex');
  const macMatches = (a: string, b: string) =>
    a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  /** The log's lines, each checked; a line that fails names where the log itself was altered. */
  function readCheckpoints(): { list: StoredCheckpoint[]; problem: string | null } {
    if (!fs.existsSync(file)) return { list: [], problem: null };
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const list: StoredCheckpoint[] = [];
    let prev = genesisHash;
    for (const [i, line] of lines.entries()) {
      let c: StoredCheckpoint;
      try {
        c = JSON.parse(line) as StoredCheckpoint;
      } catch {
        return { list, problem: `line ${i + 1} of the checkpoint log is damaged` };
      }
      const { mac, ...rest } = c;
      if (typeof mac !== 'string' || !macMatches(mac, macOf(rest)))
        return { list, problem: `checkpoint ${i + 1} in the checkpoint log was altered` };
      if (c.prev !== prev)
        return { list, problem: `a checkpoint before number ${i + 1} was removed from the log` };
      prev = mac;
      list.push(c);
    }
    return { list, problem: null };
  }

  async function head(): Promise<{ id: number; hash: string; entries: number } | undefined> {
    const last = await db
      .selectFrom('audit_log')
      .select(['id', 'hash'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last?.hash) return undefined;
    const count = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { id: last.id, hash: last.hash, entries: Number(count.n) };
  }

  const publicPart = (c: StoredCheckpoint | undefined): AuditCheckpoint | null =>
    c ? { entries: c.entries, head: c.head, at: c.at } : null;

  function append(
    now: { id: number; hash: string; entries: number },
    list: StoredCheckpoint[],
  ): StoredCheckpoint {
    const body = {
      v: 1 as const,
      entries: now.entries,
      headId: now.id,
      head: now.hash,
      at: new Date().toISOString(),
      prev: list.at(-1)?.mac ?? genesisHash,
    };
    const c: StoredCheckpoint = { ...body, mac: macOf(body) };
    fs.mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(c)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return c;
  }

  /** One at a time: two checkpoints written at once would both name the same previous line. */
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const next = writing.then(work, work);
    writing = next.catch(() => undefined);
    return next;
  }

  const checkpoint = () =>
    serially(async () => {
      const { list, problem } = readCheckpoints();
      if (problem) return publicPart(list.at(-1));
      const now = await head();
      const last = list.at(-1);
      if (!now || (last && last.headId === now.id && last.head === now.hash)) return publicPart(last);
      return publicPart(append(now, list));
    });

  async function verify(): Promise<AuditVerify> {
    const { list, problem } = readCheckpoints();
    const latest = publicPart(list.at(-1));
    const byId = new Map(list.map((c) => [c.headId, c]));
    const chained = chainCheck((prev, row) => chainHash(key, prev, row));
    const result = await walk(db, (row) => {
      const reason = chained(row);
      if (reason) return reason;
      const c = byId.get(row.id);
      if (c && c.head !== row.hash)
        return `entry ${row.id} is not the entry recorded in the checkpoint of ${c.at}`;
      return null;
    });
    const broken = (brokenAt: Broken, reason: string): AuditVerify => ({
      ok: false,
      entries: result.entries,
      brokenAt,
      reason,
      checkpoint: latest,
    });
    if (result.failed) {
      const { row, reason } = result.failed;
      return broken({ id: row.id, at: row.at, action: row.action }, reason);
    }
    if (problem) return broken(null, `the checkpoint log outside the database does not verify: ${problem}`);
    const longest = list.reduce<StoredCheckpoint | undefined>(
      (a, c) => (!a || c.entries > a.entries ? c : a),
      undefined,
    );
    if (longest && longest.entries > result.entries) {
      return broken(
        null,
        `on ${longest.at} the trail had ${longest.entries} entries and a checkpoint says so; it now has ${result.entries}: entries were removed from its end, or an older copy of the database was put back`,
      );
    }
    return { ok: true, entries: result.entries, checkpoint: await checkpoint() };
  }

  return {
    async prepare() {
      const { list } = readCheckpoints();
      const first = await db.selectFrom('audit_log').selectAll().orderBy('id').limit(1).executeTakeFirst();
      // A trail from before the key: only ever re-chained when no checkpoint exists yet
      // and the old chain holds; otherwise verification reports what it finds.
      if (first && list.length === 0 && first.hash !== chainHash(key, genesisHash, first)) {
        const legacy = await walk(db, chainCheck(legacyChainHash));
        if (legacy.failed) {
          log.error({ reason: legacy.failed.reason }, 'the audit trail does not verify; it is left as it is');
        } else {
          await db.transaction().execute(async (trx) => {
            let prev = genesisHash;
            const rows = await trx.selectFrom('audit_log').selectAll().orderBy('id').execute();
            for (const row of rows) {
              const hash = chainHash(key, prev, row);
              await trx
                .updateTable('audit_log')
                .set({ prev_hash: prev, hash })
                .where('id', '=', row.id)
                .execute();
              prev = hash;
            }
            await audit(trx, {
              actor: 'system',
              action: 'audit.keyed',
              detail: {
                entries: rows.length,
                note: 'the unkeyed chain verified and was re-chained with the server key',
              },
            });
          });
          log.info({ entries: legacy.entries }, 'audit trail re-chained with the server key');
        }
      }
      await checkpoint();
    },
    verify,
    checkpoint,
    start(intervalMs = 60_000) {
      timer = setInterval(
        () =>
          void checkpoint().catch((error: unknown) => log.error({ err: error }, 'audit checkpoint failed')),
        intervalMs,
      );
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await checkpoint().catch((error: unknown) => log.error({ err: error }, 'audit checkpoint failed'));
    },
  };
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
