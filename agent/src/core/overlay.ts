/**
 * A full-screen cover over every display: the pupil-facing pages (the AUP at logon, and
 * later the "turn the screen off and tell" cover and the teacher's "eyes on me") are
 * shown through it. While shown it is above every other window on every display, and
 * the keyboard and mouse cannot get past it (Escape, Alt+F4, Alt+Tab, clicking
 * elsewhere and closing the window do nothing useful).
 *
 * Implementations:
 * - agent/src/electron-main/overlay.ts: Electron windows (the tray app on Windows and macOS)
 * - agent/src/node/chromium-overlay.ts: one Chromium over the DevTools pipe, inside Harbour's own
 *   X11 windows that hold the keyboard and pointer (Linux, and the tests on Xvfb)
 */
export interface OverlayView {
  /** A page of the agent's local UI server, e.g. "/aup". */
  path: string;
  /** The window title screen readers announce. */
  title?: string;
  /**
   * The page's background colour ("#rrggbb"): the overlay paints the screen in it the
   * instant it covers it, before the page has painted, so that the first frame is already
   * the cover's colour.
   */
  background?: string;
}

export interface ScreenOverlay {
  /**
   * Covers every display with `view`. Showing the view already shown keeps the windows
   * (and what the user typed); another view replaces them. Resolves once the view is
   * painted on every display (so a caller may say "done"); rejects if it could not be.
   */
  show(view: OverlayView): Promise<void>;
  /** Removes the cover from every display. */
  hide(): Promise<void>;
  /**
   * Optional: gets `view` ready ahead of time (hidden windows with the page loaded), so
   * that a later show(view) only has to raise them. For covers that must come at once.
   */
  prepare?(view: OverlayView): Promise<void>;
  /** The view shown now, or null. */
  readonly current: OverlayView | null;
}

/** Builds the URL a new overlay window opens for `path` (UiServer.entryUrl). */
export type OverlayUrl = (path: string) => string;
