/**
 * Issue 14 item 7: the audit trail against someone who can write the database file. They
 * edit the file while the server is stopped (as they would with a copy of it), the way the
 * attack that found the problem did: rewrite an entry and recompute every later hash,
 * delete the newest 50 entries, delete one in the middle, put back an older copy. Each is
 * named by GET /api/audit/verify. The key and the checkpoints are never in the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacyChainHash, genesisHash } from '../../dashboard/src/server/db/audit-chain.js';
import { ApiClient } from '../support/api.js';
import { databaseAt, databaseContents, onPostgres, outsideQueryIn } from '../support/database.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';

type Verify = {
  ok: boolean;
  entries: number;
  reason?: string;
  brokenAt?: { id: number } | null;
  checkpoint: { entries: number; head: string; at: string } | null;
};

/** A server with a trail of at least `entries` entries (rooms created by the admin), stopped. */
async function trailOf(entries: number): Promise<string> {
  const dataDir = tempDir('audit');
  const harbour = await startInProcess(dataDir);
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  for (let i = 0; i < entries; i++) await admin.createRoom(`Room ${i}`);
  expect((await admin.json<Verify>('GET', '/api/audit/verify')).body).toMatchObject({ ok: true });
  await harbour.close();
  return dataDir;
}

async function verifyAfter(dataDir: string): Promise<Verify> {
  const harbour = await startInProcess(dataDir);
  try {
    const admin = new ApiClient(harbour.url);
    await admin.login(adminEmail, password);
    const r = await admin.json<Verify>('GET', '/api/audit/verify');
    expect(r.status).toBe(200);
    return r.body;
  } finally {
    await harbour.close();
  }
}

/** Another connection to the database, as someone with the file (or a PostgreSQL login) would open. */
const sqlIn =
  (dataDir: string) =>
  <R = Record<string, unknown>>(text: string, ...values: (string | number | null)[]) =>
    outsideQueryIn<R>(dataDir, text, ...values);

type Row = {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
};

/** What an attacker without the key can do best: recompute the chain from `fromId` with the only hash they can. */
async function rehashFrom(dataDir: string, fromId: number) {
  const q = sqlIn(dataDir);
  const rows = await q<Row & { prev_hash: string }>(
    'select * from audit_log where id >= ? order by id',
    fromId,
  );
  let prev = rows[0]?.prev_hash ?? genesisHash;
  for (const row of rows) {
    const hash = legacyChainHash(prev, row);
    await q('update audit_log set prev_hash = ?, hash = ? where id = ?', prev, hash, row.id);
    prev = hash;
  }
}

describe('item 7: the audit trail holds against someone with the database file', () => {
  it('keeps its key and checkpoints outside the database, and shows the DSL the newest checkpoint', async () => {
    const dataDir = await trailOf(3);
    const key = fs.readFileSync(path.join(dataDir, 'keys', 'master.key'), 'utf8').trim();
    expect(fs.statSync(path.join(dataDir, 'keys', 'master.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
    expect(databaseContents(await databaseAt(dataDir)).includes(key)).toBe(false);
    const log = fs.readFileSync(path.join(dataDir, 'audit-checkpoints', 'checkpoints.log'), 'utf8');
    expect(log.trim().split('\n').length).toBeGreaterThan(0);
    const v = await verifyAfter(dataDir);
    expect(v.ok).toBe(true);
    expect(v.checkpoint?.entries).toBe(v.entries);
    expect(v.checkpoint?.head).toMatch(/^[0-9a-f]{64}$/);
  });

  it('detects an entry rewritten with every later hash recomputed', async () => {
    const dataDir = await trailOf(5);
    await sqlIn(dataDir)(`update audit_log set detail = '{"name":"nothing happened"}' where id = 3`);
    await rehashFrom(dataDir, 3);
    expect(await verifyAfter(dataDir)).toMatchObject({ ok: false, brokenAt: { id: 3 } });
  });

  it('detects the newest 50 entries deleted', async () => {
    const dataDir = await trailOf(60);
    const q = sqlIn(dataDir);
    const before = Number((await q<{ n: number }>('select count(*) as n from audit_log'))[0]?.n);
    await q('delete from audit_log where id > ?', before - 50);
    const v = await verifyAfter(dataDir);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(new RegExp(`had ${before} entries .*entries were removed`));
  });

  it('detects an entry deleted in the middle, even with the later ones renumbered and rehashed', async () => {
    const dataDir = await trailOf(8);
    await sqlIn(dataDir)('delete from audit_log where id = 4');
    // One at a time, lowest first: PostgreSQL checks the primary key after each row.
    for (const { id } of await sqlIn(dataDir)<{ id: number }>(
      'select id from audit_log where id > 4 order by id',
    ))
      await sqlIn(dataDir)('update audit_log set id = ? where id = ?', id - 1, id);
    await rehashFrom(dataDir, 4);
    expect((await verifyAfter(dataDir)).ok).toBe(false);
    const plain = await trailOf(8);
    await sqlIn(plain)('delete from audit_log where id = 4');
    expect(await verifyAfter(plain)).toMatchObject({ ok: false, brokenAt: { id: 5 } });
  });

  // Copies the SQLite file; on PostgreSQL the same attack is a DBA's restored dump
  // (test/integration/postgres-operations.test.ts).
  it.skipIf(onPostgres)('detects an older copy of the database put back', async () => {
    const dataDir = await trailOf(4);
    const copy = tempDir('audit-copy');
    for (const f of fs.readdirSync(dataDir).filter((f) => f.startsWith('harbour.sqlite')))
      fs.copyFileSync(path.join(dataDir, f), path.join(copy, f));
    const harbour = await startInProcess(dataDir);
    const admin = new ApiClient(harbour.url);
    await admin.login(adminEmail, password);
    for (let i = 0; i < 5; i++) await admin.createRoom(`Later ${i}`);
    expect((await admin.json<Verify>('GET', '/api/audit/verify')).body.ok).toBe(true);
    await harbour.close();
    for (const f of fs.readdirSync(dataDir).filter((f) => f.startsWith('harbour.sqlite')))
      fs.rmSync(path.join(dataDir, f));
    for (const f of fs.readdirSync(copy)) fs.copyFileSync(path.join(copy, f), path.join(dataDir, f));
    const v = await verifyAfter(dataDir);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/older copy|not the entry recorded/);
  });

  it('detects a checkpoint altered or removed from the log', async () => {
    const dataDir = await trailOf(3);
    const file = path.join(dataDir, 'audit-checkpoints', 'checkpoints.log');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]!) as { entries: number };
    fs.writeFileSync(file, [JSON.stringify({ ...first, entries: 1 }), ...lines.slice(1)].join('\n') + '\n');
    expect((await verifyAfter(dataDir)).reason).toMatch(/checkpoint log/);
  });

  it('re-keys a trail written before the key once, when it verifies; a broken one is left as it is', async () => {
    for (const broken of [false, true]) {
      const dataDir = await trailOf(4);
      // As a database from before the key: the unkeyed chain, no checkpoints yet.
      await rehashFrom(dataDir, 1);
      if (broken) await sqlIn(dataDir)(`update audit_log set actor = 'someone else' where id = 2`);
      fs.rmSync(path.join(dataDir, 'audit-checkpoints'), { recursive: true });
      const v = await verifyAfter(dataDir);
      expect(v.ok).toBe(!broken);
      const [keyed] = await sqlIn(dataDir)<{ n: number }>(
        `select count(*) as n from audit_log where action = 'audit.keyed'`,
      );
      expect(Number(keyed?.n)).toBe(broken ? 0 : 1);
    }
  });
});
