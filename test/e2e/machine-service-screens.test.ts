// The pupils' screens through the machine service (issue 12), for real: the service as root
// with the AUP gate and the help badge on, and a session helper as each of two real users
// on their own Xvfb display. Screen captures prove what each user's screen shows: the AUP
// gate in each session with the register naming the right user; the tell cover in one
// session only, the report naming that user; a service restart that keeps a covered screen
// covered; and neither user able to read the other's report or decisions through the
// service. Linux, as root (CI runs as root); skipped otherwise.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { spawnMachineService, spawnSessionHelper } from '../support/machine.js';
import { adminEmail, password } from '../support/harbour.js';
import { repoRoot, tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { centreOf, colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
const suffix = String(process.pid).slice(-5);
const users = [`hbscra${suffix}`, `hbscrb${suffix}`] as const;
const desktop: Rgb = [255, 0, 255];
const aupBackground: Rgb = [238, 246, 251];
const coverColour: Rgb = [234, 244, 239];
const badgeColour: Rgb = [255, 183, 3];

let server: ServerProcess;
let admin: ApiClient;
let dsl: ApiClient;
let service: ChildProcess | undefined;
let log = '';
let runDir: string;
let dataDir: string;
let tokenFile: string;
const displays: XDisplay[] = [];
const helpers: ChildProcess[] = [];

function startService(): ChildProcess {
  return spawnMachineService({
    serverUrl: server.url,
    tokenFile,
    dataDir,
    socket: path.join(runDir, 'service.sock'),
    args: ['--aup', 'on', '--help-badge', '--activity', 'off'],
    onOutput: (chunk) => (log += chunk),
  });
}

function startHelper(user: string, display: XDisplay): void {
  const socket = path.join(runDir, 'service.sock');
  helpers.push(
    spawnSessionHelper({ user, display: display.display, socket, onOutput: (chunk) => (log += chunk) }),
  );
}

const share = (x: XDisplay, colour: Rgb, tolerance = 6) => colourShare(x.capture(), colour, tolerance);
const aupShown = (x: XDisplay) => share(x, aupBackground) > 0.3 && share(x, desktop, 24) === 0;
const covered = (x: XDisplay) => share(x, coverColour) > 0.5 && share(x, desktop, 24) === 0;
const bare = (x: XDisplay) => share(x, desktop, 24) > 0.3;

async function register(): Promise<{ username: string; decision: string }[]> {
  const { body } = await admin.json<{ entries: { username: string; decision: string }[] }>(
    'GET',
    '/api/aup/register',
  );
  return body.entries;
}

const incidents = async () =>
  (await dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents')).body.incidents;

/**
 * A curious pupil's own program, as that pupil: through their own door (the only one they
 * can pass) it says hello and asks the service about `tellId` and about `otherUser`'s AUP
 * decisions and its own. Prints the service's answers, one JSON line each.
 */
function askAs(user: string, tellId: string, otherUser: string): Record<number, unknown> {
  const script = `
    const net = require('net');
    const sock = ${JSON.stringify(path.join(runDir, 'service.sock'))};
    const k = net.connect(sock, () => k.write(JSON.stringify({ t: 'knock', uid: process.getuid() }) + '\\n'));
    let text = '';
    k.on('data', (d) => (text += d));
    k.on('close', () => {
      const door = JSON.parse(text).path;
      const s = net.connect(door, () => {
        s.write(JSON.stringify({ t: 'hello', version: 1, session: { display: null, xauthority: null, runtimeDir: null, sessionId: null, pid: process.pid } }) + '\\n');
      });
      let buf = '';
      const answers = {};
      s.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\\n')) >= 0) {
          const m = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (m.t === 'welcome') {
            s.write(JSON.stringify({ t: 'request', id: 1, event: 'agent:tell-status', payload: { tellId: ${JSON.stringify(tellId)} }, timeoutMs: 5000 }) + '\\n');
            s.write(JSON.stringify({ t: 'request', id: 2, event: 'aup:decisions', payload: { user: { username: ${JSON.stringify(otherUser)} } }, timeoutMs: 5000 }) + '\\n');
            s.write(JSON.stringify({ t: 'request', id: 3, event: 'aup:decisions', payload: { user: { username: ${JSON.stringify(user)} } }, timeoutMs: 5000 }) + '\\n');
          }
          if (m.t === 'response') answers[m.id] = m.result;
          if (Object.keys(answers).length === 3) { console.log(JSON.stringify(answers)); process.exit(0); }
        }
      });
    });
    setTimeout(() => { console.log('timeout'); process.exit(1); }, 15000);
  `;
  const out = execFileSync('runuser', ['-u', user, '--', process.execPath, '-e', script], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  return JSON.parse(out.trim()) as Record<number, unknown>;
}

describe.skipIf(!asRoot)('the pupils’ screens through the machine service, two real users', () => {
  beforeAll(async () => {
    for (const user of users) execFileSync('useradd', ['--create-home', user]);
    server = await ServerProcess.start(tempDir('screens-server'), {
      HARBOUR_ADMIN_EMAIL: adminEmail,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    admin = new ApiClient(server.url);
    await admin.login(adminEmail, password);
    await admin.json('POST', '/api/users', {
      temporaryPassword: false,
      email: 'dsl@school.test',
      displayName: 'Mrs Lead',
      role: 'dsl',
      password,
    });
    dsl = new ApiClient(server.url);
    await dsl.login('dsl@school.test', password);
    await dsl.enrolSecondFactor(); // the DSL opens the reports (issue 17)
    const room = await admin.createRoom('Year 5 Oak');
    const { token } = await admin.createToken(room.id);
    runDir = fs.mkdtempSync('/tmp/harbour-run-');
    fs.chmodSync(runDir, 0o755);
    dataDir = tempDir('screens-service');
    tokenFile = path.join(tempDir('screens-token'), 'token');
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    for (let i = 0; i < users.length; i++) {
      const x = await XDisplay.start('800x600');
      await x.run('xsetroot', ['-solid', '#ff00ff']);
      displays.push(x);
    }
    service = startService();
    await waitFor(() => log.includes('service running'), { timeoutMs: 30_000, what: 'the service' });
  }, 120_000);

  afterAll(async () => {
    fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, 'test-results', 'machine-service-screens.log'), log);
    for (const h of helpers) h.kill('SIGKILL');
    service?.kill('SIGKILL');
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

  it('gates each session with the AUP; each user agrees for themselves and the register names them', async () => {
    const [a, b] = users;
    const [xa, xb] = displays as [XDisplay, XDisplay];
    startHelper(a, xa);
    startHelper(b, xb);
    await waitFor(() => aupShown(xa), {
      timeoutMs: 60_000,
      what: `the AUP on ${a}'s screen\n${log.slice(-3000)}`,
    });
    await waitFor(() => aupShown(xb), { timeoutMs: 60_000, what: `the AUP on ${b}'s screen` });
    xa.snapshot('service-aup-a');
    expect(await register()).toEqual([]);

    // A agrees on A's screen (keyboard alone: Tab to "Read it to me", Tab to "I agree", Enter).
    await new Promise((r) => setTimeout(r, 1500));
    await xa.run('xdotool', ['key', 'Tab', 'Tab', 'Return']);
    await waitFor(() => bare(xa), { timeoutMs: 20_000, what: `${a}'s desktop after "I agree"` });
    const first = await waitFor(async () => {
      const rows = await register();
      return rows.length > 0 ? rows : null;
    });
    expect(first).toEqual([expect.objectContaining({ username: a, decision: 'accepted' })]);
    // B's screen is still gated: A's agreement is A's alone.
    await new Promise((r) => setTimeout(r, 1000));
    expect(aupShown(xb)).toBe(true);

    await xb.run('xdotool', ['key', 'Tab', 'Tab', 'Return']);
    await waitFor(() => bare(xb), { timeoutMs: 20_000, what: `${b}'s desktop after "I agree"` });
    const both = await waitFor(async () => {
      const rows = await register();
      return rows.length > 1 ? rows : null;
    });
    expect(both.map((r) => r.username).sort()).toEqual([a, b].sort());
  }, 180_000);

  it('covers only the screen of the pupil who asked for help; the report names that pupil', async () => {
    const [a] = users;
    const [xa, xb] = displays as [XDisplay, XDisplay];
    await waitFor(() => log.split('overlay: prepared, hidden').length > 2, {
      timeoutMs: 60_000,
      what: 'both covers prepared',
    });
    const at = await waitFor(() => centreOf(xa.capture(), badgeColour), {
      timeoutMs: 30_000,
      what: `the help badge on ${a}'s screen`,
    });
    await xa.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
    await waitFor(() => covered(xa), { timeoutMs: 30_000, intervalMs: 50, what: `${a}'s screen covered` });
    xa.snapshot('service-tell-a');
    expect(covered(xb)).toBe(false);
    expect(bare(xb)).toBe(true);
    const [incident] = await waitFor(async () => {
      const list = await incidents();
      return list.length === 1 ? list : null;
    });
    expect(incident?.source).toBe('report');
    expect(incident?.subject.username).toBe(a);
  }, 120_000);

  it('restarting the service keeps the covered screen covered, and the release still reaches it', async () => {
    const [xa] = displays as [XDisplay, XDisplay];
    const running = service!;
    running.kill('SIGTERM');
    await new Promise((r) => running.once('exit', r));
    // While the service is away, the pupil's screen stays covered.
    for (let i = 0; i < 10; i++) {
      expect(covered(xa), `covered while the service is down (${i})`).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
    }
    const before = (log.match(/helper connected/g) ?? []).length;
    service = startService();
    await waitFor(() => (log.match(/helper connected/g) ?? []).length >= before + 2, {
      timeoutMs: 30_000,
      what: 'both helpers back with the service',
    });
    expect(covered(xa)).toBe(true);
    xa.snapshot('service-tell-after-restart');
    const [incident] = await incidents();
    const released = await dsl.json('POST', `/api/tell/${incident!.id}/release`, {});
    expect(released.status).toBeLessThan(300);
    await waitFor(() => bare(xa), { timeoutMs: 30_000, what: 'the screen given back after release' });
  }, 120_000);

  it("neither pupil can read the other's report or AUP decisions through the service", () => {
    const [a, b] = users;
    // A's report, by the id A's helper gave it: the service keeps who made it (read as root).
    const db = new SQLite(path.join(dataDir, 'outbox.sqlite'), { readonly: true });
    const owners = db.prepare("select key, value from state where key like 'tell.owner:%'").all() as {
      key: string;
      value: string;
    }[];
    db.close();
    expect(owners).toHaveLength(1);
    const tellId = owners[0]!.key.slice('tell.owner:'.length);
    expect(owners[0]!.value).toBe(execFileSync('id', ['-u', a]).toString().trim());
    const answers = askAs(b, tellId, a) as Record<number, { error?: { code: string } }>;
    expect(answers[1]?.error?.code).toBe('forbidden');
    expect(answers[2]?.error?.code).toBe('forbidden');
    // Its own decisions it may read.
    expect(answers[3]?.error).toBeUndefined();
    expect(service?.exitCode).toBeNull();
  }, 60_000);
});
