import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { OverlayUrl, OverlayView, ScreenOverlay } from '../core/overlay.js';
import { listDisplays, type Display } from '../platform/displays.js';

export interface ChromiumOverlayOptions {
  /** Builds the URL each window opens (UiServer.entryUrl: a fresh one-time ticket each time). */
  url: OverlayUrl;
  logger: Logger;
  /** Default /usr/bin/chromium. */
  executable?: string;
  /** Default: every display node-screenshots finds. */
  displays?: () => Promise<Display[]>;
  /** Extra Chromium flags, e.g. --disable-gpu on Xvfb. */
  extraArgs?: string[];
  /** The environment Chromium runs in (DISPLAY...). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /**
   * How often to take the focus back if another window got it (Alt+Tab, a window that
   * opened later), using xdotool where it is installed. 0 turns it off. Default 400 ms.
   */
  guardIntervalMs?: number;
}

interface Instance {
  display: Display | null;
  proc: ChildProcess;
  dataDir: string;
  startedAt: number;
  /** The X window, once known (prepared windows). */
  window?: string;
}

/** How long a prepared window may take to appear (a cold Chromium start on a busy machine). */
const prepareTimeoutMs = 60_000;
/** After a prepared window fails or dies, the wait before preparing again: doubling from the first to the last. */
const prepareRetryMs = { first: 2000, last: 30_000 };

/**
 * The screen overlay as Chromium in kiosk mode: one full-screen app window per display,
 * each its own Chromium process (own temporary profile) placed with --window-position.
 * A window that is closed or killed while the overlay should be shown is opened again at
 * once; a guard takes the focus back from any other window. Used on Linux desktops and
 * in the tests on Xvfb; see docs/aup.md for what it cannot prevent.
 *
 * A cold Chromium start takes one to four seconds here before it paints, far too slow for
 * the pupil's "turn the screen off" cover. `prepare(view)` starts that view's windows ahead
 * of time and minimises each as soon as it appears (xdotool), so `show(view)` only restores them
 * again: a window raise and one paint (tens of milliseconds). The price is a Chromium
 * kept running, and a flicker while it starts (at agent start and after each use).
 */
export class ChromiumOverlay implements ScreenOverlay {
  private view: OverlayView | null = null;
  private instances: Instance[] = [];
  private guard: NodeJS.Timeout | undefined;
  private xdotool: boolean | undefined;
  private generation = 0;
  /** The view to keep ready (prepare()), its hidden windows once they are ready, and the attempt under way. */
  private standbyView: OverlayView | null = null;
  private standby: { view: OverlayView; instances: Instance[] } | null = null;
  private warming: Promise<void> | null = null;
  /** Ends the xdotool searches of a preparation under way (close()). */
  private readonly abort = new AbortController();
  private standbyGeneration = 0;
  private retry: NodeJS.Timeout | undefined;
  /** Preparations that failed in a row (for the back-off). */
  private failures = 0;
  private closed = false;
  /** How many windows have been re-opened after being closed or killed (for tests and logs). */
  respawns = 0;
  /** How many times show() mapped prepared windows instead of starting Chromium. */
  raised = 0;

  constructor(private readonly options: ChromiumOverlayOptions) {}

  get current(): OverlayView | null {
    return this.view;
  }

  /** The Chromium browser processes' ids, one per display. */
  get pids(): number[] {
    return pidsOf(this.instances);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** One window per display; one window wherever Chromium puts it if no display is known. */
  private async targets(): Promise<(Display | null)[]> {
    const displays = await (this.options.displays ?? listDisplays)();
    return displays.length > 0 ? displays : [null];
  }

  /** The prepared (hidden) windows' browser processes. */
  get standbyPids(): number[] {
    return pidsOf(this.standby?.instances ?? []);
  }

  async show(view: OverlayView): Promise<void> {
    if (this.view && this.view.path === view.path && this.instances.length > 0) return;
    const standby = this.standby;
    if (standby?.view.path === view.path) {
      this.standby = null;
      await this.killAll();
      this.view = view;
      const generation = ++this.generation;
      this.instances = standby.instances;
      for (const instance of this.instances) this.watch(instance, generation);
      const env = this.env;
      // Logged first: the windows may be painted before xdotool returns.
      this.options.logger.info({ view: view.path }, 'overlay: showing prepared windows');
      await Promise.all(
        this.instances.map((i) =>
          run('xdotool', ['windowmap', i.window ?? '', 'windowactivate', i.window ?? ''], env),
        ),
      );
      this.raised++;
      this.startGuard();
      return;
    }
    await this.killAll();
    this.view = view;
    const generation = ++this.generation;
    const targets = await this.targets();
    if (generation !== this.generation) return;
    for (const display of targets) this.instances.push(this.launch(display, generation));
    this.startGuard();
  }

  async hide(): Promise<void> {
    this.view = null;
    this.generation++;
    this.stopGuard();
    await this.killAll();
    void this.warm();
  }

  /**
   * Keeps `view` ready to show at once: its windows started now, hidden, and started again
   * after each use. Needs xdotool; without it show() starts Chromium as usual.
   */
  async prepare(view: OverlayView): Promise<void> {
    if (this.closed) return;
    if (this.standby && this.standby.view.path !== view.path) await this.dropStandby();
    this.standbyView = view;
    await this.warm();
  }

  /** Ends every window, the prepared ones too (the agent is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    this.standbyView = null;
    clearTimeout(this.retry);
    this.abort.abort();
    await this.hide();
    await this.warming;
    await this.dropStandby();
  }

  private async dropStandby(): Promise<void> {
    this.standbyGeneration++;
    const instances = this.standby?.instances ?? [];
    this.standby = null;
    await Promise.all(instances.map((i) => killGroup(i.proc)));
  }

  /** Starts the prepared view's hidden windows, unless they exist, are starting, or a view is shown. */
  private warm(): Promise<void> {
    const view = this.standbyView;
    if (this.closed || !view || this.standby || this.warming || this.view || this.xdotool === false)
      return this.warming ?? Promise.resolve();
    const generation = ++this.standbyGeneration;
    const env = this.env;
    this.warming = (async () => {
      const instances = (await this.targets()).map((display) => this.spawn(view, display));
      // Each window is minimised the moment it appears: only a brief flicker is seen.
      // Minimised, not unmapped: a withdrawn window loses its full-screen state (EWMH).
      let reason = '';
      const hidden = await Promise.all(
        instances.map(async (i) => {
          const found = await run(
            'xdotool',
            ['search', '--sync', '--onlyvisible', '--pid', String(i.proc.pid)],
            env,
            prepareTimeoutMs,
            this.abort.signal,
          );
          if (found === undefined) {
            this.xdotool = false;
            reason = 'xdotool is not installed';
            return false;
          }
          i.window = found.split('\n')[0]?.trim() || undefined;
          if (!i.window) {
            const gone = i.proc.exitCode ?? i.proc.signalCode;
            reason = gone !== null ? `Chromium exited (${gone})` : `no window within ${prepareTimeoutMs} ms`;
            return false;
          }
          return (await run('xdotool', ['windowminimize', '--sync', i.window], env)) !== undefined;
        }),
      );
      const stale = generation !== this.standbyGeneration || this.closed;
      const alive = instances.every((i) => i.proc.exitCode === null && i.proc.signalCode === null);
      if (stale || !alive || !hidden.every(Boolean)) {
        await Promise.all(instances.map((i) => killGroup(i.proc)));
        if (!stale) {
          this.options.logger.warn(
            { reason: reason || 'Chromium exited while starting', attempt: this.failures + 1 },
            'overlay: could not prepare hidden windows; trying again soon',
          );
          this.retryWarm();
        }
        return;
      }
      this.failures = 0;
      this.standby = { view, instances };
      this.options.logger.info({ view: view.path, windows: instances.length }, 'overlay: prepared, hidden');
      for (const instance of instances) {
        instance.proc.once('exit', () => {
          if (!this.standby?.instances.includes(instance)) return;
          this.options.logger.warn('overlay: a prepared window closed; preparing again later');
          void this.dropStandby().then(() => this.retryWarm());
        });
      }
    })().finally(() => {
      this.warming = null;
    });
    return this.warming;
  }

  private retryWarm(): void {
    clearTimeout(this.retry);
    const wait = Math.min(prepareRetryMs.last, prepareRetryMs.first * 2 ** this.failures++);
    this.retry = setTimeout(() => void this.warm(), wait);
    this.retry.unref();
  }

  private launch(display: Display | null, generation: number): Instance {
    const view = this.view;
    if (!view) throw new Error('overlay: nothing to show');
    const instance = this.spawn(view, display);
    this.watch(instance, generation);
    return instance;
  }

  /** Starts one kiosk window for `view` on `display`, in its own process group and profile. */
  private spawn(view: OverlayView, display: Display | null): Instance {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-overlay-'));
    const args = [
      `--app=${this.options.url(view.path)}`,
      '--kiosk',
      `--user-data-dir=${dataDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-translate',
      // A prepared cover waits minimised: keep its renderer at normal priority so it paints at once.
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-features=Translate,MediaRouter',
      '--disable-session-crashed-bubble',
      '--disable-infobars',
      '--noerrdialogs',
      '--disable-pinch',
      '--overscroll-history-navigation=0',
      '--password-store=basic',
      // Chromium refuses to run as root without --no-sandbox; --test-type drops its warning bar.
      ...(process.getuid?.() === 0 ? ['--no-sandbox', '--test-type'] : []),
      ...(display
        ? [`--window-position=${display.x},${display.y}`, `--window-size=${display.width},${display.height}`]
        : []),
      ...(this.options.extraArgs ?? []),
    ];
    const proc = spawn(this.options.executable ?? '/usr/bin/chromium', args, {
      // Its own process group, so hide() ends the renderers and helpers too.
      detached: true,
      stdio: 'ignore',
      env: this.env,
    });
    const instance: Instance = { display, proc, dataDir, startedAt: Date.now() };
    proc.once('error', (error) =>
      this.options.logger.error({ err: error }, 'overlay: cannot start Chromium'),
    );
    proc.once('exit', () => {
      // The browser process is gone; end its renderers and helpers too, then its profile.
      signalGroup(proc, 'SIGKILL');
      setTimeout(() => removeDir(dataDir), 500).unref();
    });
    return instance;
  }

  /** While `generation` is shown, a window that closes is opened again. */
  private watch(instance: Instance, generation: number): void {
    const { proc, display } = instance;
    proc.once('exit', (code, signal) => {
      if (generation !== this.generation || !this.instances.includes(instance)) return;
      // Closed (Alt+F4, a kill, a crash) while it should be shown: open it again.
      this.options.logger.warn({ code, signal, display: display?.name }, 'overlay window closed; reopening');
      const quick = Date.now() - instance.startedAt < 2000;
      setTimeout(
        () => {
          if (generation !== this.generation || !this.instances.includes(instance)) return;
          this.respawns++;
          this.instances[this.instances.indexOf(instance)] = this.launch(display, generation);
        },
        quick ? 1000 : 50,
      );
    });
  }

  private async killAll(): Promise<void> {
    const instances = this.instances;
    this.instances = [];
    await Promise.all(instances.map((i) => killGroup(i.proc)));
  }

  private startGuard(): void {
    const interval = this.options.guardIntervalMs ?? 400;
    if (interval <= 0 || this.guard || process.platform !== 'linux') return;
    this.guard = setInterval(() => void this.refocus(), interval);
    this.guard.unref();
  }

  private stopGuard(): void {
    clearInterval(this.guard);
    this.guard = undefined;
  }

  /** If a window that is not ours has the focus, give it back to the overlay. */
  private async refocus(): Promise<void> {
    if (this.xdotool === false || !this.view) return;
    const env = this.env;
    const active = await run('xdotool', ['getactivewindow', 'getwindowpid'], env);
    if (active === undefined) {
      // Not installed: run() gives undefined only when the command cannot start.
      this.xdotool = await run('xdotool', ['--version'], env).then((v) => v !== undefined);
      return;
    }
    const pid = Number(active);
    const ours = this.pids;
    if (ours.length === 0 || ours.includes(pid)) return;
    const first = ours[0];
    const window = (await run('xdotool', ['search', '--onlyvisible', '--pid', String(first)], env))
      ?.split('\n')
      .find((w) => w.trim() !== '');
    if (window) await run('xdotool', ['windowactivate', window.trim()], env);
  }
}

function pidsOf(instances: Instance[]): number[] {
  return instances.flatMap((i) => (i.proc.pid === undefined ? [] : [i.proc.pid]));
}

/** Runs a command; resolves its stdout ('' on a non-zero exit), or undefined if it cannot start. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout = 2000,
  signal?: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout, signal }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined);
      else resolve(error ? '' : stdout.trim());
    });
  });
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

async function killGroup(proc: ChildProcess): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  signalGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
