// The machine service as root and session helpers as real OS users (issue 12): one device
// record for the computer, presence naming the user in front, doors that only their own user
// can pass, a data folder no pupil can read, and a killed helper back within 5 seconds with a
// health problem on the dashboard. Linux, as root (CI runs as root); skipped otherwise.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { spawnMachineService, spawnSessionHelper } from '../support/machine.js';
import { adminEmail, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { XDisplay } from '../support/xdisplay.js';

const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
const suffix = String(process.pid).slice(-5);
const users = [`hbpupa${suffix}`, `hbpupb${suffix}`];

let server: ServerProcess;
let admin: ApiClient;
let roomId: string;
let service: ChildProcess;
let serviceLog = '';
let runDir: string;
let enrolToken: string;
let dataDir: string;
const displays: XDisplay[] = [];
const helpers: ChildProcess[] = [];

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function startHelper(user: string, display: XDisplay): ChildProcess {
  const socket = path.join(runDir, 'service.sock');
  const helper = spawnSessionHelper({
    user,
    display: display.display,
    socket,
    onOutput: (chunk) => (serviceLog += chunk),
  });
  helpers.push(helper);
  return helper;
}

/** Tries to connect to `socketPath` as `user`; resolves what happened. */
function connectAs(user: string, socketPath: string): string {
  const script = `require('net').connect(${JSON.stringify(socketPath)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
  return execFileSync('runuser', ['-u', user, '--', process.execPath, '-e', script]).toString().trim();
}

describe.skipIf(!asRoot)('the machine service with two real users', () => {
  beforeAll(async () => {
    for (const user of users) execFileSync('useradd', ['--create-home', user]);
    server = await ServerProcess.start(tempDir('server'), {
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    roomId = (await admin.createRoom('Class 4')).id;
    const { token } = await admin.createToken(roomId);
    enrolToken = token;
    runDir = fs.mkdtempSync('/tmp/harbour-run-');
    fs.chmodSync(runDir, 0o755);
    dataDir = tempDir('service');
    const tokenFile = path.join(tempDir('token'), 'token');
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    service = spawnMachineService({
      serverUrl: server.url,
      tokenFile,
      dataDir,
      socket: path.join(runDir, 'service.sock'),
      // The help badge and its prepared cover: each helper keeps a Chromium, whose command line is checked too.
      args: ['--activity', 'off', '--help-badge', '--log-level', 'info'],
      onOutput: (chunk) => (serviceLog += chunk),
    });
    await waitFor(() => serviceLog.includes('service running'), {
      timeoutMs: 30_000,
      what: 'the service to start',
    });
    for (let i = 0; i < users.length; i++) displays.push(await XDisplay.start('800x600'));
  }, 120_000);

  afterAll(async () => {
    for (const h of helpers) h.kill('SIGKILL');
    service?.kill('SIGTERM');
    for (const user of users) {
      try {
        execFileSync('pkill', ['-KILL', '-u', user]);
      } catch {
        // nothing of theirs left
      }
    }
    for (const d of displays) await d.stop();
    await server?.stop();
    for (const user of users) {
      try {
        execFileSync('userdel', ['--remove', user], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }, 60_000);

  it('is one device, with each user in turn; no pupil reads its data or passes another door', async () => {
    const [a, b] = users as [string, string];
    startHelper(a, displays[0]!);
    await waitFor(async () => (await admin.devices(roomId)).some((d) => d.user === a), {
      timeoutMs: 30_000,
      what: `presence to name ${a}`,
    });
    startHelper(b, displays[1]!);
    await waitFor(async () => (await admin.devices(roomId)).some((d) => d.user === b), {
      timeoutMs: 30_000,
      what: `presence to name ${b}`,
    });
    expect(await admin.devices(roomId)).toHaveLength(1);

    // The data folder is root's alone.
    expect(fs.statSync(dataDir).mode & 0o077).toBe(0);
    const read = execFileSync('runuser', [
      '-u',
      a,
      '--',
      'sh',
      '-c',
      `ls ${dataDir} 2>&1; cat ${dataDir}/device.json 2>&1; true`,
    ]).toString();
    expect(read).toMatch(/Permission denied/);
    expect(read).not.toContain('credential');

    // A's process cannot pass B's door, nor reach B's door folder.
    const doorB = fs.readdirSync(runDir).find((n) => n.startsWith(`${uidOf(b)}.`));
    expect(doorB).toBeDefined();
    expect(connectAs(a, path.join(runDir, doorB!, 'session.sock'))).toBe('EACCES');
    expect(connectAs(b, path.join(runDir, doorB!, 'session.sock'))).toBe('connected');
  });

  it('starts a killed helper again within 5 s and shows the health problem', async () => {
    const [a] = users as [string, string];
    const before = (serviceLog.match(/helper connected/g) ?? []).length;
    const started = Date.now();
    execFileSync('pkill', ['-KILL', '-u', a, '-f', 'cli.js session']);
    await waitFor(() => (serviceLog.match(/helper connected/g) ?? []).length > before, {
      timeoutMs: 5000,
      what: 'the helper to be back',
    });
    const restartMs = Date.now() - started;
    console.log(`helper back after ${restartMs} ms`);
    expect(restartMs).toBeLessThan(5000);
    await waitFor(
      async () => {
        const r = await admin.json<{ devices: { health: { message: string }[] }[] }>('GET', '/api/devices');
        return r.body.devices.some((d) =>
          d.health.some((h) => h.message.includes(`helper stopped in ${a}'s session`)),
        );
      },
      { timeoutMs: 10_000, what: 'the health problem on the dashboard' },
    );
  });

  it('no process Harbour started has a token, credential or ticket on its command line or in its environment', async () => {
    const credential = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'device.json'), 'utf8')) as { credential: string }
    ).credential;
    const pupilUids = new Set(users.map((u) => String(uidOf(u))));
    const read = (pid: string, what: string) => {
      try {
        return fs.readFileSync(`/proc/${pid}/${what}`, 'latin1');
      } catch {
        return null; // gone
      }
    };
    const parentOf = (pid: string) => /^PPid:\s+(\d+)/m.exec(read(pid, 'status') ?? '')?.[1] ?? '';
    const descendants = (root: number): string[] => {
      const all = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
      const out = [String(root)];
      for (let i = 0; i < out.length; i++) out.push(...all.filter((p) => parentOf(p) === out[i]));
      return out;
    };
    const uidOfPid = (pid: string) => /^Uid:\s+(\d+)/m.exec(read(pid, 'status') ?? '')?.[1] ?? '';
    // Each helper keeps its session's screens in one Chromium (the tell cover is prepared at
    // once); the helper killed in the test before has started its own again.
    const chromiumUids = () =>
      new Set(
        fs
          .readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n) && (read(n, 'cmdline') ?? '').includes('harbour-overlay'))
          .map(uidOfPid),
      );
    await waitFor(() => [...pupilUids].every((uid) => chromiumUids().has(uid)), {
      timeoutMs: 20_000,
      what: "each helper's Chromium",
    });
    // Every process on the machine, as a pupil running `ps` would see them: the service, the
    // helpers and their Chromium windows among them.
    const seen: { pid: string; uid: string; cmdline: string }[] = [];
    for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      const cmdline = read(pid, 'cmdline');
      if (cmdline === null) continue;
      expect(cmdline.includes(enrolToken), `pid ${pid}: ${cmdline.slice(0, 200)}`).toBe(false);
      expect(cmdline.includes(credential), `pid ${pid}`).toBe(false);
      if (!cmdline.includes('harbour') && !cmdline.includes('cli.js')) continue;
      seen.push({ pid, uid: uidOfPid(pid), cmdline });
      // A local UI page opens with a one-use ticket in its URL: that URL is never an argument.
      expect(cmdline, `pid ${pid}`).not.toMatch(/ticket=|_enter\?/);
      // DevTools over a pipe only: a debugging port would let any local user drive the screens.
      expect(cmdline, `pid ${pid}`).not.toMatch(/--remote-debugging-port/);
      // The environment is readable by the process's own user: the pupil, for a helper.
      const environ = read(pid, 'environ') ?? '';
      expect(environ.includes(enrolToken), `pid ${pid} environment`).toBe(false);
      expect(environ.includes(credential), `pid ${pid} environment`).toBe(false);
    }
    const service = seen.filter((p) => /cli\.js\0service/.test(p.cmdline) && p.cmdline.includes(runDir));
    // (the test's own `runuser … env …` wrappers, root's, are not helpers)
    const helpers = seen.filter(
      (p) =>
        /cli\.js\0session/.test(p.cmdline) &&
        p.cmdline.startsWith(`${process.execPath}\0`) &&
        p.cmdline.includes(runDir), // this test's, not another test's running at the same time
    );
    // This test's helpers' Chromium (other tests running at the same time have their own, as root).
    const ours = new Set(helpers.flatMap((h) => descendants(Number(h.pid))));
    const chromium = seen.filter((p) => p.cmdline.includes('harbour-overlay') && ours.has(p.pid));
    expect(chromium.length, "the helpers' Chromium").toBeGreaterThan(0);
    expect(service.length, 'the service').toBeGreaterThan(0);
    expect(helpers.map((p) => p.uid).sort(), 'a helper for each pupil, as that pupil').toEqual(
      [...pupilUids].sort(),
    );
    expect(new Set(chromium.map((p) => p.uid)), 'Chromium runs as the pupils, not root').toEqual(pupilUids);
  });

  it('refuses a door for nobody and garbage on the knock socket, and keeps running', async () => {
    const knock = path.join(runDir, 'service.sock');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      const s = net.connect(knock, () => s.write(`${'['.repeat(5000)}\n`));
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/refused/);
    expect(service.exitCode).toBeNull();
  });

  it("upgrades from per-user agents: adopts the newest user's device, and no user's folder keeps a credential", async () => {
    const [a, b] = users as [string, string];
    // Today's layout: each user's first logon enrolled the computer again, into that user's folder.
    const legacy: Record<string, { deviceId: string; credential: string }> = {};
    for (const [user, enrolledAt] of [
      [a, '2026-01-05T08:00:00.000Z'],
      [b, '2026-01-06T08:00:00.000Z'],
    ] as const) {
      const { token } = await admin.createToken(roomId);
      const enrolled = await admin.json<{ deviceId: string; credential: string }>(
        'POST',
        '/api/agent/enrol',
        {
          token,
          hostname: `OLD-${user}`,
          os: 'Linux test',
          serial: null,
          agentVersion: '0.0.9',
        },
      );
      expect(enrolled.status).toBe(201);
      legacy[user] = enrolled.body;
      const dir = `/home/${user}/.config/Harbour/agent`;
      execFileSync('runuser', ['-u', user, '--', 'mkdir', '-p', dir]);
      const file = path.join(dir, 'device.json');
      fs.writeFileSync(
        file,
        JSON.stringify({ serverUrl: server.url, ...enrolled.body, roomId, enrolledAt }),
        { mode: 0o600 },
      );
      execFileSync('chown', [`${user}:${user}`, file]);
    }

    // The new version's service starts on that computer: no token, a fresh machine data folder.
    const upgradedDir = tempDir('upgraded');
    const upgradedRun = fs.mkdtempSync('/tmp/harbour-run-');
    fs.chmodSync(upgradedRun, 0o755);
    let upgradedLog = '';
    const upgraded = spawnMachineService({
      serverUrl: server.url,
      dataDir: upgradedDir,
      socket: path.join(upgradedRun, 'service.sock'),
      args: ['--activity', 'off'],
      onOutput: (chunk) => (upgradedLog += chunk),
    });
    try {
      await waitFor(() => upgradedLog.includes('service running'), {
        timeoutMs: 30_000,
        what: `the upgraded service\n${upgradedLog}`,
      });
      // It is the newest per-user device (b's), online, with its history.
      await waitFor(
        async () => (await admin.devices(roomId)).find((d) => d.id === legacy[b]!.deviceId)?.online,
        { timeoutMs: 20_000, what: "b's device online as the machine" },
      );
      const adopted = JSON.parse(fs.readFileSync(path.join(upgradedDir, 'device.json'), 'utf8')) as {
        deviceId: string;
      };
      expect(adopted.deviceId).toBe(legacy[b]!.deviceId);
      // a's record is retired into it on the server (POST /api/agent/merge): gone from the room,
      // its credential refused, and the service forgets it (the root-only list is removed).
      await waitFor(() => !fs.existsSync(path.join(upgradedDir, 'legacy-devices.json')), {
        timeoutMs: 20_000,
        what: `the merge to be done\n${upgradedLog}`,
      });
      expect((await admin.devices(roomId)).some((d) => d.id === legacy[a]!.deviceId)).toBe(false);
      const refused = await fetch(`${server.url}/api/agent/merge`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Device ${legacy[a]!.deviceId}:${legacy[a]!.credential}`,
        },
        body: JSON.stringify({
          devices: [{ deviceId: legacy[b]!.deviceId, credential: legacy[b]!.credential }],
        }),
      });
      expect(refused.status).toBe(401);
      // Its log line may follow the file's removal by a moment (stdout through a pipe).
      await waitFor(() => /old device records retired/.test(upgradedLog), {
        timeoutMs: 10_000,
        what: `the retirement in the service's log\n${upgradedLog}`,
      });
      // No user's folder holds a credential any more, and neither user can read the service's copies.
      for (const user of [a, b]) {
        expect(fs.existsSync(`/home/${user}/.config/Harbour/agent/device.json`)).toBe(false);
        const read = execFileSync('runuser', [
          '-u',
          user,
          '--',
          'sh',
          '-c',
          `cat ${upgradedDir}/device.json ${upgradedDir}/legacy-devices.json 2>&1; true`,
        ]).toString();
        expect(read).not.toContain(legacy[a]!.credential);
        expect(read).not.toContain(legacy[b]!.credential);
      }
    } finally {
      upgraded.kill('SIGTERM');
      await new Promise((r) => upgraded.once('exit', r));
    }
  }, 90_000);
});
