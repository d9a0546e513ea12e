import type { HealthProblem } from '@harbour/shared';
import pino from 'pino';
import { run } from './common.js';
import type { ForegroundProbe } from './foreground.js';
import { X11Desktop } from './x11/desktop.js';
import { X11Foreground } from './x11/foreground.js';

/**
 * X11: the active window, its title and idle time from X events over one long-lived X
 * connection (platform/x11/foreground.ts: no program is started to read them);
 * systemd-logind's LockedHint for the lock screen, asked only once the display has had no
 * input for 10 seconds, and then at most every 10 seconds.
 * Wayland sessions do not let one program see another's windows.
 */
export function linuxForeground(env: NodeJS.ProcessEnv = process.env, desktop?: X11Desktop): ForegroundProbe {
  const session = env.XDG_SESSION_ID;
  const wayland = env.XDG_SESSION_TYPE === 'wayland';
  const noDisplay = !env.DISPLAY;
  const x11 =
    wayland || noDisplay
      ? null
      : new X11Foreground({
          desktop: desktop ?? new X11Desktop(pino({ level: 'silent' }), env.DISPLAY),
          locked: session
            ? async () =>
                (await run('loginctl', ['show-session', session, '-p', 'LockedHint', '--value'], 2000)) ===
                'yes'
            : undefined,
        });
  const problem: HealthProblem | null = wayland
    ? {
        code: 'activity.wayland',
        message:
          'This is a Wayland session: Harbour cannot see the active window. Use an X11 (Xorg) session.',
      }
    : noDisplay
      ? {
          code: 'activity.no-display',
          message: 'No X display (DISPLAY is not set): the active window cannot be read.',
        }
      : null;
  return {
    activeWindow: () => x11?.activeWindow() ?? Promise.resolve(null),
    idleSeconds: () => x11?.idleSeconds() ?? Promise.resolve(null),
    locked: () => x11?.locked() ?? Promise.resolve(false),
    problems: async () => (problem ? [problem] : ((await x11?.problems()) ?? [])),
    onChange: (listener) => x11?.onChange(listener) ?? (() => undefined),
    close: () => x11?.close(),
  };
}
