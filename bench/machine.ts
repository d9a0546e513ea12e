/**
 * The machine's footprint (issue 12): the machine service as root and one session helper as
 * a real user on one Xvfb display, with the help badge and the cover ready (its picture kept,
 * Chromium started only while a screen shows and for a short linger after),
 * measured as whole process trees: PSS (from /proc/<pid>/smaps_rollup) and CPU, split into
 * the service, the helper and its Chromium. Idle; during a supervised lesson (a teacher
 * watching, thumbnails flowing); after it; the helper's restart after a kill; and Debian's
 * veyon-server on the same display in the same run, for comparison.
 *
 * Linux as root only (it adds a user and runs the service as root). veyon-service is
 * installed here, in the benchmark's own setup (apt), never in CI.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultActivitySettings } from '@harbour/shared';
import { helperMallocMmapThreshold } from '../agent/src/service/service.js';
import { ApiClient } from '../test/support/api.js';
import { machineRunDir, spawnMachineService, spawnSessionHelper } from '../test/support/machine.js';
import { ServerProcess } from '../test/support/processes.js';
import { connected, dashboardSocket } from '../test/support/sockets.js';
import { XDisplay } from '../test/support/xdisplay.js';
import { measureTrees, sampleTrees, type ProcSample } from './lib/tree.js';
import { until } from './lib/wait.js';

type Parts = Awaited<ReturnType<typeof measureTrees>>['parts'];

export interface MachineResult {
  skipped?: string;
  /** Service + helper, idle, the cover ready (its picture kept; Chromium gone after its linger). */
  idle?: Parts;
  /** The same during a supervised lesson (thumbnails every few seconds to a watching teacher). */
  lesson?: Parts;
  /** Thumbnails the watching teacher received during the lesson. */
  thumbnails?: number;
  /** The same after the lesson has ended. */
  after?: Parts;
  /** From killing the helper (SIGKILL, as the pupil) to the service's new helper connected, and its cover ready again. */
  restart?: { connectedMs: number; coverPreparedMs: number | null };
  /** veyon-server (and its workers) as the same user on the same display, in the same window as `idle`. */
  veyon?: Parts | { skipped: string };
}

const email = 'machine@harbour.test';
const password = 'machine benchmark password';

/** Installs Debian's veyon-service (and the RSA plugin veyon-server needs) if it is missing. */
function ensureVeyon(log: (l: string) => void): string | null {
  const have = () => spawnSync('sh', ['-c', 'command -v veyon-server']).status === 0;
  if (have()) return null;
  log('  installing veyon-service for the comparison (apt)');
  const install = spawnSync(
    'apt-get',
    ['install', '-y', '--no-install-recommends', 'veyon-service', 'libqca-qt5-2-plugins'],
    { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8', timeout: 600_000 },
  );
  if (install.status !== 0 || !have())
    return `apt-get install veyon-service failed: ${(install.stderr || install.stdout).slice(-300)}`;
  return null;
}

export async function runMachine(opts: {
  idleSeconds: number;
  lessonSeconds: number;
  afterSeconds: number;
  /** Measure veyon-server beside it (installing it if missing). Off in the smoke test: CI installs nothing. */
  veyon?: boolean;
  log?: (l: string) => void;
}): Promise<MachineResult> {
  const log = opts.log ?? (() => undefined);
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return { skipped: 'needs Linux as root (a real user and the service as root)' };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-machine-'));
  const user = `hbbench${String(process.pid).slice(-5)}`;
  const x = await XDisplay.start('1280x800');
  let server: ServerProcess | undefined;
  let service: ChildProcess | undefined;
  let veyon: ChildProcess | undefined;
  let output = '';
  const count = (text: string) => output.split(text).length - 1;
  try {
    execFileSync('useradd', ['--create-home', user]);
    server = await ServerProcess.start(path.join(tmp, 'server'), {
      HARBOUR_ADMIN_EMAIL: email,
      HARBOUR_ADMIN_PASSWORD: password,
    });
    const admin = new ApiClient(server.url);
    await admin.login(email, password);
    await admin.json('PUT', '/api/activity/settings', { ...defaultActivitySettings, schedule: null });
    const room = await admin.createRoom('Machine');
    const { token } = await admin.createToken(room.id);
    await admin.json('POST', '/api/users', {
      temporaryPassword: false,
      email: 'teacher@harbour.test',
      displayName: 'Ms Bench',
      role: 'teacher',
      password,
    });
    const teacher = new ApiClient(server.url);
    await teacher.login('teacher@harbour.test', password);
    const me = await teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
    await admin.json('PUT', `/api/rooms/${room.id}/staff`, { userIds: [me.body.user.id] });

    x.launch('xterm', ['-title', 'Phonics practice', '-geometry', '80x24+10+10']);
    const { socket } = machineRunDir();
    const tokenFile = path.join(tmp, 'token');
    fs.writeFileSync(tokenFile, token, { mode: 0o600 });
    const onOutput = (chunk: string) => (output += chunk);
    service = spawnMachineService({
      serverUrl: server.url,
      tokenFile,
      dataDir: path.join(tmp, 'service'),
      socket,
      args: ['--help-badge', '--activity', 'on'],
      onOutput,
    });
    await until(() => output.includes('service running'), 30_000, 'the service');
    const runuser = spawnSessionHelper({
      user,
      display: x.display,
      socket,
      // As the installed harbour-agent wrapper (and the service, for helpers it starts) sets it.
      env: [`MALLOC_MMAP_THRESHOLD_=${helperMallocMmapThreshold}`],
      onOutput,
    });
    await until(() => count('overlay: prepared, hidden') >= 1, 60_000, 'the cover prepared');
    // The cover photographed, then Chromium ends after its linger (20 s): idle is without a browser.
    await until(() => count('overlay: picture of the view kept') >= 1, 60_000, 'the cover’s picture kept');
    await until(
      () => !sampleTrees([runuser.pid!]).some((p) => /chrom/i.test(p.comm)),
      90_000,
      'Chromium gone after its linger',
    );
    await new Promise((r) => setTimeout(r, 5000)); // past start-up: module loading, first page loads
    const helperPid = () =>
      sampleTrees([runuser.pid!]).find((p) => p.ppid === runuser.pid && p.comm !== 'runuser')?.pid;
    let helper = helperPid();
    if (!helper) throw new Error('no helper process');
    const servicePid = service.pid!;
    const partOf = (p: ProcSample): string =>
      p.pid === servicePid
        ? 'service'
        : p.pid === helper
          ? 'helper'
          : /chrom/i.test(p.comm)
            ? 'chromium'
            : 'probes';
    const harbourRoots = () => [servicePid, ...(helper ? [helper] : [])];

    // veyon-server beside it, as the same user on the same display, measured in the same window.
    let veyonParts: MachineResult['veyon'];
    const veyonProblem = opts.veyon === false ? 'not asked for' : ensureVeyon(log);
    if (veyonProblem) veyonParts = { skipped: veyonProblem };
    else {
      veyon = spawn(
        'runuser',
        ['-u', user, '--', 'env', `DISPLAY=${x.display}`, `HOME=/home/${user}`, 'veyon-server'],
        {
          stdio: 'ignore',
        },
      );
      await new Promise((r) => setTimeout(r, 8000));
      if (veyon.exitCode !== null) veyonParts = { skipped: `veyon-server exited (${veyon.exitCode})` };
    }
    const veyonRoot = () => sampleTrees([veyon?.pid ?? -1]).find((p) => p.ppid === veyon?.pid)?.pid;

    log(`  idle, the cover prepared: ${opts.idleSeconds} s`);
    const [idle, veyonIdle] = await Promise.all([
      measureTrees(harbourRoots, partOf, opts.idleSeconds),
      veyonParts
        ? Promise.resolve(undefined)
        : measureTrees(
            () => [veyonRoot() ?? -1],
            () => 'veyon',
            opts.idleSeconds,
          ),
    ]);
    if (veyonIdle) veyonParts = veyonIdle.parts;
    veyon?.kill('SIGTERM');

    log(`  a supervised lesson: ${opts.lessonSeconds} s`);
    const watch = await connected(dashboardSocket(server.url, teacher.cookieHeader));
    await watch.emitWithAck('room:watch', { roomId: room.id });
    let thumbnails = 0;
    watch.on('device:thumbnail', () => thumbnails++);
    const session = await teacher.json<{ id: string }>('POST', '/api/supervision', {
      roomId: room.id,
      durationMinutes: 45,
    });
    if (session.status !== 201) throw new Error(`supervision: ${session.status}`);
    const lesson = await measureTrees(harbourRoots, partOf, opts.lessonSeconds);
    await teacher.json('POST', `/api/supervision/${session.body.id}/end`, {});
    watch.close();
    await new Promise((r) => setTimeout(r, 10_000));
    log(`  after the lesson: ${opts.afterSeconds} s`);
    const after = await measureTrees(harbourRoots, partOf, opts.afterSeconds);

    // The pupil kills the helper: the service starts a new one (its own child, as the user).
    const connectedBefore = count('service: helper connected');
    const preparedBefore = count('overlay: prepared, hidden');
    const killedAt = performance.now();
    execFileSync('kill', ['-KILL', String(helper)]);
    await until(() => count('service: helper connected') > connectedBefore, 30_000, 'the helper back');
    const connectedMs = Math.round(performance.now() - killedAt);
    let coverPreparedMs: number | null = null;
    // The restarted helper inherits the service's output.
    await until(() => count('overlay: prepared, hidden') > preparedBefore, 60_000, 'the cover again')
      .then(() => (coverPreparedMs = Math.round(performance.now() - killedAt)))
      .catch(() => undefined);
    helper = undefined;

    return {
      idle: idle.parts,
      lesson: lesson.parts,
      thumbnails,
      after: after.parts,
      restart: { connectedMs, coverPreparedMs },
      veyon: veyonParts,
    };
  } finally {
    veyon?.kill('SIGKILL');
    service?.kill('SIGKILL');
    try {
      execFileSync('pkill', ['-KILL', '-u', user]);
    } catch {
      // nothing of the user's left
    }
    await server?.stop();
    await x.stop();
    try {
      execFileSync('userdel', ['--remove', user], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
