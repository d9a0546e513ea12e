import os from 'node:os';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import { ApiClient } from '../support/api.js';
import { outsideQueryIn } from '../support/database.js';
import { adminEmail, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

let server: ServerProcess;
let admin: ApiClient;
let roomId: string;
const agents: AgentProcess[] = [];

function startAgent(args: { token?: string; dataDir: string; name?: string }): AgentProcess {
  const agent = new AgentProcess({ server: server.url, ...args });
  agents.push(agent);
  return agent;
}

const deviceNamed = async (name: string) => (await admin.devices(roomId)).find((d) => d.hostname === name);

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('server'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  roomId = (await admin.createRoom('ICT Suite')).id;
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await server.stop();
});

describe('a real agent process', () => {
  it('enrols once, comes online with the signed-in user, and reuses its credential', async () => {
    const { token } = await admin.createToken(roomId);
    const dataDir = tempDir('agent');
    const first = startAgent({ token, dataDir, name: 'ICT-01' });
    const online = await waitFor(
      async () => {
        const d = await deviceNamed('ICT-01');
        return d?.online && d.user ? d : undefined;
      },
      { what: 'ICT-01 online' },
    );
    expect(online.user).toBe(os.userInfo().username);
    await first.kill('SIGTERM');

    // Second start: no token, same device.
    startAgent({ dataDir, name: 'ICT-01' });
    await waitFor(async () => (await deviceNamed('ICT-01'))?.online, { what: 'ICT-01 back online' });
    const all = (await admin.devices(roomId)).filter((d) => d.hostname === 'ICT-01');
    expect(all).toHaveLength(1);
    expect(all[0]?.id).toBe(online.id);
  });

  it('goes offline as soon as it is killed', async () => {
    const { token } = await admin.createToken(roomId);
    const agent = startAgent({ token, dataDir: tempDir('agent'), name: 'ICT-02' });
    await waitFor(async () => (await deviceNamed('ICT-02'))?.online, { what: 'ICT-02 online' });
    const killedAt = Date.now();
    await agent.kill('SIGKILL');
    await waitFor(async () => (await deviceNamed('ICT-02'))?.online === false, { what: 'ICT-02 offline' });
    expect(Date.now() - killedAt).toBeLessThan(5000);
  });

  it('comes back by itself after the server restarts and after it crashes', async () => {
    const { token } = await admin.createToken(roomId);
    startAgent({ token, dataDir: tempDir('agent'), name: 'ICT-03' });
    await waitFor(async () => (await deviceNamed('ICT-03'))?.online, { what: 'ICT-03 online' });

    await server.restart('SIGTERM');
    await admin.login(adminEmail, password);
    await waitFor(async () => (await deviceNamed('ICT-03'))?.online, {
      timeoutMs: 20_000,
      what: 'back after restart',
    });

    await server.restart('SIGKILL');
    await waitFor(async () => (await deviceNamed('ICT-03'))?.online, {
      timeoutMs: 20_000,
      what: 'back after crash',
    });
  });

  it('a revoked agent stops with a clear message', async () => {
    const { token } = await admin.createToken(roomId);
    const agent = startAgent({ token, dataDir: tempDir('agent'), name: 'ICT-04' });
    const device = await waitFor(async () => {
      const d = await deviceNamed('ICT-04');
      return d?.online ? d : undefined;
    });
    await admin.request('POST', `/api/devices/${device.id}/revoke`);
    expect(await agent.exited()).toBe(3);
    expect(agent.output).toMatch(/revoked/);
  });
});

describe('the agent command line', () => {
  it('refuses a missing --server', async () => {
    const agent = new AgentProcess({ server: '', dataDir: tempDir('agent') });
    expect(await agent.exited()).toBe(2);
    expect(agent.output).toMatch(/--server is required/);
  });

  it('refuses a --server that is not an http(s) URL', async () => {
    const agent = new AgentProcess({ server: 'ftp://harbour', dataDir: tempDir('agent') });
    expect(await agent.exited()).toBe(2);
    expect(agent.output).toMatch(/--server must be an http/);
  });

  it('refuses a bad token without retrying forever', async () => {
    const agent = startAgent({ token: 'het_bogus', dataDir: tempDir('agent') });
    expect(await agent.exited()).toBe(3);
    expect(agent.output).toMatch(/not recognised/);
  });

  it('refuses to start unenrolled without a token', async () => {
    const agent = startAgent({ dataDir: tempDir('agent') });
    expect(await agent.exited()).toBe(3);
    expect(agent.output).toMatch(/not enrolled yet/);
  });
});

describe('the outbox', () => {
  it('delivers events queued while the server was down, each stored exactly once, across a server crash', async () => {
    const { token } = await admin.createToken(roomId);
    const agent = new HarbourAgent(
      {
        serverUrl: server.url,
        dataDir: tempDir('core'),
        agentVersion: '0.1.0',
        enrolmentToken: token,
        deviceName: 'ICT-05',
      },
      { probes: platformProbes(), logger: pino({ level: 'silent' }) },
    );
    const credentials = await agent.start();
    await waitFor(() => agent.status === 'online' && agent.outbox.size() === 0, { what: 'initial flush' });

    await server.stop('SIGKILL');
    await waitFor(() => agent.status === 'offline', { what: 'agent notices' });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(agent.outbox.enqueue({ type: 'session.started', user: { username: `pupil${i}` } }).id);
    }
    expect(agent.outbox.size()).toBe(50);

    await server.start();
    await waitFor(() => agent.outbox.size() === 0, { timeoutMs: 30_000, what: 'outbox drained' });
    await agent.stop();

    // Read the stored events through another connection to the database the server wrote.
    const rows = await outsideQueryIn<{ event_id: string }>(
      server.dataDir,
      'select event_id from agent_events where device_id = ?',
      credentials.deviceId,
    );
    const stored = rows.map((r) => r.event_id);
    for (const id of ids) expect(stored.filter((s) => s === id)).toHaveLength(1);
  });
});
