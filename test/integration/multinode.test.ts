/**
 * Two real server processes (the built dashboard/dist/server/main.js) on ONE PostgreSQL
 * database, as a trust runs Harbour behind a load balancer (issue 18, item 3), joined twice
 * over: through one Redis (REDIS_URL), then through that PostgreSQL alone (HARBOUR_CLUSTER=
 * postgres, no Redis running at all). What one node knows live must be known on the other: who
 * is online, revocations, alerts, scheduled work done once, and a node killed outright hands its
 * agents to the other with nothing lost. Runs in the integration-pg project only (it needs the
 * run's PostgreSQL).
 */
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { TellAlert } from '@harbour/shared';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, staffClients, type Caller } from '../support/harbour.js';
import { serverMain, tempDir } from '../support/paths.js';
import { createDatabase, psql } from '../support/postgres.js';
import { freePort, ServerProcess } from '../support/processes.js';
import { startRedis, tcpProxy, type TestRedis } from '../support/redis.js';
import { agentSocket, connected, dashboardSocket, type DashboardSocket } from '../support/sockets.js';
import { enrolTestDevice, sendEvent, tellBody, type TestDevice } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

type Joined = 'redis' | 'postgres';
let redis: TestRedis | undefined;
let databaseUrl: string;
let evidenceDir: string;
let nodeA: ServerProcess;
let nodeB: ServerProcess;
/** Signed in on node B (sessions are in the shared database, so they work on either). */
let onB: Record<Caller, ApiClient>;
let teacherOther: ApiClient;
let roomA: string;
let roomOther: string;
const sockets: { close(): void }[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

const nodeEnv = (joined: Joined) => ({
  DATABASE_URL: databaseUrl,
  ...(joined === 'redis' ? { REDIS_URL: redis!.url } : { HARBOUR_CLUSTER: 'postgres' }),
  // Shared storage for evidence: one directory both nodes use.
  EVIDENCE_DIR: evidenceDir,
  LOG_LEVEL: 'info',
  // Sign-ins an address may try per account a minute (the test processes' default is higher).
  HARBOUR_LOGIN_RATE_LIMIT: String(signInAllowance),
  HARBOUR_ADMIN_EMAIL: adminEmail,
  HARBOUR_ADMIN_PASSWORD: password,
});
const signInAllowance = 40;

async function watching(client: ApiClient, url: string, roomId: string): Promise<DashboardSocket> {
  const socket = await connected(dashboardSocket(url, client.cookieHeader));
  sockets.push(socket);
  const ack = await socket.emitWithAck('room:watch', { roomId });
  if (!ack.ok) throw new Error(`room:watch refused: ${ack.error.message}`);
  return socket;
}

const deviceOnB = async (id: string) => (await onB.admin.devices(roomA)).find((d) => d.id === id);

describe.each(['redis', 'postgres'] as const)('two nodes on one PostgreSQL, joined over %s', (joined) => {
  beforeAll(async () => {
    redis = joined === 'redis' ? await startRedis() : undefined;
    databaseUrl = await createDatabase(inject('postgresAdminUrl'));
    evidenceDir = tempDir('shared-evidence');
    // A first (it runs the migrations and makes the first administrator), then B beside it.
    const env = nodeEnv(joined);
    nodeA = await ServerProcess.start(tempDir('node-a'), env);
    nodeB = await ServerProcess.start(tempDir('node-b'), env);
    onB = await staffClients({ url: nodeB.url } as Harbour);
    roomA = (await onB.admin.createRoom('Class 3')).id;
    roomOther = (await onB.admin.createRoom('Class 5')).id;
    const r = await onB.admin.json('POST', '/api/users', {
      email: 'teacher5@school.test',
      displayName: 'Teacher of Class 5',
      role: 'teacher',
      password,
      temporaryPassword: false,
    });
    expect(r.status).toBe(201);
    teacherOther = new ApiClient(nodeB.url);
    await teacherOther.login('teacher5@school.test', password);
    const me = await onB.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
    const other = await teacherOther.json<{ user: { id: string } }>('GET', '/api/auth/me');
    for (const [room, id] of [
      [roomA, me.body.user.id],
      [roomOther, other.body.user.id],
    ] as const) {
      expect((await onB.admin.json('PUT', `/api/rooms/${room}/staff`, { userIds: [id] })).status).toBe(200);
    }
  });

  afterAll(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const c of cleanups.splice(0)) await c();
    await nodeA?.stop();
    await nodeB?.stop();
    await redis?.stop();
  });

  let device: TestDevice;

  it('an agent connected to node A shows online on a dashboard connected to node B', async () => {
    const live = await watching(onB.teacher, nodeB.url, roomA);
    const changes: { id: string; online: boolean }[] = [];
    live.on('device:changed', (d) => changes.push(d));
    device = await enrolTestDevice(nodeA.url, onB.admin, roomA, 'CLASS3-01');
    sockets.push(device.socket);
    await waitFor(() => changes.some((d) => d.id === device.deviceId && d.online), {
      timeoutMs: 5_000,
      what: "node B's live view to show the device online",
    });
    expect((await deviceOnB(device.deviceId))?.online).toBe(true);
    const overview = await onB.teacher.json<{ rooms: { id: string; online: number }[] }>(
      'GET',
      '/api/rooms/overview',
    );
    if (overview.status === 200) expect(overview.body.rooms.find((r) => r.id === roomA)?.online).toBe(1);
  });

  it('a tell on node A alerts the DSL and the room’s teacher on node B, and not a teacher of another room', async () => {
    const dsl = await connected(dashboardSocket(nodeB.url, onB.dsl.cookieHeader));
    sockets.push(dsl);
    const teacher = await watching(onB.teacher, nodeB.url, roomA);
    const other = await watching(teacherOther, nodeB.url, roomOther);
    // The live-scope rules hold on every node: another room's teacher cannot watch this one from B.
    const peek = await (
      await connected(dashboardSocket(nodeB.url, teacherOther.cookieHeader))
    ).emitWithAck('room:watch', { roomId: roomA });
    expect(peek.ok).toBe(false);
    const got: Record<string, TellAlert[]> = { dsl: [], teacher: [], other: [] };
    dsl.on('tell:alert', (a) => got.dsl!.push(a));
    teacher.on('tell:alert', (a) => got.teacher!.push(a));
    other.on('tell:alert', (a) => got.other!.push(a));
    const body = tellBody();
    const ack = await sendEvent(device, body);
    expect(ack.ok).toBe(true);
    await waitFor(() => got.dsl!.some((a) => a.tellId === body.tellId), {
      timeoutMs: 5_000,
      what: 'the DSL on node B to be alerted',
    });
    await waitFor(() => got.teacher!.some((a) => a.tellId === body.tellId), {
      timeoutMs: 5_000,
      what: "the room's teacher on node B to be alerted",
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(got.other).toEqual([]);
  });

  it('live scope holds across nodes: a room’s activity reaches its teacher on B only while assigned, never another room’s', async () => {
    const teacherId = (await onB.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
    const own = await connected(dashboardSocket(nodeB.url, onB.teacher.cookieHeader));
    const stranger = await connected(dashboardSocket(nodeB.url, teacherOther.cookieHeader));
    sockets.push(own, stranger);
    expect((await own.emitWithAck('activity:watch', { roomId: roomA })).ok).toBe(true);
    expect((await stranger.emitWithAck('activity:watch', { roomId: roomA })).ok).toBe(false);
    const seen: Record<'own' | 'stranger', string[]> = { own: [], stranger: [] };
    own.on('activity:changes', ({ changes }) => {
      for (const a of changes) if (a.title) seen.own.push(a.title);
    });
    stranger.on('activity:changes', ({ changes }) => {
      for (const a of changes) if (a.title) seen.stranger.push(a.title);
    });
    const show = (title: string) =>
      sendEvent(device, {
        type: 'activity.changed',
        state: 'active',
        user: { username: 'pupil7' },
        window: {
          app: 'Chromium',
          title,
          exePath: null,
          url: 'https://example.org/',
          domain: 'example.org',
          private: false,
        },
      });
    expect((await show('Spelling')).ok).toBe(true);
    await waitFor(() => seen.own.includes('Spelling'), {
      timeoutMs: 5_000,
      what: 'the teacher on B to see it',
    });
    // Taken off the room: the next push from node A must not reach them on node B.
    expect((await onB.admin.json('PUT', `/api/rooms/${roomA}/staff`, { userIds: [] })).status).toBe(200);
    expect((await show('Maths')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen.own).not.toContain('Maths');
    expect(seen.stranger).toEqual([]);
    expect((await onB.admin.json('PUT', `/api/rooms/${roomA}/staff`, { userIds: [teacherId] })).status).toBe(
      200,
    );
  });

  it('revoking from node B disconnects the agent from node A within a second, and node B refuses it', async () => {
    const gone = new Promise<number>((resolve) =>
      device.socket.once('disconnect', () => resolve(Date.now())),
    );
    const revoked = await onB.technician.json('POST', `/api/devices/${device.deviceId}/revoke`);
    expect(revoked.status).toBe(200);
    const answeredAt = Date.now();
    const at = await Promise.race([gone, new Promise<number>((r) => setTimeout(() => r(-1), 1_000))]);
    expect(at, 'the agent on node A was still connected a second after the revocation').not.toBe(-1);
    expect(at - answeredAt).toBeLessThan(1_000);
    // The revoked device tries the other node.
    await expect(
      connected(
        agentSocket(nodeB.url, {
          deviceId: device.deviceId,
          credential: device.credential,
          agentVersion: '0.1.0',
        }),
      ),
    ).rejects.toThrow();
  });

  it('the retention run at start happens on one node only', async () => {
    const runs = () => (nodeA.output + nodeB.output).split('\n').filter((l) => l.includes('"retention run"'));
    await waitFor(() => runs().length >= 1, { timeoutMs: 5_000, what: 'a retention run' });
    expect(runs()).toHaveLength(1);
  });

  it('sign-in attempts from one address are counted once for both nodes, not once per node', async () => {
    // Counted in fixed one-minute windows: start well inside one so the count cannot reset midway.
    while (Date.now() % 60_000 > 45_000) await new Promise((r) => setTimeout(r, 1000));
    const attempt = (url: string) =>
      fetch(new URL('/api/auth/login', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'guess@school.test', password: 'not the password at all' }),
      }).then((r) => r.status);
    // The allowance is for an address and account, whichever node answers.
    for (let i = 0; i < signInAllowance; i++)
      expect(await attempt(i % 2 === 0 ? nodeA.url : nodeB.url)).toBe(401);
    expect(await attempt(nodeA.url)).toBe(429);
    expect(await attempt(nodeB.url)).toBe(429);
    // Another account from the same address has its own allowance.
    expect(
      (
        await fetch(new URL('/api/auth/login', nodeB.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'other@school.test', password: 'not the password at all' }),
        })
      ).status,
    ).toBe(401);
  });

  it('wrong PINs typed through node A lock the computer out on node B too', async () => {
    expect((await onB.dsl.json('PUT', '/api/safeguarding/staff-pin', { pin: '482913' })).status).toBe(200);
    const pupil = await enrolTestDevice(nodeA.url, onB.admin, roomA, 'CLASS3-05');
    sockets.push(pupil.socket);
    const body = tellBody();
    expect((await sendEvent(pupil, body)).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect(
        await pupil.socket.emitWithAck('agent:tell-release', { tellId: body.tellId, pin: `00000${i}` }),
      ).toMatchObject({ ok: true, data: { released: false, message: /not right/ } });
    }
    const sameComputerOnB = await connected(
      agentSocket(nodeB.url, {
        deviceId: pupil.deviceId,
        credential: pupil.credential,
        agentVersion: '0.1.0',
      }),
    );
    sockets.push(sameComputerOnB);
    expect(
      await sameComputerOnB.emitWithAck('agent:tell-release', { tellId: body.tellId, pin: '482913' }),
    ).toMatchObject({ ok: true, data: { released: false, message: /Too many wrong PINs/ } });
  });

  it('killing node A moves its agents to node B with nothing lost; a device left on A goes offline', async () => {
    const proxy = await tcpProxy(Number(new URL(nodeA.url).port));
    cleanups.push(() => proxy.close());
    const { token } = await onB.admin.createToken(roomA);
    const agent = new HarbourAgent(
      {
        serverUrl: proxy.url,
        dataDir: tempDir('agent'),
        agentVersion: '0.1.0',
        enrolmentToken: token,
        deviceName: 'CLASS3-02',
      },
      { probes: platformProbes(), logger: pino({ level: 'silent' }) },
    );
    cleanups.push(() => agent.stop());
    const credentials = await agent.start();
    await waitFor(() => agent.status === 'online' && agent.outbox.size() === 0, { what: 'initial flush' });
    // A second device talks to node A directly, with nobody to move it.
    const stranded = await enrolTestDevice(nodeA.url, onB.admin, roomA, 'CLASS3-03');
    sockets.push(stranded.socket);
    await waitFor(async () => (await deviceOnB(stranded.deviceId))?.online, { what: 'stranded online' });

    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      ids.push(agent.outbox.enqueue({ type: 'session.started', user: { username: `pupil${i}` } }).id);
    }
    await nodeA.stop('SIGKILL');
    proxy.target(Number(new URL(nodeB.url).port));
    await waitFor(() => agent.outbox.size() === 0 && agent.status === 'online', {
      timeoutMs: 30_000,
      what: 'the agent to reconnect to node B and drain its outbox',
    });
    await waitFor(async () => (await deviceOnB(credentials.deviceId))?.online, {
      what: 'moved agent online',
    });
    const rows = await psql<{ event_id: string }>(
      databaseUrl,
      'select event_id from agent_events where device_id = $1',
      [credentials.deviceId],
    );
    const stored = rows.map((r) => r.event_id);
    for (const id of ids) expect(stored.filter((s) => s === id)).toHaveLength(1);
    // Node A's presence expires with it: its devices do not stay "online" forever.
    await waitFor(async () => (await deviceOnB(stranded.deviceId))?.online === false, {
      timeoutMs: 25_000,
      what: 'the device stranded on the dead node to go offline',
    });
  });

  it.runIf(joined === 'redis')(
    'Redis restarting under running nodes: they keep serving, reconnect, and pushes cross nodes again',
    async () => {
      const redis_ = redis!;
      await nodeA.start();
      await redis_.stop('SIGKILL');
      // Still serving while Redis is away.
      expect((await fetch(`${nodeB.url}/api/health`)).ok).toBe(true);
      expect((await onB.admin.json('GET', '/api/rooms')).status).toBe(200);
      await redis_.start();
      // Presence is made good from each node's own connections, and pushes cross nodes again.
      const live = await watching(onB.teacher, nodeB.url, roomA);
      const changes: { id: string; online: boolean }[] = [];
      live.on('device:changed', (d) => changes.push(d));
      const fresh = await enrolTestDevice(nodeA.url, onB.admin, roomA, 'CLASS3-04');
      sockets.push(fresh.socket);
      await waitFor(async () => (await deviceOnB(fresh.deviceId))?.online, {
        timeoutMs: 15_000,
        what: 'the device on node A to show online on node B after Redis came back',
      });
      await waitFor(
        async () => {
          // Each reconnection is a push from node A; one must reach node B's live view.
          fresh.socket.disconnect();
          fresh.socket.connect();
          await new Promise((r) => setTimeout(r, 500));
          return changes.some((d) => d.id === fresh.deviceId && d.online);
        },
        { timeoutMs: 20_000, what: "node A's pushes to reach node B again" },
      );
      expect(nodeA.output).not.toMatch(/Harbour failed|uncaught|unhandled/i);
      expect(nodeB.output).not.toMatch(/Harbour failed|uncaught|unhandled/i);
    },
  );

  it.runIf(joined === 'redis')(
    'a node whose Redis cannot be reached at start says so and exits, instead of running half-joined',
    async () => {
      const closed = await freePort();
      const run = spawnSync(process.execPath, [serverMain], {
        env: {
          ...process.env,
          ...nodeEnv(joined),
          REDIS_URL: `redis://:hunter2@127.0.0.1:${closed}`,
          PORT: '0',
          DATA_DIR: tempDir('node-c'),
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? \(REDIS_URL\)/);
      expect(run.stderr).not.toContain('hunter2');
    },
  );

  it.runIf(joined === 'postgres')(
    'PostgreSQL dropping every connection under running nodes: they keep serving, listen again, and pushes cross nodes again',
    async () => {
      await nodeA.start();
      const live = await watching(onB.teacher, nodeB.url, roomA);
      const changes: { id: string; online: boolean }[] = [];
      live.on('device:changed', (d) => changes.push(d));
      // What a PostgreSQL restart does to each node's connections, without stopping the
      // cluster other test files share: every connection to this database is ended, the
      // adapters' LISTEN connections among them.
      const dropped = await psql<{ pid: number }>(
        inject('postgresAdminUrl'),
        `select pg_terminate_backend(pid) as pid from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()`,
        [new URL(databaseUrl).pathname.slice(1)],
      );
      expect(dropped.length).toBeGreaterThan(0);
      await waitFor(async () => (await fetch(`${nodeB.url}/api/health`)).ok, { what: 'node B to serve' });
      await waitFor(async () => (await onB.admin.json('GET', '/api/rooms')).status === 200, {
        what: 'node B to answer from the database again',
      });
      const fresh = await enrolTestDevice(nodeA.url, onB.admin, roomA, 'CLASS3-04');
      sockets.push(fresh.socket);
      await waitFor(async () => (await deviceOnB(fresh.deviceId))?.online, {
        timeoutMs: 15_000,
        what: 'the device on node A to show online on node B after the connections were dropped',
      });
      await waitFor(
        async () => {
          // Each reconnection is a push from node A; one must reach node B's live view.
          fresh.socket.disconnect();
          fresh.socket.connect();
          await new Promise((r) => setTimeout(r, 500));
          return changes.some((d) => d.id === fresh.deviceId && d.online);
        },
        { timeoutMs: 20_000, what: "node A's pushes to reach node B again" },
      );
      expect(nodeA.output).not.toMatch(/Harbour failed|uncaught|unhandled/i);
      expect(nodeB.output).not.toMatch(/Harbour failed|uncaught|unhandled/i);
    },
  );
});
