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
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SessionFacts, SessionWatcher } from './service.js';

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
}

/** The well-known SIDs a Windows service's data may be open to: LocalSystem and the Administrators group. */
export const windowsSids = { system: 'S-1-5-18', administrators: 'S-1-5-32-544' } as const;

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
    uid,
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

// ---- the platforms ------------------------------------------------------------------

export const linuxServicePlatform: ServicePlatform = {
  name: 'linux',
  defaultDataDir: '/var/lib/harbour-agent',
  defaultSocketPath: '/run/harbour-agent/service.sock',
  secureDataDir: (dir) => Promise.resolve(securePosixDir(dir)),
  watcher: () => logindWatcher(),
  // Electron's userData for the tray app ("Harbour"), with the agent's folder inside.
  legacyDataDirs: (homes) => homes.map((home) => path.posix.join(home, '.config', 'Harbour', 'agent')),
};

export const darwinServicePlatform: ServicePlatform = {
  name: 'darwin',
  defaultDataDir: '/Library/Application Support/Harbour/service',
  defaultSocketPath: '/var/run/harbour-agent/service.sock',
  secureDataDir: (dir) => Promise.resolve(securePosixDir(dir)),
  // The console user: each LaunchAgent helper says hello itself, and launchd keeps it running.
  watcher: () => undefined,
  legacyDataDirs: (homes) =>
    homes.map((home) => path.posix.join(home, 'Library', 'Application Support', 'Harbour', 'agent')),
};

export const win32ServicePlatform: ServicePlatform = {
  name: 'win32',
  defaultDataDir: 'C:\\ProgramData\\Harbour\\service',
  defaultSocketPath: '\\\\.\\pipe\\harbour-agent',
  async secureDataDir(dir) {
    fs.mkdirSync(dir, { recursive: true });
    await run('icacls', windowsDataDirAcl(dir));
  },
  // Helpers start at every logon (the Run key and a scheduled task, installers); WTS sessions
  // are read with `query session` by the Windows build (see docs/deployment.md).
  watcher: () => undefined,
  legacyDataDirs: (homes) =>
    homes.map((home) => path.win32.join(home, 'AppData', 'Roaming', 'Harbour', 'agent')),
};

export function servicePlatform(platform: NodeJS.Platform = process.platform): ServicePlatform {
  return platform === 'win32'
    ? win32ServicePlatform
    : platform === 'darwin'
      ? darwinServicePlatform
      : linuxServicePlatform;
}
