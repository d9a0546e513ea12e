/**
 * Harbour on PostgreSQL as a trust's operators meet it (issue 18, item 2): a wrong
 * DATABASE_URL or a PostgreSQL that is down at start, PostgreSQL restarting under a running
 * server, and yesterday's dump restored by a DBA. Each test has a PostgreSQL cluster of its
 * own (Debian's package, started here), because stopping the run's shared one would fail
 * every other test; they run in the `integration-pg` project, where PostgreSQL is set up.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import { ApiClient } from '../support/api.js';
import { onPostgres } from '../support/database.js';
import { adminEmail, password } from '../support/harbour.js';
import { serverMain, tempDir } from '../support/paths.js';
import {
  createDatabase,
  postgresBinDir,
  psql,
  startPostgresCluster,
  type PostgresCluster,
} from '../support/postgres.js';
import { freePort, ServerProcess } from '../support/processes.js';
import { agentSocket, connected } from '../support/sockets.js';
import { enrolTestDevice, sendEvent } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

/** Starts the built server as `npm start` does and waits for it to exit (it should, at once). */
async function startExpectingFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, [serverMain], {
    env: {
      ...process.env,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: tempDir('fail'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

const noStack = (output: string) => expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe.runIf(onPostgres)('Harbour on PostgreSQL, operated', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = startPostgresCluster(await freePort());
  });
  afterAll(() => cluster.destroy());

  describe('at start', () => {
    it('PostgreSQL not running: names the database it could not reach (not the password), no stack, exit 1', async () => {
      const port = await freePort();
      const r = await startExpectingFailure({
        DATABASE_URL: `postgres://harbour:s3cret-pw@127.0.0.1:${port}/harbour`,
      });
      expect(r.code).toBe(1);
      expect(r.output).toContain(
        `Harbour cannot reach its database at postgres://harbour:***@127.0.0.1:${port}/harbour`,
      );
      expect(r.output).toMatch(/ECONNREFUSED/);
      expect(r.output).not.toContain('s3cret-pw');
      noStack(r.output);
    });

    it('a wrong password or an unknown database: says which, exit 1', async () => {
      const wrong = new URL(cluster.adminUrl);
      wrong.password = 'not-the-password';
      const r = await startExpectingFailure({ DATABASE_URL: wrong.toString() });
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/cannot reach its database at .*: password authentication failed/);
      expect(r.output).not.toContain('not-the-password');
      noStack(r.output);

      const missing = new URL(cluster.adminUrl);
      missing.pathname = '/no_such_database';
      const m = await startExpectingFailure({ DATABASE_URL: missing.toString() });
      expect(m.code).toBe(1);
      expect(m.output).toMatch(/database "no_such_database" does not exist/);
      noStack(m.output);
    });

    it('a DATABASE_URL that is not PostgreSQL: a settings error, exit 1', async () => {
      for (const value of [
        'mysql://harbour@127.0.0.1/harbour',
        'harbour.sqlite',
        'postgres://127.0.0.1:5432',
      ]) {
        const r = await startExpectingFailure({ DATABASE_URL: value });
        expect(r.code, value).toBe(1);
        expect(r.output, value).toMatch(/invalid settings in the environment:\n\s+DATABASE_URL: /);
        noStack(r.output);
      }
    });
  });

  it('two servers starting at once on one empty database migrate it once, and both serve', async () => {
    const databaseUrl = await createDatabase(cluster.adminUrl);
    const [a, b] = await Promise.all([
      ServerProcess.start(tempDir('node-a'), { DATABASE_URL: databaseUrl }),
      ServerProcess.start(tempDir('node-b'), { DATABASE_URL: databaseUrl }),
    ]);
    try {
      for (const s of [a, b]) expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
      const runs = await psql<{ name: string; n: string }>(
        databaseUrl,
        'select name, count(*) as n from kysely_migration group by name',
      );
      expect(runs.length).toBeGreaterThanOrEqual(10);
      expect(runs.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('PostgreSQL restarting under a running server: requests fail cleanly, then recover; the outbox loses nothing', async () => {
    const databaseUrl = await createDatabase(cluster.adminUrl);
    const server = await ServerProcess.start(tempDir('server'), {
      DATABASE_URL: databaseUrl,
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    const agents: HarbourAgent[] = [];
    try {
      const admin = new ApiClient(server.url);
      await admin.login(adminEmail, password);
      const room = await admin.createRoom('ICT Suite');
      const { token } = await admin.createToken(room.id);
      const agent = new HarbourAgent(
        {
          serverUrl: server.url,
          dataDir: tempDir('agent'),
          agentVersion: '0.1.0',
          enrolmentToken: token,
          deviceName: 'ICT-01',
        },
        { probes: platformProbes(), logger: pino({ level: 'silent' }) },
      );
      agents.push(agent);
      const { deviceId } = await agent.start();
      await waitFor(() => agent.status === 'online' && agent.outbox.size() === 0, { what: 'initial flush' });

      cluster.stop('fast');
      // The server stays up and answers, with an error, at once rather than hanging.
      const health = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        error: { code: 'internal', message: 'The database is not answering. Try again in a moment.' },
      });
      const rooms = await admin.request('GET', '/api/rooms');
      expect(rooms.status).toBe(503);

      // A pupil's computer keeps working and queues what it has to send.
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(agent.outbox.enqueue({ type: 'session.started', user: { username: `pupil${i}` } }).id);
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect(agent.outbox.size()).toBeGreaterThan(0);

      cluster.start();
      await waitFor(async () => (await fetch(`${server.url}/api/health`)).ok, {
        timeoutMs: 20_000,
        what: 'health again',
      });
      await waitFor(() => agent.outbox.size() === 0, { timeoutMs: 60_000, what: 'outbox drained' });
      expect((await admin.request('GET', '/api/rooms')).status).toBe(200);

      const rows = await psql<{ event_id: string }>(
        databaseUrl,
        'select event_id from agent_events where device_id = $1',
        [deviceId],
      );
      const stored = rows.map((r) => r.event_id);
      for (const id of ids) expect(stored.filter((s) => s === id)).toHaveLength(1);
      expect(server.output).not.toMatch(/uncaught|unhandled/i);
    } finally {
      for (const a of agents) await a.stop();
      await server.stop();
    }
  });

  it('a DBA restores yesterday’s dump: Harbour runs on it, numbers on from it, and the trail says it was rolled back', async () => {
    const databaseUrl = await createDatabase(cluster.adminUrl);
    const dataDir = tempDir('server');
    const env = {
      DATABASE_URL: databaseUrl,
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    };
    const server = await ServerProcess.start(dataDir, env);
    const admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    const room = await admin.createRoom('Year 6');
    const device = await enrolTestDevice(server.url, admin, room.id, 'Y6-PC-01');
    // A row in a table the database numbers itself (an identity column).
    expect(await sendEvent(device, { type: 'session.started', user: { username: 'pupil1' } })).toMatchObject({
      ok: true,
    });

    // Yesterday's dump, in the plain format a DBA keeps.
    const dump = path.join(cluster.dir, 'yesterday.sql');
    const url = new URL(databaseUrl);
    const pgEnv = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
    const connect = ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', decodeURIComponent(url.username)];
    const dumped = spawnSync(
      path.join(postgresBinDir(), 'pg_dump'),
      [...connect, '--no-owner', '-f', dump, url.pathname.slice(1)],
      {
        env: pgEnv,
        encoding: 'utf8',
      },
    );
    expect(dumped.status, dumped.stderr).toBe(0);

    // Today's work, then the dump is restored over it (into a fresh database, the URL changed).
    await admin.createRoom('Today');
    device.socket.disconnect();
    await server.stop();
    const restoredUrl = await createDatabase(cluster.adminUrl);
    const restored = spawnSync(
      path.join(postgresBinDir(), 'psql'),
      [...connect, '-v', 'ON_ERROR_STOP=1', '-q', '-f', dump, new URL(restoredUrl).pathname.slice(1)],
      { env: pgEnv, encoding: 'utf8' },
    );
    expect(restored.status, restored.stderr).toBe(0);

    const again = await ServerProcess.start(dataDir, { ...env, DATABASE_URL: restoredUrl });
    try {
      const c = new ApiClient(again.url);
      await c.login(adminEmail, password);
      const names = JSON.stringify((await c.json('GET', '/api/rooms')).body);
      expect(names).toContain('Year 6');
      expect(names).not.toContain('Today');
      // Tables the database numbers carry on after the restored rows.
      const back = await connected(
        agentSocket(again.url, {
          deviceId: device.deviceId,
          credential: device.credential,
          agentVersion: '0.1.0',
        }),
      );
      try {
        expect(
          await sendEvent(
            { ...device, socket: back },
            { type: 'session.started', user: { username: 'pupil2' } },
          ),
        ).toMatchObject({
          ok: true,
        });
      } finally {
        back.disconnect();
      }
      const sessions = await psql<{ id: number }>(restoredUrl, 'select id from device_sessions order by id');
      expect(sessions.map((r) => r.id)).toEqual([1, 2]);
      // The audit trail notices: the checkpoints outside the database remember today's entries.
      const verify = await c.json<{ ok: boolean; reason: string }>('GET', '/api/audit/verify');
      expect(verify.body.ok).toBe(false);
      // (Entries written since reuse numbers a checkpoint recorded, or the trail is shorter than one.)
      expect(verify.body.reason).toMatch(
        /is not the entry recorded in the checkpoint|an older copy of the database was put back/,
      );
    } finally {
      await again.stop();
    }
  });
});
