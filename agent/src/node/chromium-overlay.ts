import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type * as JpegJs from 'jpeg-js';
import type { Logger } from 'pino';
import type { OverlayUrl, OverlayView, ScreenOverlay } from '../core/overlay.js';
import { listDisplays, type Display } from '../platform/displays.js';
import { X11Covers, type CoverInput } from '../platform/x11/covers.js';
import type { X11Desktop } from '../platform/x11/desktop.js';
import { isHelpShortcut, pageKey } from '../platform/x11/keys.js';
import { CdpPipe, type CdpEvent } from './cdp.js';

export interface ChromiumOverlayOptions {
  /** Builds the URL each page opens (UiServer.entryUrl: a fresh one-time ticket each time). */
  url: OverlayUrl;
  logger: Logger;
  /** The session's X connection (shared with the badge, the shortcut and the foreground probe). */
  desktop: X11Desktop;
  /** Default /usr/bin/chromium. */
  executable?: string;
  /** Default: every display node-screenshots finds. */
  displays?: () => Promise<Display[]>;
  /** Extra Chromium flags, e.g. --disable-gpu on Xvfb. */
  extraArgs?: string[];
  /** The environment Chromium runs in (DISPLAY...). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Ctrl+Alt+H pressed while a screen holds the keyboard (the passive grab cannot see it then). */
  onHelpShortcut?: () => void;
  /** How long show() waits for every display's page to paint before it fails. Default 15 s. */
  paintTimeoutMs?: number;
  /** With no view to keep prepared, Chromium ends this long after the last hide(). Default 10 s. */
  idleStopMs?: number;
  /**
   * No browser at idle (issue 12): a prepared view is not kept loaded but photographed (per
   * display size) once painted, and Chromium ends `lingerMs` after it was last needed. show()
   * of that view then maps the covers with its picture at once and starts Chromium behind it.
   */
  snapshots?: boolean;
  /** With `snapshots`: how long Chromium stays after a view was hidden or prepared. Default 20 s. */
  lingerMs?: number;
}

interface Slot {
  display: number;
  targetId: string;
  sessionId: string;
  /** The X window Chromium made for this page (adopted into our cover window). */
  window: number;
  /** The view loaded in it now. */
  loaded: string | null;
  loading: Promise<void> | null;
  /** Loaded while nothing was shown, and never shown since: nothing typed or clicked in it. */
  pristine: boolean;
}

interface Browser {
  proc: ChildProcess;
  cdp: CdpPipe;
  dataDir: string;
  slots: Slot[];
  startedAt: number;
  /** The UI server's origin: the only one its pages may navigate to. */
  origin: string | null;
  /** Pages Harbour opened, and how many it is opening now. */
  own: Set<string>;
  creating: number;
}

/**
 * Run in a page: resolves once it shows `path` and its content is on the screen. The path
 * matters: a page still holding the view it had before (the prepared one loading again after
 * hide()) must not count, or a message would be acknowledged before the pupil could press OK.
 *
 * "On the screen" is the first-contentful-paint entry, which Chromium adds only once the frame
 * with the page's first text or image has been presented (drawn into its window). The page's
 * own frames (two requestAnimationFrame callbacks) are not enough: they run on the page's main
 * thread, and rastering and drawing that frame come after, 170 ms later for a page with a few
 * blurred blocks on this machine, seconds on a busy one. A page that never paints text or an
 * image resolves 3 s after its frames ("frames"), so a page like that still shows.
 */
const paintedCheck = (path: string) => `new Promise((resolve) => {
  const want = ${JSON.stringify(path.split(/[?#]/)[0])};
  const shown = () => performance.getEntriesByName('first-contentful-paint').length > 0;
  const presented = () => {
    if (shown()) return resolve('presented');
    const observer = new PerformanceObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve('presented');
    });
    observer.observe({ type: 'paint' });
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve(shown() ? 'presented' : 'frames');
    }, 3000);
  };
  const check = () => {
    const root = document.getElementById('root') ?? document.body;
    if (location.pathname === want && document.readyState === 'complete' && root && root.childElementCount > 0) {
      document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(presented)));
    } else setTimeout(check, 10);
  };
  check();
})`;

const defaultBackground = 0xeef6fb;
let jpegJs: typeof JpegJs | undefined;

/** "#eaf4ef" → 0xeaf4ef (a TrueColor pixel); the default when absent or not a colour. */
export function backgroundPixel(colour: string | undefined): number {
  const m = /^#([0-9a-f]{6})$/i.exec(colour ?? '');
  return m?.[1] ? parseInt(m[1], 16) : defaultBackground;
}

/**
 * The screen overlay on Linux: one Chromium for all of the session's screens, driven over
 * the DevTools protocol through a pipe, its page windows held inside Harbour's own
 * override-redirect windows (platform/x11/covers.ts), which hold the keyboard and pointer
 * while shown. Keys and clicks reach the page only as Harbour hands them on
 * (Input.dispatchKeyEvent / dispatchMouseEvent), and only the keys the pages need
 * (platform/x11/keys.ts): no browser, window-manager or desktop shortcut acts.
 *
 * - Nothing shows through: the X server paints our windows in the view's colour the moment
 *   they are mapped; if Chromium or its window is killed, they stay, solid, while Chromium
 *   starts again and its pages load.
 * - No browser chrome: pages are full screen with no tab strip or toolbar; new windows
 *   (window.open, Ctrl+N never gets there anyway) are closed, navigation anywhere but the
 *   agent's UI server is refused, file choosers, downloads and dialogs are refused.
 * - No secret on a command line: pages are opened with Page.navigate over the pipe; the
 *   command line carries only about:blank (issue 12 item 5).
 * - Ready before the click: prepare(view) loads the view's pages in the hidden windows, so
 *   show(view) is a map request (the X server paints at once) and the page's repaint.
 * - Honest: show() resolves only once every display's page has painted its content.
 * - Crash-safe: if the agent dies its X connection goes and the X server destroys the
 *   windows; Chromium exits when its DevTools pipe closes.
 */
export class ChromiumOverlay implements ScreenOverlay {
  private view: OverlayView | null = null;
  private standbyView: OverlayView | null = null;
  private browser: Browser | null = null;
  private starting: Promise<Browser> | null = null;
  private readonly covers: X11Covers;
  private displays: Display[] = [];
  private closed = false;
  private crashes: number[] = [];
  /** The display whose page gets the keys (the last one clicked; the primary at first). */
  private keyTarget = 0;
  /** Pointer buttons held now (for the mouse events' `buttons`). */
  private buttons = 0;
  private queue: Promise<void> = Promise.resolve();
  /** How many times Chromium or one of its pages was started again after it closed or was killed. */
  respawns = 0;
  /** How many times show() found the view already loaded (prepared) rather than loading it. */
  raised = 0;
  /** How many times show() painted a kept picture of the view before its live page. */
  pictured = 0;
  /** Pictures of prepared views: `${path} ${width}x${height}` → 32-bit BGRX pixels. */
  private readonly pictures = new Map<string, Buffer>();
  /** Counts show()s, so that a picture taken across one is thrown away. */
  private shows = 0;

  constructor(private readonly options: ChromiumOverlayOptions) {
    this.covers = new X11Covers(options.desktop, options.logger);
    this.covers.on('input', (input: CoverInput) => void this.forward(input));
    this.covers.on('child-gone', (display: number) => this.pageWindowGone(display));
    this.covers.on('lost', () => {
      // Our X connection went, and with it every window: Chromium's page windows too.
      if (this.browser) void this.restartBrowser('the X connection was lost');
    });
  }

  get current(): OverlayView | null {
    return this.view;
  }

  /** Chromium's browser process (one for every display), while it runs. */
  get pids(): number[] {
    const pid = this.browser?.proc.pid;
    return pid === undefined ? [] : [pid];
  }

  /** The same process when it holds a prepared view (kept for the tests' wording). */
  get standbyPids(): number[] {
    return this.standbyView &&
      !this.view &&
      this.browser?.slots.every((s) => s.loaded === this.standbyView?.path)
      ? this.pids
      : [];
  }

  /** How many pictures of prepared views are kept (for tests). */
  get picturesKept(): number {
    return this.pictures.size;
  }

  /** Our cover windows and the grabs they hold (for tests). */
  get screens(): { windows: number[]; pages: number[]; grabs: { keyboard: boolean; pointer: boolean } } {
    return { windows: this.covers.windows, pages: this.covers.adopted, grabs: this.covers.grabs };
  }

  show(view: OverlayView): Promise<void> {
    return this.serial(() => this.doShow(view));
  }

  hide(): Promise<void> {
    return this.serial(() => this.doHide());
  }

  /** Keeps `view` loaded in the hidden windows, so that show(view) is immediate. */
  prepare(view: OverlayView): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.standbyView = view;
    return this.serial(async () => {
      if (this.view) return;
      const browser = await this.ensureBrowser();
      this.covers.setBackground(backgroundPixel(view.background));
      await Promise.all(browser.slots.map((s) => this.load(browser, s, view)));
      this.options.logger.info(
        { view: view.path, windows: browser.slots.length },
        'overlay: prepared, hidden',
      );
      if (this.options.snapshots) {
        // Not in the queue: a badge press meanwhile must not wait for the picture. Chromium's
        // linger starts once the picture is taken: started alongside, a short linger (or a slow
        // computer) ended Chromium before the picture came, and the cover had none to show.
        clearTimeout(this.idleTimer);
        void this.photograph(browser, view).finally(() => this.linger(browser));
      }
    }).catch((error: Error) =>
      this.options.logger.warn({ err: error.message }, 'overlay: could not prepare the view yet'),
    );
  }

  /** Ends Chromium and the windows (the agent is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.standbyView = null;
    await this.serial(() => this.doHide()).catch(() => undefined);
    await this.stopBrowser();
  }

  /** Changes run one at a time, in order. */
  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.queue.catch(() => undefined).then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doShow(view: OverlayView): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.idleTimer);
    const same = this.view?.path === view.path && this.covers.shown;
    this.view = view;
    if (same) return;
    this.shows++;
    const ready = this.browser;
    const prepared =
      ready !== null &&
      !ready.cdp.closed &&
      ready.slots.length > 0 &&
      ready.slots.every((s) => s.loaded === view.path && !s.loading);
    await this.layout();
    // The first frame: our windows, solid in the view's colour (or with the view's picture),
    // above everything, holding the input.
    const pictures = prepared ? null : this.picturesOf(view);
    // Another view's picture (the cover's, still up when a message replaces it) must not stay.
    if (!pictures) this.covers.unveil();
    this.covers.setBackground(backgroundPixel(view.background));
    await this.covers.show(pictures ?? undefined);
    this.options.logger.info(
      { view: view.path },
      prepared
        ? 'overlay: showing prepared windows'
        : pictures
          ? 'overlay: covered with the picture of the view; starting its page'
          : 'overlay: covered; loading the view',
    );
    if (prepared) this.raised++;
    if (pictures) this.pictured++;
    for (const s of ready?.slots ?? []) s.pristine = false;
    this.keyTarget = Math.max(
      0,
      this.displays.findIndex((d) => d.primary),
    );
    const browser = await this.browserFor(view);
    await Promise.all(browser.slots.map((s) => this.load(browser, s, view)));
    await this.painted(browser, view);
    await this.handOver(view);
    this.options.logger.info({ view: view.path, displays: browser.slots.length }, 'overlay: page painted');
  }

  /**
   * The live page takes over from its picture, once the browser's window under it shows what
   * the picture shows (not only once the page says it painted: the browser may not have drawn
   * that frame into its window yet, and the picture would give way to white).
   */
  private async handOver(view: OverlayView): Promise<void> {
    if (this.covers.veiled && this.view === view && !(await this.covers.untilPageShows()))
      this.options.logger.warn(
        { view: view.path },
        'overlay: the page’s window did not match its picture in time',
      );
    if (this.view === view) this.covers.unveil();
  }

  /**
   * Chromium for a view being shown. A Chromium that dies while starting (killed, crashed) is
   * not yet ours to restart (browserGone), so it is tried again here while the view is wanted:
   * otherwise the screen would stay covered with no page (no PIN box, no Send) until hidden.
   */
  private async browserFor(view: OverlayView): Promise<Browser> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ensureBrowser();
      } catch (error) {
        if (this.closed || this.view !== view || attempt >= 5) throw error;
        this.options.logger.warn(
          { err: (error as Error).message, attempt },
          'overlay: Chromium did not start; trying again (the screens stay covered meanwhile)',
        );
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
  }

  /** The kept pictures of `view` for every display, or null unless there is one for each. */
  private picturesOf(view: OverlayView): Buffer[] | null {
    if (!this.options.snapshots || this.displays.length === 0) return null;
    const pictures = this.displays.map((d) => this.pictures.get(`${view.path} ${d.width}x${d.height}`));
    return pictures.every((p) => p !== undefined) ? pictures : null;
  }

  /**
   * Keeps a picture of each display's page showing `view`, taken while hidden and only of a
   * page loaded while nothing was shown (so never anything a pupil typed), at the display's
   * size. A picture is JPEG from Chromium, decoded once here into the X server's pixel order.
   */
  private async photograph(browser: Browser, view: OverlayView): Promise<void> {
    const shows = this.shows;
    const untouched = () =>
      !this.view && this.shows === shows && browser.slots.every((s) => s.pristine && s.loaded === view.path);
    if (!untouched()) return;
    try {
      await this.painted(browser, view);
      // Loaded the first time (CommonJS, as platform/thumbnail.ts does).
      jpegJs ??= createRequire(import.meta.url)('jpeg-js') as typeof JpegJs;
      const decoder = jpegJs;
      const shots = await Promise.all(
        browser.slots.map(async (slot) => {
          const d = this.displays[slot.display];
          // Chromium may still be fitting its page to our window (it sizes itself to the whole
          // screen on going full screen): a picture of another size is taken again shortly.
          for (let attempt = 0; attempt < 10 && d; attempt++) {
            const { data } = await withTimeout(
              browser.cdp.send<{ data: string }>(
                'Page.captureScreenshot',
                { format: 'jpeg', quality: 92 },
                slot.sessionId,
              ),
              5000,
            );
            const image = decoder.decode(Buffer.from(data, 'base64'), {
              useTArray: true,
              formatAsRGBA: true,
            });
            if (image.width === d.width && image.height === d.height) return { d, image };
            if (attempt === 9)
              this.options.logger.warn(
                { view: view.path, picture: [image.width, image.height], display: [d.width, d.height] },
                'overlay: a picture not of the display’s size; not kept',
              );
            await new Promise((r) => setTimeout(r, 200));
          }
          return null;
        }),
      );
      if (!untouched()) return;
      // Only the displays there are now: a projector plugged in and out all day keeps no old pictures.
      const sizes = new Set(this.displays.map((d) => `${view.path} ${d.width}x${d.height}`));
      for (const k of this.pictures.keys())
        if (k.startsWith(`${view.path} `) && !sizes.has(k)) this.pictures.delete(k);
      let kept = 0;
      for (const shot of shots) {
        if (!shot) continue;
        const { d, image } = shot;
        const px = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
        // RGBA → BGRX (ZPixmap, 32 bits a pixel, least significant byte first).
        for (let i = 0; i < px.length; i += 4) {
          const r = px[i] ?? 0;
          px[i] = px[i + 2] ?? 0;
          px[i + 2] = r;
        }
        this.pictures.set(`${view.path} ${d.width}x${d.height}`, px);
        kept++;
      }
      this.options.logger.info({ view: view.path, pictures: kept }, 'overlay: picture of the view kept');
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'overlay: no picture of the view');
    }
  }

  /** With `snapshots`: Chromium ends a while after it was last needed, unless something shows meanwhile. */
  private linger(browser: Browser): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.view && this.browser === browser)
        void this.serial(() =>
          this.view || this.browser !== browser ? Promise.resolve() : this.stopBrowser(),
        );
    }, this.options.lingerMs ?? 20_000);
    this.idleTimer.unref();
  }

  private idleTimer: NodeJS.Timeout | undefined;

  private async doHide(): Promise<void> {
    this.view = null;
    await this.covers.hide();
    const standby = this.standbyView;
    const browser = this.browser;
    clearTimeout(this.idleTimer);
    if (this.options.snapshots && browser) {
      // What was shown may hold what the pupil typed: the prepared view loads afresh for its
      // picture, and Chromium lingers from when that picture is taken (below).
      if (standby) {
        for (const s of browser.slots) if (!s.pristine) s.loaded = null;
      } else this.linger(browser);
    } else if (!standby && browser) {
      // Nothing to keep ready: the memory goes back to the lesson's software.
      this.idleTimer = setTimeout(() => {
        if (!this.view && !this.standbyView && this.browser === browser)
          void this.serial(() => (this.view ? Promise.resolve() : this.stopBrowser()));
      }, this.options.idleStopMs ?? 10_000);
      this.idleTimer.unref();
    }
    if (standby && browser && !this.closed) {
      // Hidden windows load the prepared view again: nothing of it shows meanwhile.
      this.covers.setBackground(backgroundPixel(standby.background));
      void Promise.all(browser.slots.map((s) => this.load(browser, s, standby)))
        .then(
          async () => {
            this.options.logger.info(
              { view: standby.path, windows: browser.slots.length },
              'overlay: prepared, hidden',
            );
            if (this.options.snapshots) await this.photograph(browser, standby);
          },
          (error: Error) =>
            this.options.logger.warn({ err: error.message }, 'overlay: could not prepare again'),
        )
        .finally(() => {
          if (this.options.snapshots) this.linger(browser);
        });
    }
  }

  /** The displays, as last known; asked again in the background so that a click never waits for it. */
  private async layout(): Promise<void> {
    if (this.displays.length > 0) {
      void this.relayout();
      return;
    }
    await this.relayout();
  }

  private async relayout(): Promise<void> {
    const displays = await (this.options.displays ?? listDisplays)();
    this.displays =
      displays.length > 0
        ? displays
        : [{ id: 0, name: 'screen', x: 0, y: 0, width: 1024, height: 768, primary: true }];
    await this.covers.layout(this.displays);
    // A display added or removed: one page per display again (the covers stay meanwhile).
    const browser = this.browser;
    if (browser && !this.starting && browser.slots.length !== this.displays.length)
      void this.restartBrowser('the displays changed');
  }

  /** Resolves once every page has painted (its own check, in the page), or fails after the timeout. */
  private async painted(browser: Browser, view: OverlayView): Promise<void> {
    const timeout = this.options.paintTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        over = true;
        reject(new Error(`a display was not painted within ${timeout} ms`));
      }, timeout);
    });
    try {
      await Promise.race([
        Promise.all(
          browser.slots.map(async (slot) => {
            await slot.loading;
            // The check's document may be replaced while it waits (the navigation to `view`
            // committing): CDP then fails the call, and the check runs again in the new one.
            const started = Date.now();
            while (!over && !browser.cdp.closed) {
              try {
                const { result } = await browser.cdp.send<{ result: { value?: unknown } }>(
                  'Runtime.evaluate',
                  { expression: paintedCheck(view.path), awaitPromise: true, returnByValue: true },
                  slot.sessionId,
                );
                const log = result.value === 'presented' ? 'debug' : 'warn';
                this.options.logger[log](
                  { view: view.path, display: slot.display, ms: Date.now() - started, by: result.value },
                  result.value === 'presented'
                    ? 'overlay: the page’s content is on the screen'
                    : 'overlay: the page painted no text or image; taken as shown after its frames',
                );
                return;
              } catch {
                await new Promise((r) => setTimeout(r, 50));
              }
            }
            throw new Error('the page went before it painted');
          }),
        ),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Navigates a page to `view` unless it is there already (or on its way). */
  private load(browser: Browser, slot: Slot, view: OverlayView): Promise<void> {
    if (slot.loaded === view.path && slot.loading) return slot.loading;
    if (slot.loaded === view.path) return Promise.resolve();
    slot.loaded = view.path;
    slot.pristine = this.view === null;
    const url = this.options.url(view.path);
    browser.origin ??= new URL(url).origin;
    const loading = (async () => {
      const loaded = new Promise<void>((resolve) => {
        // Removed with the page's load event: a Chromium kept for a day loads the prepared view
        // again after every hide, and a listener per load would pile up on its pipe.
        const onClose = () => resolve();
        const onEvent = (e: CdpEvent) => {
          if (e.sessionId === slot.sessionId && e.method === 'Page.loadEventFired') {
            browser.cdp.off('event', onEvent);
            browser.cdp.off('close', onClose);
            resolve();
          }
        };
        browser.cdp.on('event', onEvent);
        browser.cdp.once('close', onClose);
      });
      await browser.cdp.send('Page.navigate', { url }, slot.sessionId);
      await loaded;
    })().finally(() => {
      if (slot.loading === loading) slot.loading = null;
    });
    slot.loading = loading;
    return loading;
  }

  private ensureBrowser(): Promise<Browser> {
    if (this.browser && !this.browser.cdp.closed) return Promise.resolve(this.browser);
    this.starting ??= this.startBrowser().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async startBrowser(): Promise<Browser> {
    if (this.displays.length === 0) await this.layout();
    await this.covers.layout(this.displays);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-overlay-'));
    const args = [
      '--remote-debugging-pipe',
      '--no-startup-window',
      '--kiosk',
      `--user-data-dir=${dataDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-translate',
      '--disable-extensions',
      '--disable-default-apps',
      // Memory: no second renderer kept warm, no preloaded browser WebUI (the omnibox popup's
      // still gets one of its own in Chromium 156), the network service inside the browser process.
      '--disable-features=Translate,MediaRouter,OptimizationHints,SpareRendererForSitePerProcess,PreloadTopChromeWebUI,WebUIOmniboxPopup',
      '--enable-features=NetworkServiceInProcess2,NetworkServiceInProcess',
      '--disable-session-crashed-bubble',
      '--disable-infobars',
      '--noerrdialogs',
      '--disable-pinch',
      '--overscroll-history-navigation=0',
      '--password-store=basic',
      '--use-mock-keychain',
      // A page in a hidden window must stay ready to paint at once.
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      // Memory: every screen's page in one renderer, the GPU thread inside the browser process.
      '--renderer-process-limit=1',
      '--in-process-gpu',
      // Chromium refuses to run as root without --no-sandbox; --test-type drops its warning bar.
      ...(process.getuid?.() === 0 ? ['--no-sandbox', '--test-type'] : []),
      ...(this.options.extraArgs ?? []),
    ];
    // fd 3: commands to Chromium; fd 4: its answers. Only this process holds them.
    const proc = spawn(this.options.executable ?? '/usr/bin/chromium', args, {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      env: this.options.env ?? process.env,
    });
    const cdp = new CdpPipe(proc.stdio[3] as Writable, proc.stdio[4] as Readable);
    const browser: Browser = {
      proc,
      cdp,
      dataDir,
      slots: [],
      startedAt: Date.now(),
      origin: null,
      own: new Set(),
      creating: 0,
    };
    proc.once('error', (error) => {
      this.options.logger.error({ err: error }, 'overlay: cannot start Chromium');
      cdp.close(error);
    });
    proc.once('exit', () => {
      cdp.close(new Error('Chromium exited'));
      signalGroup(proc, 'SIGKILL');
      setTimeout(() => removeDir(dataDir), 500).unref();
    });
    cdp.on('event', (e: CdpEvent) => void this.onBrowserEvent(browser, e));
    cdp.once('close', () => {
      if (this.browser === browser) {
        this.browser = null;
        if (!this.closed) void this.browserGone(browser);
      }
    });
    // A start that hangs (a loaded machine, a wedged GPU thread) is ended and tried again.
    const stuck = setTimeout(() => {
      this.options.logger.warn('overlay: Chromium did not start within 30 s; ending it');
      signalGroup(proc, 'SIGKILL');
    }, 30_000);
    try {
      await cdp.send('Target.setDiscoverTargets', { discover: true });
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'deny' }).catch(() => undefined);
      for (let display = 0; display < this.displays.length; display++) {
        browser.slots.push(await this.openPage(browser, display));
      }
    } catch (error) {
      signalGroup(proc, 'SIGKILL');
      throw error;
    } finally {
      clearTimeout(stuck);
    }
    this.browser = browser;
    return browser;
  }

  /** One full-screen page for `display`, its window adopted into our cover window. */
  private async openPage(browser: Browser, display: number): Promise<Slot> {
    const { cdp, dataDir } = browser;
    const d = this.displays[display];
    const adopted = this.covers.adopt(display, dataDir);
    // If the browser dies before its window appears, the wait ends by itself (its timeout): not an error then.
    adopted.catch(() => undefined);
    browser.creating++;
    let targetId: string;
    try {
      ({ targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
        newWindow: true,
        ...(d ? { left: d.x, top: d.y, width: d.width, height: d.height } : {}),
      }));
      browser.own.add(targetId);
    } catch (error) {
      this.covers.cancelAdopt();
      throw error;
    } finally {
      browser.creating--;
    }
    const window = await adopted;
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    const slot: Slot = { display, targetId, sessionId, window, loaded: null, loading: null, pristine: false };
    await Promise.all([
      cdp.send('Page.enable', {}, sessionId),
      // The page behaves as focused (focus rings, caret) though the X focus stays where it was.
      cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true }, sessionId),
      cdp.send('Page.setInterceptFileChooserDialog', { enabled: true }, sessionId),
      // Every navigation of a page passes here: only the agent's own pages may load.
      cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document' }] }, sessionId),
    ]);
    // Full screen as Chromium sees it: no tab strip, no toolbar.
    const { windowId } = await cdp.send<{ windowId: number }>('Browser.getWindowForTarget', { targetId });
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'fullscreen' } });
    return slot;
  }

  private async onBrowserEvent(browser: Browser, e: CdpEvent): Promise<void> {
    const { cdp } = browser;
    switch (e.method) {
      case 'Target.targetCreated': {
        const info = e.params.targetInfo as { targetId: string; type: string; openerId?: string };
        if (info.type !== 'page') return;
        // A page Harbour did not open (window.open, a link with target=_blank): never part of a
        // cover. Harbour's own are known once their createTarget answers.
        if (!info.openerId) {
          for (let i = 0; i < 300 && browser.creating > 0; i++) await new Promise((r) => setTimeout(r, 100));
          if (browser.own.has(info.targetId)) return;
        }
        this.options.logger.warn(
          { opener: info.openerId ?? null },
          'overlay: closed a window Harbour did not open',
        );
        await cdp.send('Target.closeTarget', { targetId: info.targetId }).catch(() => undefined);
        return;
      }
      case 'Target.targetDestroyed':
      case 'Target.detachedFromTarget': {
        const targetId = (e.params.targetId ??
          (e.params.targetInfo as { targetId?: string } | undefined)?.targetId) as string | undefined;
        const slot = browser.slots.find((s) => s.targetId === targetId || s.sessionId === e.params.sessionId);
        if (slot && !cdp.closed && !this.closed && this.browser === browser)
          await this.restartBrowser('a page closed');
        return;
      }
      case 'Fetch.requestPaused': {
        const { requestId, request } = e.params as { requestId: string; request: { url: string } };
        const allowed = URL.canParse(request.url) && new URL(request.url).origin === browser.origin;
        if (!allowed)
          this.options.logger.warn({ url: request.url.slice(0, 200) }, 'overlay: navigation refused');
        await cdp
          .send(
            allowed ? 'Fetch.continueRequest' : 'Fetch.failRequest',
            allowed ? { requestId } : { requestId, errorReason: 'BlockedByClient' },
            e.sessionId,
          )
          .catch(() => undefined);
        return;
      }
      case 'Page.javascriptDialogOpening':
        await cdp.send('Page.handleJavaScriptDialog', { accept: false }, e.sessionId).catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /**
   * A page's window was closed or destroyed (xdotool windowkill kills Chromium's X
   * connection; windowclose destroys the window): Chromium is started again whole, while
   * the cover windows stay, solid. Simpler and surer than mending one page.
   */
  private pageWindowGone(display: number): void {
    const browser = this.browser;
    if (!browser || this.closed) return;
    setTimeout(() => {
      if (this.browser !== browser || browser.cdp.closed || this.closed) return;
      void this.restartBrowser(`the page window on display ${display} went away`);
    }, 300);
  }

  /** Chromium exited (killed, crashed, its window's connection killed): start it again. */
  private async browserGone(browser: Browser): Promise<void> {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < 60_000), now];
    this.respawns++;
    // Straight away the first times; if it keeps dying, wait a little longer each time (at most
    // 5 s: the screens stay covered meanwhile, but the page is what the pupil or adult uses).
    const wait = this.crashes.length <= 5 ? 0 : Math.min(5000, 250 * 2 ** (this.crashes.length - 6));
    this.options.logger.warn(
      { code: browser.proc.exitCode, signal: browser.proc.signalCode, waitMs: wait },
      'overlay: Chromium closed; starting it again (the screens stay covered meanwhile)',
    );
    await new Promise((r) => setTimeout(r, wait));
    if (this.closed) return;
    // With `snapshots` nothing is kept loaded while hidden: Chromium comes back only for a shown view.
    const view = this.view ?? (this.options.snapshots ? null : this.standbyView);
    if (!view) return;
    try {
      const fresh = await this.ensureBrowser();
      await Promise.all(fresh.slots.map((s) => this.load(fresh, s, view)));
      if (this.covers.veiled && this.view === view) {
        await this.painted(fresh, view);
        await this.handOver(view);
      }
      this.options.logger.info(
        { view: view.path, windows: fresh.slots.map((s) => s.window) },
        'overlay: Chromium back with the view loaded',
      );
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'overlay: Chromium did not start again');
      if (!this.browser) void this.browserGone(browser);
    }
  }

  private async restartBrowser(reason: string): Promise<void> {
    const browser = this.browser;
    if (!browser) return;
    this.options.logger.warn({ reason }, 'overlay: restarting Chromium');
    signalGroup(browser.proc, 'SIGKILL');
    await new Promise<void>((resolve) =>
      browser.cdp.closed ? resolve() : browser.cdp.once('close', () => resolve()),
    );
  }

  private async stopBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (!browser) return;
    const exited = new Promise<void>((resolve) =>
      browser.proc.exitCode !== null || browser.proc.signalCode !== null
        ? resolve()
        : browser.proc.once('exit', () => resolve()),
    );
    browser.cdp.close();
    signalGroup(browser.proc, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(browser.proc, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  /** Hands a key or click the grab took to the page, if the pages need it. */
  private async forward(input: CoverInput): Promise<void> {
    const browser = this.browser;
    if (input.kind === 'key' && input.press && isHelpShortcut(input.keysym, input.state)) {
      this.options.onHelpShortcut?.();
      return;
    }
    // A picture shows, not the page: what the grab took is dropped (it never reaches the desktop,
    // and a key meant for a box the pupil cannot see yet must not land in it unseen).
    if (this.covers.veiled) return;
    if (input.kind === 'key') {
      const key = pageKey(input.keysym, input.state);
      const slot = browser?.slots.find((s) => s.display === this.keyTarget) ?? browser?.slots[0];
      if (!key || !browser || !slot || !this.view) return;
      const base = {
        key: key.key,
        code: key.code,
        windowsVirtualKeyCode: key.keyCode,
        nativeVirtualKeyCode: key.keyCode,
        modifiers: key.shift ? 8 : 0,
      };
      const event = input.press
        ? key.text !== undefined
          ? { type: 'keyDown', text: key.text, unmodifiedText: key.text, ...base }
          : { type: 'rawKeyDown', ...base }
        : { type: 'keyUp', ...base };
      await browser.cdp.send('Input.dispatchKeyEvent', event, slot.sessionId).catch(() => undefined);
      return;
    }
    const slot = browser?.slots.find((s) => s.display === input.display);
    if (!browser || !slot || !this.view) return;
    const names: Record<number, 'left' | 'middle' | 'right'> = { 1: 'left', 2: 'middle', 3: 'right' };
    const bits: Record<number, number> = { 1: 1, 2: 4, 3: 2 };
    if (input.type !== 'move' && (input.button === 4 || input.button === 5)) {
      if (input.type === 'press')
        await browser.cdp
          .send(
            'Input.dispatchMouseEvent',
            {
              type: 'mouseWheel',
              x: input.x,
              y: input.y,
              deltaX: 0,
              deltaY: input.button === 4 ? -100 : 100,
            },
            slot.sessionId,
          )
          .catch(() => undefined);
      return;
    }
    const button = names[input.button];
    if (input.type === 'press') {
      this.keyTarget = input.display;
      this.buttons |= bits[input.button] ?? 0;
    }
    if (input.type === 'release') this.buttons &= ~(bits[input.button] ?? 0);
    if (input.type !== 'move' && !button) return;
    await browser.cdp
      .send(
        'Input.dispatchMouseEvent',
        {
          type:
            input.type === 'press'
              ? 'mousePressed'
              : input.type === 'release'
                ? 'mouseReleased'
                : 'mouseMoved',
          x: input.x,
          y: input.y,
          button: input.type === 'move' ? 'none' : button,
          buttons: this.buttons,
          clickCount: input.type === 'move' ? 0 : 1,
        },
        slot.sessionId,
      )
      .catch(() => undefined);
  }
}

/** `promise`, or a rejection after `ms` (a screenshot of a page that never produces a frame). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Signals every process in the group Chromium leads (it was spawned detached). */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // the whole group is already gone
  }
}

/** Removes a temporary profile; never throws (a straggler may still be writing to it). */
function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  } catch {
    // left in the temp folder; the OS clears it
  }
}
