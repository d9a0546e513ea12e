import type { HealthProblem } from '@harbour/shared';
import { darwinForeground } from './foreground-darwin.js';
import { linuxForeground } from './foreground-linux.js';
import { win32Foreground } from './foreground-win32.js';
import type { X11Desktop } from './x11/desktop.js';

export { onPath } from './common.js';

/** The window in front of the user, as the operating system tells it. */
export interface ForegroundWindow {
  /** The application: WM_CLASS on Linux, the executable's name on Windows, the app name on macOS. */
  app: string;
  title: string | null;
  exePath: string | null;
  /** Only macOS reports a browser's URL; elsewhere the browser extension does. */
  url: string | null;
  /**
   * The process that owns the window (_NET_WM_PID on X11), where the platform tells. The
   * activity feature uses it to know Harbour's own windows and to match a browser window to
   * the browser the extension reports from (core/activity/join.ts).
   */
  pid?: number | null;
}

/** What the activity feature asks of the operating system. One implementation per platform. */
export interface ForegroundProbe {
  /** The foreground window, or null when there is none (an empty desktop). */
  activeWindow(): Promise<ForegroundWindow | null>;
  /** Seconds since the last keyboard or mouse input; null when this platform cannot tell. */
  idleSeconds(): Promise<number | null>;
  /** Whether the screen is locked. */
  locked(): Promise<boolean>;
  /** Prerequisites that are missing (reported to the server as device health problems). */
  problems(): Promise<HealthProblem[]>;
  /**
   * Optional: calls `listener` the moment the foreground window or its title changes, where
   * the platform tells (X11 events), so the activity feature need not wait for its next
   * sample. Returns a function that stops the calls.
   */
  onChange?(listener: () => void): () => void;
  close?(): void;
}

export interface ForegroundOptions {
  /** Linux: the session's X connection, shared with the screens (one is made if not given). */
  desktop?: X11Desktop;
}

export function foregroundProbe(
  platform: NodeJS.Platform = process.platform,
  options: ForegroundOptions = {},
): ForegroundProbe {
  switch (platform) {
    case 'win32':
      return win32Foreground();
    case 'darwin':
      return darwinForeground();
    default:
      return linuxForeground(process.env, options.desktop);
  }
}
