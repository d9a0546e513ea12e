import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { OverlayUrl } from '../core/overlay.js';
import { listDisplays } from '../platform/displays.js';

export interface ChromiumBadgeOptions {
  url: OverlayUrl;
  logger: Logger;
  executable?: string;
  env?: NodeJS.ProcessEnv;
  extraArgs?: string[];
  /** Badge size in pixels (square). Default 112. */
  size?: number;
}

/** The window title the badge page has; used to find the window and keep it above others. */
export const badgeTitle = 'Harbour help';

/**
 * The "help" badge on Linux (and in the tests): a small Chromium app window in the
 * bottom-right corner of the primary display, kept above other windows with wmctrl where
 * installed. It can be dragged aside by the window manager but not closed for long: if it
 * is closed or killed it opens again. (The Electron tray app uses a frameless
 * always-on-top BrowserWindow instead: electron-main/tell.ts.)
 */
export class ChromiumBadge {
  private proc: ChildProcess | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChromiumBadgeOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async show(): Promise<void> {
    this.running = true;
    await this.launch();
  }

  async hide(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    const proc = this.proc;
    this.proc = undefined;
    if (proc?.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // gone
      }
      await exited;
    }
  }

  private async launch(): Promise<void> {
    const size = this.options.size ?? 112;
    const displays = await listDisplays();
    const primary = displays.find((d) => d.primary) ?? displays[0];
    const x = primary ? primary.x + primary.width - size - 24 : 0;
    const y = primary ? primary.y + primary.height - size - 64 : 0;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-badge-'));
    const proc = spawn(
      this.options.executable ?? '/usr/bin/chromium',
      [
        `--app=${this.options.url('/badge')}`,
        `--user-data-dir=${dataDir}`,
        `--window-position=${x},${y}`,
        `--window-size=${size},${size}`,
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-translate',
        '--noerrdialogs',
        '--password-store=basic',
        ...(process.getuid?.() === 0 ? ['--no-sandbox', '--test-type'] : []),
        ...(this.options.extraArgs ?? []),
      ],
      { detached: true, stdio: 'ignore', env: this.options.env ?? process.env },
    );
    this.proc = proc;
    proc.once('error', (error) => this.options.logger.error({ err: error }, 'badge: cannot start Chromium'));
    proc.once('exit', () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (this.running && this.proc === proc) {
        this.options.logger.warn('badge window closed; reopening');
        setTimeout(() => void (this.running && this.proc === proc ? this.launch() : undefined), 500);
      }
    });
    // Keep it above other windows (best effort: wmctrl may not be installed).
    clearInterval(this.timer);
    this.timer = setInterval(() => this.keepAbove(), 2000);
    this.timer.unref();
    setTimeout(() => this.keepAbove(), 800).unref();
  }

  private keepAbove(): void {
    execFile(
      'wmctrl',
      ['-r', badgeTitle, '-b', 'add,above,skip_taskbar'],
      { env: this.options.env ?? process.env, timeout: 2000 },
      () => undefined,
    );
  }
}
