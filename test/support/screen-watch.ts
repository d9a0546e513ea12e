import fs from 'node:fs';
import { colourShare, type Capture, type Rgb, type XDisplay } from './xdisplay.js';

export interface Glimpse {
  /** When the first bad frame was captured (ms since the watch started). */
  at: number;
  /** From the first bad frame to the first good one after it. */
  ms: number;
  /** What was being tried then. */
  during: string;
}

/**
 * Captures the screen continuously (as fast as node-screenshots goes, a frame every 20–40 ms
 * here) and records every frame where a forbidden colour shows: the desktop, or the
 * application behind a pupil screen. `during` labels what the test is trying at the time, so
 * a failure names the key or gesture that let something through.
 */
export class ScreenWatch {
  private running = false;
  private loop: Promise<void> | null = null;
  private started = 0;
  private current: Glimpse | null = null;
  readonly glimpses: Glimpse[] = [];
  frames = 0;
  during = 'start';
  private firstBad: Capture | null = null;

  constructor(
    private readonly x: XDisplay,
    private readonly forbidden: Rgb[],
  ) {}

  start(): void {
    this.running = true;
    this.started = performance.now();
    this.loop = (async () => {
      while (this.running) {
        const at = performance.now() - this.started;
        const shot = this.x.capture();
        this.frames++;
        const bad = this.forbidden.some((c) => colourShare(shot, c) > 0);
        if (bad && !this.current) {
          this.current = { at, ms: 0, during: this.during };
          this.firstBad ??= shot;
        }
        if (!bad && this.current) {
          this.current.ms = at - this.current.at;
          this.glimpses.push(this.current);
          this.current = null;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
  }

  async stop(): Promise<{ frames: number; glimpses: Glimpse[]; longestMs: number }> {
    this.running = false;
    await this.loop;
    if (this.current) {
      this.current.ms = performance.now() - this.started - this.current.at;
      this.glimpses.push(this.current);
      this.current = null;
    }
    if (this.firstBad) fs.writeFileSync('test-results/screens-hold-first-glimpse.png', this.firstBad.png);
    return {
      frames: this.frames,
      glimpses: this.glimpses,
      longestMs: Math.max(0, ...this.glimpses.map((g) => g.ms)),
    };
  }
}
