/**
 * One composition of the agent's features, for every shell: the single-process headless
 * agent (cli.ts), the Linux session helper (session/helper.ts) and the Electron tray app
 * (electron-main/main.ts) all call `composeFeatures` with what they provide — an overlay,
 * a badge or tray, their own help triggers, the OS probes — so no shell can leave a
 * feature out (the tray app once never started supervision). Which features exist is
 * decided here, once; a shell only decides how its parts look.
 */
import type { AgentFeature, HealthSink } from '../core/feature.js';
import type { ScreenOverlay } from '../core/overlay.js';
import { ScreenArbiter } from '../core/screens.js';
import { SupervisionFeature } from '../core/supervision.js';
import { OverlayScreenControls } from '../core/teacher-screens.js';
import { TellFeature } from '../core/tell.js';
import type { UiServer } from '../core/ui-server.js';
import { AupFeature } from '../core/aup/feature.js';
import { ActivityFeature } from '../core/activity/feature.js';
import { captureDisplays, type DisplayCapture } from '../platform/capture.js';
import { foregroundProbe, type ForegroundProbe } from '../platform/foreground.js';
import { platformSession, type SessionControl } from '../platform/session.js';
import { grabDisplays } from '../platform/grab.js';
import { primaryThumbnail } from '../platform/thumbnail.js';
import { x11Thumbnail } from '../platform/x11/thumbnail.js';
import type { X11Desktop } from '../platform/x11/desktop.js';

/** The help badge (Linux: a small window; Electron: a frameless window), shown while the agent runs. */
export interface HelpBadge {
  show(): Promise<void>;
  hide(): Promise<void>;
}

/** What the OS gives the features in this shell. */
export interface ShellProbes {
  foreground: ForegroundProbe;
  /** Raw grab of every display now, encoded later (tell's evidence). */
  grab: () => Promise<{ encode(): Promise<DisplayCapture[]> }>;
  /** Every display as PNG now (activity flags' evidence). */
  capture: () => Promise<DisplayCapture[]>;
  /** The teacher's live thumbnail; undefined where there is no screen to capture. */
  thumbnail: ((maxWidth: number) => Promise<{ jpeg: Buffer; width: number; height: number }>) | undefined;
  session: SessionControl;
}

/** What a shell provides. */
export interface ShellParts {
  /** The full-screen overlay for pupil screens; null where this shell has no screens. */
  overlay: ScreenOverlay | null;
  /** The help badge; null where the shell shows none. */
  badge: HelpBadge | null;
  /** The shell's own help triggers (the tray item, a global shortcut), given the tell feature. */
  registerTriggers?(tell: TellFeature): void;
  probes: ShellProbes;
}

export interface ComposeOptions {
  ui: UiServer;
  health: HealthSink;
  /** Show the acceptable use policy at logon. */
  aup: boolean;
  /** A pupil can press "help" here (badge, tray or shortcut): keep the cover ready. */
  help: boolean;
  /** Report the active window and website. */
  activity: boolean;
  bridgeDir?: string | undefined;
}

export interface Composition {
  /** In start order. */
  readonly features: AgentFeature[];
  readonly tell: TellFeature | null;
  readonly supervision: SupervisionFeature;
  readonly aup: AupFeature | null;
  readonly activity: ActivityFeature | null;
  readonly arbiter: ScreenArbiter | null;
  /** Starts the local UI server, then the badge and the shell's triggers. */
  open(): Promise<void>;
  /** Takes the windows down, the prepared ones too (before the features stop, so none is started again). */
  closeWindows(): Promise<void>;
}

/** The names of the features a composition with screens always has (tests check each one starts). */
export const screenFeatureNames = ['supervision', 'activity', 'aup', 'tell'] as const;

export function composeFeatures(shell: ShellParts, options: ComposeOptions): Composition {
  const { ui } = options;
  const arbiter = shell.overlay ? new ScreenArbiter(shell.overlay) : null;
  const teacherScreens = arbiter
    ? new OverlayScreenControls({ teacher: arbiter.lane('teacher'), message: arbiter.lane('message') }, ui)
    : null;
  const supervision = new SupervisionFeature({ thumbnail: shell.probes.thumbnail, screens: teacherScreens });
  // One foreground-window probe, shared by activity reporting and tell (the window at the click).
  const foreground = shell.probes.foreground;
  const tell = arbiter
    ? new TellFeature({
        grab: shell.probes.grab,
        overlay: arbiter.lane('tell'),
        ui,
        activeWindow: foreground,
        prepareCover: options.help,
      })
    : null;
  const aup =
    arbiter && options.aup
      ? new AupFeature({ ui, overlay: arbiter.lane('aup'), session: shell.probes.session })
      : null;
  const activity = options.activity
    ? new ActivityFeature({
        probe: foreground,
        capture: shell.probes.capture,
        bridgeDir: options.bridgeDir,
        health: options.health,
        covered: arbiter
          ? { now: () => arbiter.top !== null, onChange: (l) => arbiter.onChange(l) }
          : undefined,
      })
    : null;
  const features: AgentFeature[] = [
    supervision,
    ...(activity ? [activity] : []),
    ...(aup ? [aup] : []),
    ...(tell ? [tell] : []),
  ];
  const badge = tell && options.help ? shell.badge : null;
  return {
    features,
    tell,
    supervision,
    aup,
    activity,
    arbiter,
    async open() {
      await ui.start();
      await badge?.show();
      if (tell) shell.registerTriggers?.(tell);
    },
    async closeWindows() {
      await Promise.all([badge?.hide(), (shell.overlay as { close?(): Promise<void> } | null)?.close?.()]);
    },
  };
}

/**
 * The OS probes of a Node shell (the headless agent, the Linux session helper); on Linux the
 * foreground probe reads X events over `desktop`, the connection the screens use.
 */
export function nodeShellProbes(env: NodeJS.ProcessEnv = process.env, desktop?: X11Desktop): ShellProbes {
  return {
    foreground: foregroundProbe(process.platform, { desktop }),
    grab: grabDisplays,
    capture: captureDisplays,
    // Thumbnails need a screen: on Linux, only when there is an X display. On X the server
    // shrinks the display itself (no full-size frame in this process); if it cannot, a capture.
    thumbnail: desktop
      ? (maxWidth) => x11Thumbnail(desktop, maxWidth).catch(() => primaryThumbnail(maxWidth))
      : process.platform !== 'linux' || env.DISPLAY
        ? primaryThumbnail
        : undefined,
    session: platformSession(),
  };
}
