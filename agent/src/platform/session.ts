import type { OsUser } from '@harbour/shared';
import { run } from './common.js';

/** What the agent may do to the user's session. One implementation per platform. */
export interface SessionControl {
  /** Signs `user` out (or locks the session where signing out is not possible). */
  signOut(user: OsUser): Promise<'signed-out' | 'locked' | 'failed'>;
  /** The OS groups `user` belongs to (for the AUP audience rules); [] if unknown. */
  groups(user: OsUser): Promise<string[]>;
}

async function firstThatWorks(...commands: [string, string[]][]): Promise<number> {
  for (const [index, [cmd, args]] of commands.entries()) {
    if ((await run(cmd, args, 10_000)) !== null) return index;
  }
  return -1;
}

const outcome = (index: number) => (index === 0 ? 'signed-out' : index === 1 ? 'locked' : 'failed');

export const linuxSession: SessionControl = {
  async signOut() {
    const id = process.env.XDG_SESSION_ID;
    const target = id ? [id] : [];
    return outcome(
      await firstThatWorks(
        ['loginctl', ['terminate-session', ...target]],
        ['loginctl', ['lock-session', ...target]],
      ),
    );
  },
  async groups(user) {
    return ((await run('id', ['-Gn', user.username])) ?? '').split(/\s+/).filter(Boolean);
  },
};

export const win32Session: SessionControl = {
  async signOut() {
    return outcome(
      await firstThatWorks(['shutdown', ['/l']], ['rundll32.exe', ['user32.dll,LockWorkStation']]),
    );
  },
  async groups() {
    // The agent runs in the user's own session: whoami lists that user's groups.
    const out = (await run('whoami', ['/groups', '/fo', 'csv', '/nh'])) ?? '';
    return out
      .split(/\r?\n/)
      .map((line) => /^"([^"]+)"/.exec(line)?.[1] ?? '')
      .filter(Boolean)
      .flatMap((name) => [name, name.split('\\').pop() ?? name]);
  },
};

export const darwinSession: SessionControl = {
  async signOut() {
    const uid = process.getuid?.() ?? 0;
    return outcome(
      await firstThatWorks(
        ['launchctl', ['bootout', `gui/${uid}`]],
        ['pmset', ['displaysleepnow']], // the screen locks when it sleeps, with "require password" on
      ),
    );
  },
  groups: (user) => linuxSession.groups(user),
};

export function platformSession(platform: NodeJS.Platform = process.platform): SessionControl {
  return platform === 'win32' ? win32Session : platform === 'darwin' ? darwinSession : linuxSession;
}
