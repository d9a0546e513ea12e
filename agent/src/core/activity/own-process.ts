import fs from 'node:fs';

/** The parent of a process, from /proc (Linux); null where it cannot be read. */
export function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(after[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is this agent or a program it started (its covers' Chromium, its badge):
 * Harbour's own windows, which are never monitored or flagged. A pupil cannot make a window
 * look like one by its title or class, only by being started by Harbour. Where /proc is
 * missing (Windows, macOS) only the agent's own process counts: there the tray app's windows
 * belong to it.
 */
export function ownProcessCheck(self = process.pid): (pid: number) => boolean {
  const cache = new Map<number, { own: boolean; at: number }>();
  return (pid) => {
    if (pid === self) return true;
    const hit = cache.get(pid);
    // Pids are reused; a short memory is enough to spare /proc reads on every sample.
    if (hit && Date.now() - hit.at < 5000) return hit.own;
    let own = false;
    let p: number | null = pid;
    for (let depth = 0; depth < 32 && p !== null && p > 1; depth++) {
      p = parentOf(p);
      if (p === self) {
        own = true;
        break;
      }
    }
    if (cache.size > 64) cache.clear();
    cache.set(pid, { own, at: Date.now() });
    return own;
  };
}

const launchers = new Set([
  'node',
  'nodejs',
  'sh',
  'bash',
  'dash',
  'env',
  'harbour-native-host',
  'harbour-agent',
]);

function commOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The processes above the native host up to the browser that started it: through any
 * wrapper (a shell script, node) to the first process that is neither. Not further: the
 * browser's own parent (a terminal, a launcher) owns windows that are not the browser's.
 */
export function ancestors(start = process.ppid): number[] {
  const out: number[] = [];
  let p: number | null = start;
  while (p !== null && p > 1 && out.length < 6) {
    out.push(p);
    if (process.platform !== 'linux') break;
    const comm = commOf(p);
    if (comm === null || !launchers.has(comm)) break;
    p = parentOf(p);
  }
  return out;
}
