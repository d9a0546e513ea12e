import type { Logger } from 'pino';
import type { TellFeature } from '../core/tell.js';
import type { UiServer } from '../core/ui-server.js';
import { X11Badge } from '../platform/x11/badge.js';
import { X11Desktop } from '../platform/x11/desktop.js';
import { X11HelpShortcut } from '../platform/x11/hotkey.js';
import { ChromiumOverlay } from './chromium-overlay.js';

/** What a Linux shell (the headless agent, the session helper) gives composeFeatures for its screens. */
export interface X11ShellParts {
  /** The session's one X connection, also for the foreground probe (nodeShellProbes). */
  desktop: X11Desktop;
  overlay: ChromiumOverlay;
  badge: X11Badge;
  /** Ctrl+Alt+H, and the badge's and overlay's presses, go to `tell`. */
  registerTriggers: (tell: TellFeature) => void;
}

/**
 * The pupil screens of a Linux desktop over one X connection: the overlay (one Chromium
 * inside Harbour's override-redirect windows that hold the grabs), the badge the agent
 * draws itself, and Ctrl+Alt+H as a passive key grab. One place, so the headless agent and
 * the session helper build them the same way.
 */
export function x11ShellParts(
  ui: UiServer,
  logger: Logger,
  options: { extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): X11ShellParts {
  const env = options.env ?? process.env;
  const desktop = new X11Desktop(logger.child({ part: 'x11' }), env.DISPLAY);
  let tell: TellFeature | null = null;
  const help = (trigger: 'badge' | 'shortcut') =>
    void tell
      ?.tell(trigger)
      .catch((error: Error) => logger.error({ err: error, trigger }, 'help: the report failed'));
  const overlay = new ChromiumOverlay({
    url: (p) => ui.entryUrl(p),
    logger,
    desktop,
    env,
    extraArgs: options.extraArgs,
    // No Chromium while nothing is on screen: the cover shows its kept picture first (issue 12).
    snapshots: true,
    lingerMs: lingerMs(env.HARBOUR_OVERLAY_LINGER_MS),
    onHelpShortcut: () => help('shortcut'),
  });
  const badge = new X11Badge({ desktop, logger, onPress: () => help('badge') });
  const shortcut = new X11HelpShortcut(desktop, () => help('shortcut'), logger);
  return {
    desktop,
    overlay,
    badge,
    registerTriggers: (t) => {
      tell = t;
      shortcut
        .start()
        .catch((error: Error) =>
          logger.warn({ err: error.message }, 'help: Ctrl+Alt+H could not be registered'),
        );
    },
  };
}

/** HARBOUR_OVERLAY_LINGER_MS (tests shorten it): how long Chromium stays after a screen; default 20 s. */
function lingerMs(value: string | undefined): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? n : 20_000;
}
