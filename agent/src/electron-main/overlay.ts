/**
 * The screen overlay in the Electron tray app: one frameless, kiosk, always-on-top
 * window per display, showing a page of the agent's local UI server.
 *
 * Type-checked against Electron's definitions; Electron's binary cannot run in Harbour's
 * development environment, so the same behaviour is proved with the Chromium kiosk
 * overlay on Xvfb (agent/src/node/chromium-overlay.ts, test/e2e/aup-gate.test.ts).
 */
import { BrowserWindow, globalShortcut, screen, type Display } from 'electron';
import type { Logger } from 'pino';
import type { OverlayUrl, OverlayView, ScreenOverlay } from '../core/overlay.js';
import { pageMayHave } from '../platform/screen-keys.js';

/** Shortcuts that would leave or switch away from the cover, swallowed while it is shown where the OS lets us. */
const swallowed = [
  'Alt+F4',
  'Alt+Tab',
  'Alt+Shift+Tab',
  'Escape',
  'CommandOrControl+W',
  'CommandOrControl+Q',
  'F11',
];

export class ElectronOverlay implements ScreenOverlay {
  private view: OverlayView | null = null;
  private windows: BrowserWindow[] = [];
  /** A view kept ready (prepare()): its windows, created hidden with the page loaded. */
  private standby: { view: OverlayView; windows: BrowserWindow[]; displays: string } | null = null;
  private standbyView: OverlayView | null = null;
  private readonly onDisplaysChanged = () => {
    if (this.view) this.rebuild(this.view);
  };

  constructor(
    private readonly url: OverlayUrl,
    private readonly logger: Logger,
  ) {}

  get current(): OverlayView | null {
    return this.view;
  }

  show(view: OverlayView): Promise<void> {
    if (this.view?.path === view.path && this.windows.length > 0) return Promise.resolve();
    this.view = view;
    const standby = this.standby;
    if (standby?.view.path === view.path && standby.displays === displayKey()) {
      // Prepared: showing the hidden windows is all that is left to do.
      this.standby = null;
      this.closeAll();
      this.windows = standby.windows;
      for (const win of this.windows) win.show();
      this.windows[0]?.focus();
    } else {
      this.rebuild(view);
    }
    for (const accelerator of swallowed) {
      // A failed registration (the OS keeps some, e.g. Ctrl+Alt+Del, Alt+Tab on Windows)
      // is logged: always-on-top and re-focus on blur still hold the cover.
      if (!globalShortcut.register(accelerator, () => undefined)) {
        this.logger.debug({ accelerator }, 'overlay: shortcut could not be taken');
      }
    }
    screen.on('display-added', this.onDisplaysChanged);
    screen.on('display-removed', this.onDisplaysChanged);
    screen.on('display-metrics-changed', this.onDisplaysChanged);
    return Promise.resolve();
  }

  /**
   * After the session was locked and unlocked (Ctrl+Alt+Del → Lock, Win+L): the windows are
   * made again above everything and take the focus, in case the OS put anything over them.
   */
  recover(): void {
    if (this.view) this.rebuild(this.view);
  }

  /** Creates `view`'s windows now, hidden with the page loaded, so that show(view) is immediate. */
  prepare(view: OverlayView): Promise<void> {
    this.standbyView = view;
    this.warm();
    return Promise.resolve();
  }

  private warm(): void {
    const view = this.standbyView;
    if (
      !view ||
      this.view ||
      (this.standby?.view.path === view.path && this.standby.displays === displayKey())
    )
      return;
    for (const win of this.standby?.windows ?? []) if (!win.isDestroyed()) win.destroy();
    this.standby = { view, displays: displayKey(), windows: this.openAll(view, false) };
  }

  hide(): Promise<void> {
    this.view = null;
    screen.off('display-added', this.onDisplaysChanged);
    screen.off('display-removed', this.onDisplaysChanged);
    screen.off('display-metrics-changed', this.onDisplaysChanged);
    for (const accelerator of swallowed) globalShortcut.unregister(accelerator);
    this.closeAll();
    this.warm();
    return Promise.resolve();
  }

  private rebuild(view: OverlayView): void {
    this.closeAll();
    this.windows = this.openAll(view, true);
  }

  /** One window per display, shown when ready or (visible false) kept hidden. */
  private openAll(view: OverlayView, visible: boolean): BrowserWindow[] {
    const primary = screen.getPrimaryDisplay().id;
    return screen
      .getAllDisplays()
      .map((display) => this.open(view, display, display.id === primary, visible));
  }

  /** One cover window on `display`; shown when its page is ready, or (visible false) kept hidden for show(). */
  private open(view: OverlayView, display: Display, primary: boolean, visible = true): BrowserWindow {
    const { x, y, width, height } = display.bounds;
    const win = new BrowserWindow({
      x,
      y,
      width,
      height,
      title: view.title ?? 'Harbour',
      frame: false,
      kiosk: true,
      fullscreen: true,
      alwaysOnTop: true,
      skipTaskbar: true,
      closable: false,
      minimizable: false,
      maximizable: false,
      resizable: false,
      movable: false,
      focusable: true,
      show: false,
      backgroundColor: '#ffffff',
      webPreferences: {
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        devTools: false,
        spellcheck: false,
      },
    });
    win.setAlwaysOnTop(true, 'screen-saver');
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.setContentProtection(false);
    // Only our own closeAll() may close it: refuse every other close (Alt+F4, the OS).
    win.on('close', (event) => {
      if (this.windows.includes(win)) event.preventDefault();
    });
    win.on('blur', () => {
      if (!this.windows.includes(win)) return;
      // Another window took the focus: take it back, and stay above it.
      win.setAlwaysOnTop(true, 'screen-saver');
      if (primary || !this.windows.some((w) => w.isFocused())) win.focus();
    });
    win.on('leave-full-screen', () => win.setFullScreen(true));
    win.webContents.on('before-input-event', (event, input) => {
      // Only the keys the pages need; no shortcut (new window, open, print, reload, devtools...).
      if (!pageMayHave(input)) event.preventDefault();
    });
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (event, target) => {
      if (new URL(target).origin !== new URL(win.webContents.getURL()).origin) event.preventDefault();
    });
    win.webContents.on('render-process-gone', () => {
      if (this.windows.includes(win)) void win.loadURL(this.url(view.path));
    });
    win.once('ready-to-show', () => {
      if (!visible) return;
      win.show();
      if (primary) win.focus();
    });
    void win.loadURL(this.url(view.path));
    return win;
  }

  private closeAll(): void {
    const windows = this.windows;
    this.windows = [];
    for (const win of windows) if (!win.isDestroyed()) win.destroy();
  }
}

/** Which displays there are, and where: prepared windows fit only the layout they were made for. */
function displayKey(): string {
  return JSON.stringify(screen.getAllDisplays().map((d) => [d.id, d.bounds]));
}
