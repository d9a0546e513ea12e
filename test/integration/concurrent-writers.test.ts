/**
 * Many writers at once (issue 18, item 2). SQLite runs one write transaction at a time;
 * PostgreSQL runs them side by side, where "read the last entry, write the next" breaks:
 * two audit entries with the same id, two incidents with the same reference. Both
 * databases must end with one unbroken chain and references numbered 1, 2, 3… with no
 * repeat and no gap. Runs in `integration` (SQLite) and `integration-pg` (PostgreSQL).
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerify, Incident } from '@harbour/shared';
import { startHarbour, type Harbour } from '../../dashboard/src/server/app.js';
import { openDatabase } from '../../dashboard/src/server/db/database.js';
import { createFirstAdmin } from '../../dashboard/src/server/features/accounts/accounts.js';
import type { PasswordPolicy } from '../../dashboard/src/server/features/accounts/password-policy.js';
import { ApiClient } from '../support/api.js';
import { databaseUrlFor, outsideQueryIn, storageFor, testDatabase } from '../support/database.js';
import { adminEmail, password, staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { enrolTestDevice, sendEvent, tellBody, type TestDevice } from '../support/tell.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let devices: TestDevice[];

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  const room = await clients.admin.createRoom('Year 5');
  devices = [];
  for (const n of [1, 2, 3, 4, 5])
    devices.push(await enrolTestDevice(harbour.url, clients.admin, room.id, `Y5-PC-0${n}`));
});
afterAll(async () => {
  for (const d of devices) d.socket.disconnect();
  await harbour.close();
});

describe(`concurrent writers on ${testDatabase}`, () => {
  it('runs on the database this project names', () => {
    expect(harbour.database).toBe(testDatabase);
  });

  it('two nodes creating the first administrator at once make one, and neither fails', async () => {
    // Two nodes started together on an empty database, each with HARBOUR_ADMIN_EMAIL set: on
    // PostgreSQL both used to see "no user yet", and the second failed on the duplicate email.
    const dir = tempDir('first-admin');
    const url = await databaseUrlFor(dir);
    // The nodes share the trust's master key, so the same audit key.
    const auditKey = Buffer.alloc(32, 7);
    const nodes = [
      await openDatabase(dir, pino({ level: 'silent' }), { url, auditKey }),
      await openDatabase(dir, pino({ level: 'silent' }), { url, auditKey }),
    ];
    try {
      // The policy is not what is tested: the check of a strong password is the same for both.
      const policy = { check: () => Promise.resolve() } as unknown as PasswordPolicy;
      const input = { email: 'first@school.test', displayName: 'Administrator', password };
      const made = await Promise.all(nodes.map((node) => createFirstAdmin({ db: node.db, policy }, input)));
      expect(made.filter((row) => row !== undefined)).toHaveLength(1);
      const admins = await nodes[0]!.db.selectFrom('users').select('email').execute();
      expect(admins).toEqual([{ email: 'first@school.test' }]);
    } finally {
      for (const node of nodes) await node.close();
    }
  });

  it('50 audited actions and 50 reports at once leave one verifiable chain and unique, gapless references', async () => {
    const before = await clients.admin.json<AuditVerify>('GET', '/api/audit/verify');
    expect(before.body).toMatchObject({ ok: true });

    const rooms = Array.from({ length: 50 }, (_, i) => clients.admin.createRoom(`Room ${i}`));
    // Half the reports come from pupils at five computers (agent events), half are recorded
    // by hand by the DSL and a teacher over HTTP: both paths number incidents.
    const tells = Array.from({ length: 25 }, (_, i) =>
      sendEvent(devices[i % devices.length]!, tellBody({ tellId: crypto.randomUUID() })),
    );
    const manual = Array.from({ length: 25 }, (_, i) =>
      (i % 2 ? clients.dsl : clients.teacher).json<Incident>('POST', '/api/incidents', {
        summary: `Recorded by hand ${i}`,
        category: 'other',
      }),
    );
    const [roomResults, tellResults, manualResults] = await Promise.all([
      Promise.all(rooms),
      Promise.all(tells),
      Promise.all(manual),
    ]);
    expect(roomResults).toHaveLength(50);
    for (const r of tellResults) expect(r).toMatchObject({ ok: true });
    for (const r of manualResults) expect(r.status).toBe(201);

    const after = await clients.admin.json<AuditVerify>('GET', '/api/audit/verify');
    expect(after.body).toMatchObject({ ok: true });
    // Every room and every incident left at least one entry of its own.
    expect(after.body.entries - before.body.entries).toBeGreaterThanOrEqual(100);

    const ids = (await harbour.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );
    expect(ids).toEqual(ids.map((_, i) => i + 1));

    const seqs = (await harbour.db.selectFrom('incidents').select('seq').orderBy('seq').execute()).map(
      (r) => r.seq,
    );
    expect(seqs).toHaveLength(50);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const refs = manualResults.map((r) => r.body.ref);
    expect(new Set(refs).size).toBe(refs.length);
  });
});

describe(`the server killed in the middle of many writes, on ${testDatabase}`, () => {
  it('keeps every report it acknowledged, each with its audit entry, and a chain that still verifies', async () => {
    const server = await ServerProcess.start(tempDir('server'), {
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    try {
      const admin = new ApiClient(server.url);
      await admin.login(adminEmail, password);
      const created = await admin.json('POST', '/api/users', {
        email: 'dsl@school.test',
        displayName: 'The DSL',
        role: 'dsl',
        password,
        temporaryPassword: false,
      });
      expect(created.status).toBe(201);
      const dsl = new ApiClient(server.url);
      await dsl.login('dsl@school.test', password);
      await dsl.enrolSecondFactor();

      // 80 reports in flight; the server is killed (SIGKILL: no shutdown, open transactions
      // cut off) once the first ten have been acknowledged.
      const acknowledged: string[] = [];
      const inFlight = Array.from({ length: 80 }, (_, i) =>
        dsl
          .json<Incident>('POST', '/api/incidents', { summary: `Report ${i}`, category: 'other' })
          .then((r) => {
            if (r.status === 201) acknowledged.push(r.body.id);
          })
          .catch(() => undefined),
      );
      await waitFor(() => acknowledged.length >= 10, { what: 'ten reports acknowledged' });
      await server.stop('SIGKILL');
      await Promise.all(inFlight);
      const seen = [...acknowledged];
      expect(seen.length).toBeLessThan(80);

      await server.start();
      const after = new ApiClient(server.url);
      await after.login(adminEmail, password);
      expect((await after.json<AuditVerify>('GET', '/api/audit/verify')).body).toMatchObject({ ok: true });
      const incidents = await outsideQueryIn<{ id: string; seq: number }>(
        server.dataDir,
        'select id, seq from incidents order by seq',
      );
      for (const id of seen) expect(incidents.map((r) => r.id)).toContain(id);
      expect(incidents.map((r) => Number(r.seq))).toEqual(incidents.map((_, i) => i + 1));
      // Nothing half-written: each stored incident has exactly its one creation entry.
      const entries = await outsideQueryIn<{ subject: string }>(
        server.dataDir,
        "select subject from audit_log where action = 'incident.create'",
      );
      expect(entries.map((e) => e.subject).sort()).toEqual(incidents.map((r) => r.id).sort());
    } finally {
      await server.stop();
    }
  });
});

describe(`closing the server with computers connected, on ${testDatabase}`, () => {
  it('writes their last contact before it closes the database, and logs no failure', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const dataDir = tempDir('server');
    const server = await startHarbour(
      {
        ...(await storageFor(dataDir)),
        port: 0,
        host: '127.0.0.1',
        logLevel: 'info',
        loginRateLimit: 1000,
        enrolRateLimit: 1000,
        bootstrapAdmin: { email: adminEmail, password },
      },
      { logger },
    );
    const admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    const room = await admin.createRoom('ICT Suite');
    const connectedDevices: TestDevice[] = [];
    for (const n of [1, 2, 3])
      connectedDevices.push(await enrolTestDevice(server.url, admin, room.id, `ICT-0${n}`));
    await server.close();
    for (const d of connectedDevices) d.socket.disconnect();
    const failures = lines.filter((l) => l.level >= 50);
    expect(failures.map((l) => l.msg)).toEqual([]);
  });
});
