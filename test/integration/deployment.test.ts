// Deployment end to end on Linux: the install-time writer installs into a temporary
// root, the real headless agent is started the way the desktop session starts it (the
// Exec line of the XDG autostart entry), reads its settings from the files written
// there, enrols with the real server and shows up in the inventory. Bad settings, an
// unreachable server and an expired token are each reported clearly without crashing
// the agent. Uninstalling removes everything the install wrote.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryDevice } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { outsideQueryIn } from '../support/database.js';
import { adminEmail, password } from '../support/harbour.js';
import { agentCli, repoRoot, tempDir } from '../support/paths.js';
import { freePort, ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const installCli = path.join(repoRoot, 'agent/dist/install-cli.js');

let server: ServerProcess;
let admin: ApiClient;
let roomId: string;
const running: { proc: ChildProcess; output: string[] }[] = [];

function start(command: string, args: string[]) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const tracked = { proc, output, text: () => output.join('') };
  running.push(tracked);
  return tracked;
}

/** The agent's JSON log lines. */
function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function install(root: string, ...args: string[]) {
  return spawnSync(process.execPath, [installCli, ...args, '--platform', 'linux', '--root', root], {
    encoding: 'utf8',
  });
}

/** Every file under a folder, relative to it. */
function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function inventoryDevice(name: string): Promise<InventoryDevice | undefined> {
  const { body } = await admin.json<{ devices: InventoryDevice[] }>('GET', '/api/devices');
  return body.devices.find((d) => d.hostname === name);
}

beforeAll(async () => {
  server = await ServerProcess.start(tempDir('deploy-server'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
  roomId = (await admin.createRoom('Year 5 Willow')).id;
});

afterAll(async () => {
  for (const { proc } of running) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
  }
  await server.stop();
});

describe('installing on Linux into a temporary root', () => {
  it('writes the files, and the machine service started as its unit says enrols from them; uninstall removes them all', async () => {
    const { token } = await admin.createToken(roomId);
    const root = tempDir('deploy-root');
    const installDir = path.join(root, 'opt/Harbour');
    const result = install(
      root,
      'install',
      '--install-dir',
      installDir,
      '--server',
      server.url,
      '--token',
      token,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(token); // the token is never printed
    const written = files(root);
    expect(written).toEqual([
      'etc/chromium/native-messaging-hosts/uk.harbour.agent.json',
      'etc/chromium/policies/managed/harbour.json',
      'etc/harbour/config.json',
      'etc/harbour/install-record.json',
      'etc/opt/chrome/native-messaging-hosts/uk.harbour.agent.json',
      'etc/opt/chrome/policies/managed/harbour.json',
      'etc/opt/edge/native-messaging-hosts/uk.harbour.agent.json',
      'etc/opt/edge/policies/managed/harbour.json',
      // The machine service (issue 12): one per computer, started by systemd.
      'etc/systemd/system/harbour-agent.service',
      'etc/xdg/autostart/harbour.desktop',
    ]);

    // The machine service's command, as the deb installs it; here the headless agent's CLI
    // stands in for the packaged executable, reading its settings from the temporary root.
    const unit = fs.readFileSync(path.join(root, 'etc/systemd/system/harbour-agent.service'), 'utf8');
    const execStart = (/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '').split(' ');
    const executable = path.join(installDir, 'resources/harbour-agent');
    expect(execStart).toEqual([executable, 'service', '--aup', 'on', '--help-badge']);
    expect(unit).toMatch(/^KillMode=process$/m); // a service restart leaves the pupils' screens covered
    // Every user's logon starts the session helper, which holds no credential.
    const desktop = fs.readFileSync(path.join(root, 'etc/xdg/autostart/harbour.desktop'), 'utf8');
    expect(/^Exec=(.*)$/m.exec(desktop)?.[1]).toBe(`${executable} session`);
    fs.mkdirSync(path.dirname(executable), { recursive: true });
    fs.writeFileSync(
      executable,
      `#!/bin/sh\nexec "${process.execPath}" "${agentCli}" "$@" --root "${root}" --data-dir "${root}/var/lib/agent" --socket "${root}/run/harbour.sock" --name DEPLOY-01 --aup off --activity off\n`,
      { mode: 0o755 },
    );
    const agent = start(executable, execStart.slice(1));

    const device = await waitFor(
      async () => {
        const d = await inventoryDevice('DEPLOY-01');
        return d?.online ? d : undefined;
      },
      { timeoutMs: 20_000, what: 'DEPLOY-01 online' },
    );
    // The stable inventory interface. The installed settings are good: no settings problems
    // (other features may report theirs, e.g. activity on a machine without a display).
    expect(device).toMatchObject({ roomId, agentVersion: expect.any(String) as string });
    expect(device.health.filter((h) => h.code.startsWith('config.'))).toEqual([]);
    for (const key of ['hostname', 'serial', 'os', 'agentVersion', 'roomId', 'lastSeen', 'health']) {
      expect(device).toHaveProperty(key);
    }
    const loaded = logLines(agent.text()).find((l) => l.msg === 'settings loaded') as {
      origin: Record<string, string>;
    };
    expect(loaded.origin.serverUrl).toBe(`config file (${root}/etc/harbour/config.json)`);
    expect(loaded.origin.enrolmentToken).toBe(`config file (${root}/etc/harbour/config.json)`);
    agent.proc.kill('SIGTERM');
    await new Promise((r) => agent.proc.once('exit', r));

    const removed = install(root, 'uninstall');
    expect(removed.status).toBe(0);
    // Only what the test itself made is left: the stand-in app and the agent's data.
    expect(files(root).filter((f) => !f.startsWith('opt/') && !f.startsWith('var/'))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'etc'))).toBe(false);
  });

  it('refuses bad installer input and writes nothing', () => {
    const root = tempDir('deploy-bad');
    const result = install(root, 'install', '--server', 'harbour.school.local', '--token', 'het_x');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/serverUrl must be an http:\/\/ or https:\/\/ URL.*Nothing was installed/);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('bad settings, an unreachable server and an expired token', () => {
  it('a config file with unknown keys and wrong types, and a policy file that is not JSON: logged, in the tray text and in the dashboard, and the agent runs', async () => {
    const { token } = await admin.createToken(roomId);
    const root = tempDir('deploy-badconfig');
    fs.mkdirSync(path.join(root, 'etc/harbour'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc/harbour/config.json'),
      JSON.stringify({
        serverUrl: server.url,
        enrolmentToken: token,
        heartbeatSeconds: 'often',
        colour: '<b>blue</b>',
      }),
    );
    fs.writeFileSync(path.join(root, 'etc/harbour/policy.json'), '{ "logLevel": "debug", ');
    const dataDir = path.join(root, 'agent-data');
    const agent = start(process.execPath, [
      agentCli,
      '--root',
      root,
      '--data-dir',
      dataDir,
      '--name',
      'BADCONFIG-01',
    ]);

    // Settings problems only: other features report theirs too (e.g. activity without a display).
    const settingsProblems = (d: { health: { code: string }[] }) =>
      d.health.filter((h) => h.code.startsWith('config.'));
    const device = await waitFor(
      async () => {
        const d = await inventoryDevice('BADCONFIG-01');
        return d?.online && settingsProblems(d).length === 3 ? d : undefined;
      },
      { timeoutMs: 20_000, what: 'BADCONFIG-01 online with its problems reported' },
    );
    expect(
      settingsProblems(device)
        .map((h) => h.code)
        .sort(),
    ).toEqual(['config.bad_json', 'config.invalid.heartbeatSeconds', 'config.unknown_key.colour']);
    expect(device.health.every((h) => h.source === 'agent' && h.since !== null)).toBe(true);
    expect(device.health.find((h) => h.code === 'config.invalid.heartbeatSeconds')?.message).toMatch(
      /heartbeatSeconds must be a whole number \(got "often"\); using the default/,
    );

    const lines = logLines(agent.text());
    const warnings = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warnings.some((m) => /policy\.json\) is not valid JSON and was ignored/.test(m))).toBe(true);
    expect(warnings.some((m) => /unknown setting "colour" was ignored/.test(m))).toBe(true);
    const online = lines.find((l) => l.msg === 'agent status' && l.status === 'online') as { text: string };
    expect(online.text).toMatch(/^Harbour: Connected\. .*\n3 settings problems; see the agent log\. First: /);

    // Fixed by the technician: at the next start the problems clear in the dashboard.
    agent.proc.kill('SIGTERM');
    await new Promise((r) => agent.proc.once('exit', r));
    fs.writeFileSync(path.join(root, 'etc/harbour/config.json'), JSON.stringify({ serverUrl: server.url }));
    fs.rmSync(path.join(root, 'etc/harbour/policy.json'));
    start(process.execPath, [agentCli, '--root', root, '--data-dir', dataDir, '--name', 'BADCONFIG-01']);
    await waitFor(
      async () => {
        const d = await inventoryDevice('BADCONFIG-01');
        return d?.online === true && settingsProblems(d).length === 0;
      },
      { timeoutMs: 20_000, what: 'problems cleared' },
    );
  });

  it('an unreachable server URL: the agent keeps running and says it cannot reach the server', async () => {
    const root = tempDir('deploy-unreachable');
    const port = await freePort();
    fs.mkdirSync(path.join(root, 'etc/harbour'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc/harbour/config.json'),
      JSON.stringify({ serverUrl: `http://127.0.0.1:${port}`, enrolmentToken: 'het_whatever' }),
    );
    const agent = start(process.execPath, [agentCli, '--root', root, '--data-dir', path.join(root, 'data')]);
    const status = await waitFor(
      () =>
        logLines(agent.text()).find((l) => l.msg === 'agent status' && l.status === 'offline') as
          { text: string } | undefined,
      { timeoutMs: 15_000, what: 'offline status' },
    );
    expect(status.text).toMatch(
      new RegExp(
        `^Harbour: Offline\\. Harbour keeps working and sends reports later\\. \\(cannot reach http://127\\.0\\.0\\.1:${port} to enrol: `,
      ),
    );
    // Still running a few seconds later, retrying.
    await new Promise((r) => setTimeout(r, 3000));
    expect(agent.proc.exitCode).toBeNull();
    expect(agent.text()).toMatch(/cannot reach the server to enrol; will retry/);
  });

  it('an expired enrolment token: a clear refusal naming the reason, not a crash', async () => {
    const { id, token } = await admin.createToken(roomId);
    await outsideQueryIn(
      server.dataDir,
      'update enrolment_tokens set expires_at = ? where id = ?',
      '2020-01-01T00:00:00.000Z',
      id,
    );
    const root = tempDir('deploy-expired');
    fs.mkdirSync(path.join(root, 'etc/harbour'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc/harbour/config.json'),
      JSON.stringify({ serverUrl: server.url, enrolmentToken: token }),
    );
    const agent = start(process.execPath, [agentCli, '--root', root, '--data-dir', path.join(root, 'data')]);
    const code = await new Promise((r) => agent.proc.once('exit', r));
    expect(code).toBe(3);
    expect(agent.text()).toMatch(/This enrolment token has expired\./);
    const refused = logLines(agent.text()).find((l) => l.level === 50) as { text: string };
    expect(refused.text).toBe(
      'Harbour: This computer is not enrolled. Ask your technician. (The server refused to enrol this device: This enrolment token has expired.)',
    );
  });
});
