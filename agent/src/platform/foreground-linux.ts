import { activeWindow } from 'get-windows';
import type { HealthProblem } from '@harbour/shared';
import { onPath, run } from './common.js';
import type { ForegroundProbe } from './foreground.js';

/**
 * X11: get-windows (xprop + xwininfo) for the window, xprintidle (the XScreenSaver
 * extension) for idle time, systemd-logind's LockedHint for the lock screen.
 * Wayland sessions do not let one program see another's windows.
 */
export function linuxForeground(env: NodeJS.ProcessEnv = process.env): ForegroundProbe {
  const session = env.XDG_SESSION_ID;
  return {
    async activeWindow() {
      const w = await activeWindow();
      if (!w) return null;
      return {
        app: w.owner.name || 'Unknown application',
        title: w.title || null,
        exePath: w.owner.path || null,
        pid: w.owner.processId || null,
        url: null,
      };
    },
    async idleSeconds() {
      const out = await run('xprintidle', [], 2000);
      const ms = out === null ? NaN : Number(out);
      return Number.isFinite(ms) ? ms / 1000 : null;
    },
    async locked() {
      if (!session) return false;
      const out = await run('loginctl', ['show-session', session, '-p', 'LockedHint', '--value'], 2000);
      return out === 'yes';
    },
    problems() {
      const problems: HealthProblem[] = [];
      if (env.XDG_SESSION_TYPE === 'wayland') {
        problems.push({
          code: 'activity.wayland',
          message:
            'This is a Wayland session: Harbour cannot see the active window. Use an X11 (Xorg) session.',
        });
      } else if (!env.DISPLAY) {
        problems.push({
          code: 'activity.no-display',
          message: 'No X display (DISPLAY is not set): the active window cannot be read.',
        });
      }
      for (const tool of ['xprop', 'xwininfo']) {
        if (!onPath(tool, env)) {
          problems.push({
            code: `activity.${tool}-missing`,
            message: `${tool} is not installed (Debian/Ubuntu package x11-utils): the active window cannot be read.`,
          });
        }
      }
      if (!onPath('xprintidle', env)) {
        problems.push({
          code: 'activity.xprintidle-missing',
          message: 'xprintidle is not installed (package xprintidle): idle time cannot be told.',
        });
      }
      return Promise.resolve(problems);
    },
  };
}
