/**
 * What differs between the platforms' machine services, behind one interface: where the
 * service keeps its data and how that folder is made private to it, where the channel to
 * the helpers lives, where sessions with no helper come from, and where a per-user agent
 * of an earlier version kept its credential (the upgrade, issue 12 item 7).
 *
 * Linux runs for real (systemd system unit, tested as root with real users). Windows
 * (a LocalSystem service) and macOS (a LaunchDaemon) are typed and unit-tested here:
 * their commands are built by pure functions the tests read.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { lookupAccount, lookupDarwinAccount, uidOf, type OsAccount } from './accounts.js';
import { Doors } from './doors.js';
import {
  posixStarter,
  type AcceptPeer,
  type HelperLaunch,
  type HelperStarter,
  type PeerChannel,
  type SessionFacts,
  type SessionWatcher,
} from './service.js';
import {
  defaultKnockPipe,
  defaultSessionPipe,
  doorAcl,
  doorsBaseAcl,
  PipeDoors,
} from './win32/pipe-doors.js';
import { accountsOf, windowsAccountId, wtsStarter, wtsWatcher, type WtsSession } from './win32/wts.js';
import { displayAlive } from './x11.js';

export type ServicePlatformName = 'linux' | 'darwin' | 'win32';

export interface ServicePlatform {
  name: ServicePlatformName;
  defaultDataDir: string;
  defaultSocketPath: string;
  /** Makes `dir` readable and writable by the service's own account only. */
  secureDataDir(dir: string): Promise<void>;
  /** Sessions the OS knows (logind, WTS, the console user), for helpers that never started by themselves. */
  watcher(): SessionWatcher | undefined;
  /** Folders where per-user agents of earlier versions kept their credential (device.json). */
  legacyDataDirs(homes: string[]): string[];
  /** The account behind an id (a uid as text; DOMAIN\\user on Windows), from the OS. */
  account(id: string): Promise<OsAccount | null>;
  /** Where helpers connect and how the OS proves who they are. */
  channel(
    socketPath: string,
    logger: Logger,
    account: (id: string) => Promise<OsAccount | null>,
  ): (accept: AcceptPeer) => PeerChannel;
  /** How a helper is started in a session. */
  starter: HelperStarter;
  /** Whether a session is still there (so a helper that stopped is started again). */
  sessionAlive(facts: SessionFacts): Promise<boolean>;
  /**
   * What a helper is: the headless `session` command on Linux, the tray app on Windows and
   * macOS. `execPath`/`execArgv`/`script` are the service's own runtime.
   */
  helper(
    runtime: { execPath: string; execArgv: string[]; script: string },
    socketPath: string,
    logLevel: string,
  ): HelperLaunch;
}

import { windowsSids } from './win32/sids.js';

export { windowsSids };

/** icacls arguments that leave `dir` (and everything made in it later) to SYSTEM and Administrators only. */
export function windowsDataDirAcl(dir: string): string[] {
  return [
    dir,
    '/inheritance:r',
    '/grant:r',
    `*${windowsSids.system}:(OI)(CI)F`,
    '/grant:r',
    `*${windowsSids.administrators}:(OI)(CI)F`,
    '/T',
    '/C',
    '/Q',
  ];
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args[0] ?? ''}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A folder of root's (uid 0) only, mode 0700; refuses a symlink or someone else's folder. */
export function securePosixDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (process.getuid?.() === 0) {
    if (stat.uid !== 0) fs.chownSync(dir, 0, 0);
  }
  fs.chmodSync(dir, 0o700);
}

// ---- logind ------------------------------------------------------------------------

/** `loginctl list-sessions --no-legend`: "SESSION UID USER SEAT TTY ..." per line; the ids. */
export function parseSessionList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id));
}

/** `loginctl show-session <id> -p …`: KEY=value lines. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

/** A logind session worth a helper: a local graphical (X11) session of a user, not closing. */
export function graphicalSession(p: Record<string, string>, xauthority: string | null): SessionFacts | null {
  const uid = Number(p.User);
  if (!Number.isInteger(uid) || p.Type !== 'x11' || p.Class !== 'user' || p.Remote === 'yes') return null;
  if (p.State === 'closing' || !p.Display) return null;
  return {
    accountId: String(uid),
    display: p.Display,
    xauthority,
    runtimeDir: `/run/user/${uid}`,
    sessionId: p.Id ?? null,
    active: p.Active === 'yes',
  };
}

/** XAUTHORITY from the environment of a session's leader process (`/proc/<pid>/environ`). */
export function xauthorityFromEnviron(environ: string): string | null {
  for (const entry of environ.split('\0'))
    if (entry.startsWith('XAUTHORITY=')) return entry.slice(11) || null;
  return null;
}

/** Polls logind (every 2 s) where it runs; a session it lists gets a helper even if none started by itself. */
export function logindWatcher(intervalMs = 2000): SessionWatcher | undefined {
  if (!fs.existsSync('/run/systemd/seats')) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<SessionFacts[]> => {
    const ids = parseSessionList(await run('loginctl', ['list-sessions', '--no-legend']));
    const out: SessionFacts[] = [];
    for (const id of ids) {
      const props = parseProperties(
        await run('loginctl', [
          'show-session',
          id,
          '-p',
          'Id',
          '-p',
          'User',
          '-p',
          'Type',
          '-p',
          'Class',
          '-p',
          'Display',
          '-p',
          'Remote',
          '-p',
          'State',
          '-p',
          'Active',
          '-p',
          'Leader',
        ]),
      );
      let xauthority: string | null = null;
      try {
        xauthority = xauthorityFromEnviron(
          fs.readFileSync(`/proc/${Number(props.Leader)}/environ`, 'latin1'),
        );
      } catch {
        // no such process, or not readable
      }
      const uid = Number(props.User);
      xauthority ??= [`/run/user/${uid}/gdm/Xauthority`].find((f) => fs.existsSync(f)) ?? null;
      const facts = graphicalSession(props, xauthority);
      if (facts) out.push(facts);
    }
    return out;
  };
  return {
    start(onChange) {
      const tick = () =>
        void poll()
          .then(onChange)
          .catch(() => undefined);
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

// ---- macOS: the console user --------------------------------------------------------

/** The LaunchAgent that runs the tray app (the helper) in a user's GUI session (install/templates.ts). */
export const darwinHelperLabel = 'uk.org.harbour.agent';

/** `launchctl kickstart gui/<uid>/<label>`: start the user's helper if it is not running (no -k: never restart one). */
export function launchctlKickstartArgs(uid: number): string[] {
  return ['kickstart', `gui/${uid}/${darwinHelperLabel}`];
}

/** `launchctl print gui/<uid>`: succeeds while the user has a GUI session (signed in, in front or not). */
export function launchctlPrintArgs(uid: number): string[] {
  return ['print', `gui/${uid}`];
}

/** The console user's session, from the owner of /dev/console (root while the login window shows). */
export function consoleSession(consoleUid: number | null): SessionFacts | null {
  if (consoleUid === null || consoleUid === 0 || !Number.isInteger(consoleUid)) return null;
  return {
    accountId: String(consoleUid),
    display: 'console',
    xauthority: null,
    runtimeDir: null,
    sessionId: 'console',
    active: true,
  };
}

/** Polls the console's owner (every 2 s, a stat, no process): the user in front gets a helper. */
export function consoleWatcher(
  intervalMs = 2000,
  statConsole = () => fs.statSync('/dev/console').uid,
): SessionWatcher {
  let timer: NodeJS.Timeout | undefined;
  return {
    start(onChange) {
      const tick = () => {
        let uid: number | null;
        try {
          uid = statConsole();
        } catch {
          uid = null;
        }
        const facts = consoleSession(uid);
        onChange(facts ? [facts] : []);
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** macOS: launchd starts the LaunchAgent in the user's GUI domain; the service only asks it to. */
export const launchctlStarter: HelperStarter = {
  start(account) {
    if (account.uid === undefined) throw new Error(`no uid for ${account.username}`);
    const child = spawn('launchctl', launchctlKickstartArgs(account.uid), { stdio: 'ignore' });
    return Object.assign(child, { launcher: true as const });
  },
};

function succeeds(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (error) => resolve(!error));
  });
}

// ---- the platforms ------------------------------------------------------------------

const unixDoors =
  (socketPath: string, logger: Logger, account: (uid: number) => Promise<OsAccount | null>) =>
  (accept: AcceptPeer): PeerChannel =>
    new Doors({
      socketPath,
      logger,
      account: async (uid) => {
        const found = await account(uid);
        return found && found.uid !== undefined && found.gid !== undefined
          ? { ...found, uid: found.uid, gid: found.gid }
          : null;
      },
      onConnection: accept,
    });

/** The headless helper on Linux: the service's own runtime and script, `session`. */
const nodeHelper: ServicePlatform['helper'] = ({ execPath, execArgv, script }, socketPath, logLevel) => ({
  command: execPath,
  args: [...execArgv, script, 'session', '--socket', socketPath, '--log-level', logLevel],
});

/** The tray app: the service runs as the app's executable in Node mode; the helper is that executable as itself. */
const trayHelper: ServicePlatform['helper'] = ({ execPath }) => ({ command: execPath, args: [] });

export const linuxServicePlatform: ServicePlatform = {
  name: 'linux',
  defaultDataDir: '/var/lib/harbour-agent',
  defaultSocketPath: '/run/harbour-agent/service.sock',
  secureDataDir: (dir) => Promise.resolve(securePosixDir(dir)),
  watcher: () => logindWatcher(),
  // Electron's userData for the tray app ("Harbour"), with the agent's folder inside.
  legacyDataDirs: (homes) => homes.map((home) => path.posix.join(home, '.config', 'Harbour', 'agent')),
  account: (id) => {
    const uid = uidOf(id);
    return uid === null ? Promise.resolve(null) : lookupAccount(uid);
  },
  channel: (socketPath, logger) => unixDoors(socketPath, logger, lookupAccount),
  starter: posixStarter,
  sessionAlive: (facts) => displayAlive(facts.display),
  helper: nodeHelper,
};

export const darwinServicePlatform: ServicePlatform = {
  name: 'darwin',
  defaultDataDir: '/Library/Application Support/Harbour/service',
  defaultSocketPath: '/var/run/harbour-agent/service.sock',
  secureDataDir: (dir) => Promise.resolve(securePosixDir(dir)),
  // The console user (the owner of /dev/console); each LaunchAgent helper also says hello itself.
  watcher: () => consoleWatcher(),
  legacyDataDirs: (homes) =>
    homes.map((home) => path.posix.join(home, 'Library', 'Application Support', 'Harbour', 'agent')),
  account: (id) => {
    const uid = uidOf(id);
    return uid === null ? Promise.resolve(null) : lookupDarwinAccount(uid);
  },
  // Unix doors work as on Linux: macOS checks search permission on the folder at connect(2).
  channel: (socketPath, logger) => unixDoors(socketPath, logger, lookupDarwinAccount),
  starter: launchctlStarter,
  sessionAlive: (facts) => {
    const uid = uidOf(facts.accountId);
    return uid === null ? Promise.resolve(false) : succeeds('launchctl', launchctlPrintArgs(uid));
  },
  helper: trayHelper,
};

/** The doors folder (pipe-doors.ts): beside the service's data, SYSTEM's and the Administrators'. */
export function windowsDoorsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Harbour', 'doors');
}

/** A Windows session is still there while WTS lists it with the same user signed in. */
export function windowsSessionAlive(list: WtsSession[], facts: SessionFacts): boolean {
  const id = Number(facts.sessionId);
  return list.some(
    (s) =>
      s.sessionId === id &&
      s.userName !== '' &&
      windowsAccountId(s.domain, s.userName).toLowerCase() === facts.accountId.toLowerCase(),
  );
}

const windowsSessions = wtsWatcher();

export const win32ServicePlatform: ServicePlatform = {
  name: 'win32',
  defaultDataDir: 'C:\\ProgramData\\Harbour\\service',
  defaultSocketPath: '\\\\.\\pipe\\harbour-agent',
  async secureDataDir(dir) {
    fs.mkdirSync(dir, { recursive: true });
    await run('icacls', windowsDataDirAcl(dir));
  },
  // WTS sessions (polled through wtsapi32): every signed-in user's session gets a helper.
  watcher: () => windowsSessions,
  legacyDataDirs: (homes) =>
    homes.map((home) => path.win32.join(home, 'AppData', 'Roaming', 'Harbour', 'agent')),
  // Doors only for accounts signed in now, as WTS last said.
  account: (id) => Promise.resolve(accountsOf(windowsSessions.last).get(id.toLowerCase()) ?? null),
  channel: (_socketPath, logger, account) => (accept) =>
    new PipeDoors({
      knockPath: defaultKnockPipe,
      sessionPath: defaultSessionPipe,
      doorsDir: windowsDoorsDir(),
      logger,
      account,
      security: {
        base: (dir) => run('icacls', doorsBaseAcl(dir)).then(() => undefined),
        door: (dir, who) => run('icacls', doorAcl(dir, who.id)).then(() => undefined),
      },
      onConnection: accept,
    }),
  starter: wtsStarter(),
  sessionAlive: (facts) => Promise.resolve(windowsSessionAlive(windowsSessions.last, facts)),
  helper: trayHelper,
};

export function servicePlatform(platform: NodeJS.Platform = process.platform): ServicePlatform {
  return platform === 'win32'
    ? win32ServicePlatform
    : platform === 'darwin'
      ? darwinServicePlatform
      : linuxServicePlatform;
}
