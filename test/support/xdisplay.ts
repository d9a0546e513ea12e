import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Monitor } from 'node-screenshots';
import { repoRoot } from './paths.js';
import { waitFor } from './wait.js';

/** An RGB colour; `near` allows for anti-aliasing and compression. */
export type Rgb = [number, number, number];

export interface Capture {
  width: number;
  height: number;
  /** RGBA, row by row. */
  rgba: Buffer;
  png: Buffer;
}

/**
 * A real X display for desktop tests: Xvfb on a free display number (-displayfd) with the
 * openbox window manager. `env` is what programs on it need (DISPLAY). Call stop().
 */
export class XDisplay {
  private constructor(
    readonly display: string,
    private readonly xvfb: ChildProcess,
    private wm: ChildProcess,
    /** What openbox wrote to stderr, for the error when it does not come up. */
    private readonly wmLog: string[],
    private readonly others: ChildProcess[] = [],
  ) {}

  static async start(size = '1280x800'): Promise<XDisplay> {
    // -noreset: without it Xvfb resets whenever its last client leaves, so the xprop polls
    // below (connect, read, leave) could reset the server just as openbox connects, and
    // openbox would exit with "cannot open display". That made a CI run fail.
    const xvfb = spawn(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', `${size}x24`, '-nolisten', 'tcp', '-noreset'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    process.once('exit', () => xvfb.kill('SIGKILL'));
    const number = await new Promise<string>((resolve, reject) => {
      let out = '';
      const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream;
      fd3.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
      setTimeout(() => reject(new Error('Xvfb did not report a display')), 15_000);
    });
    const display = `:${number}`;
    const wmLog: string[] = [];
    const x = new XDisplay(display, xvfb, XDisplay.startWm(display, wmLog), wmLog);
    try {
      // openbox is up once it owns the window manager selection (_NET_SUPPORTING_WM_CHECK on
      // the root). Should it exit first (a loaded machine, a hiccup in the X connection), it
      // is started again; its last words go into the error if it never comes up.
      await waitFor(
        async () => {
          if (x.wm.exitCode !== null || x.wm.signalCode !== null) x.wm = XDisplay.startWm(display, x.wmLog);
          return (await x.run('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'])).includes('window id');
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'openbox to start' },
      );
    } catch (error) {
      await x.stop();
      throw new Error(
        `${(error as Error).message}; openbox said: ${x.wmLog.join('').slice(-2000) || '(nothing)'}`,
        { cause: error },
      );
    }
    return x;
  }

  private static startWm(display: string, log: string[]): ChildProcess {
    const wm = spawn('openbox', ['--sm-disable'], {
      env: { ...process.env, DISPLAY: display },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    wm.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    wm.once('exit', (code, signal) => log.push(`[openbox exited: ${code ?? signal}]\n`));
    process.once('exit', () => wm.kill('SIGKILL'));
    return wm;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DISPLAY: this.display };
  }

  /** Runs an X client to completion (xdotool, xsetroot...); resolves its stdout. */
  run(cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { env: this.env, timeout: 10_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${error.message} ${stderr}`));
        else resolve(stdout.trim());
      });
    });
  }

  /** Starts a long-running X client (a coloured window...); stopped with the display. */
  launch(cmd: string, args: string[]): ChildProcess {
    const proc = spawn(cmd, args, { env: this.env, stdio: 'ignore' });
    process.once('exit', () => proc.kill('SIGKILL'));
    this.others.push(proc);
    return proc;
  }

  /** Captures the whole screen (node-screenshots, the same library the agent uses). */
  capture(): Capture {
    const saved = process.env.DISPLAY;
    process.env.DISPLAY = this.display;
    try {
      const monitor = Monitor.all()[0];
      if (!monitor) throw new Error('no monitor on the X display');
      const image = monitor.captureImageSync();
      return { width: image.width, height: image.height, rgba: image.toRawSync(), png: image.toPngSync() };
    } finally {
      if (saved === undefined) delete process.env.DISPLAY;
      else process.env.DISPLAY = saved;
    }
  }

  /** Captures and saves the screen to test-results/<name>.png for people to look at. */
  snapshot(name: string): Capture {
    const capture = this.capture();
    const dir = path.join(repoRoot, 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.png`), capture.png);
    return capture;
  }

  async stop(): Promise<void> {
    for (const proc of [...this.others, this.wm, this.xvfb]) {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }
    }
  }
}

/** The share of pixels (sampled on a grid) within `tolerance` of `colour`, 0 to 1. */
export function colourShare(capture: Capture, colour: Rgb, tolerance = 24): number {
  let hits = 0;
  let total = 0;
  const step = 4;
  for (let y = 0; y < capture.height; y += step) {
    for (let x = 0; x < capture.width; x += step) {
      const i = (y * capture.width + x) * 4;
      const r = capture.rgba[i] ?? 0;
      const g = capture.rgba[i + 1] ?? 0;
      const b = capture.rgba[i + 2] ?? 0;
      total++;
      if (
        Math.abs(r - colour[0]) <= tolerance &&
        Math.abs(g - colour[1]) <= tolerance &&
        Math.abs(b - colour[2]) <= tolerance
      )
        hits++;
    }
  }
  return total === 0 ? 0 : hits / total;
}

/** The centre of the pixels within 8 of `colour` (e.g. where a button is), or null if fewer than 20. */
export function centreOf(shot: Capture, colour: Rgb): { x: number; y: number } | null {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < shot.height; y += 2) {
    for (let x = 0; x < shot.width; x += 2) {
      const i = (y * shot.width + x) * 4;
      if (
        Math.abs((shot.rgba[i] ?? 0) - colour[0]) <= 8 &&
        Math.abs((shot.rgba[i + 1] ?? 0) - colour[1]) <= 8 &&
        Math.abs((shot.rgba[i + 2] ?? 0) - colour[2]) <= 8
      ) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return n > 20 ? { x: Math.round(sx / n), y: Math.round(sy / n) } : null;
}
