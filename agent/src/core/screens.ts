import type { OverlayView, ScreenOverlay } from './overlay.js';

/**
 * Several features want the full-screen overlay: the pupil's "turn the screen off and
 * tell" cover, the AUP gate at logon, the teacher's "eyes on me", a teacher's message.
 * Only one view can be shown; the arbiter shows the most important claim and brings the
 * next one back when it is released. Each feature gets a lane that *is* a ScreenOverlay,
 * so features are written against the overlay interface alone.
 */
export const lanePriority = {
  /** A pupil's report: nothing may uncover it except an adult. */
  tell: 40,
  /** The acceptable use policy: the computer is unusable until agreed. */
  aup: 30,
  /** The teacher's "eyes on me". */
  teacher: 20,
  /** A teacher's message, dismissed by the pupil. */
  message: 10,
} as const;
export type Lane = keyof typeof lanePriority;

export class ScreenArbiter {
  private readonly claims = new Map<Lane, OverlayView>();
  private shown: Lane | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly overlay: ScreenOverlay) {}

  /** The lane whose view is on the screens now. */
  get top(): Lane | null {
    return this.shown;
  }

  /** Calls `listener` after each change of what is on the screens; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  lane(lane: Lane): ScreenOverlay {
    const claims = this.claims;
    return {
      show: (view) => this.claim(lane, view),
      hide: () => this.release(lane),
      prepare: (view) => this.overlay.prepare?.(view) ?? Promise.resolve(),
      get current(): OverlayView | null {
        return claims.get(lane) ?? null;
      },
    };
  }

  claim(lane: Lane, view: OverlayView): Promise<void> {
    this.claims.set(lane, view);
    return this.settle();
  }

  release(lane: Lane): Promise<void> {
    this.claims.delete(lane);
    return this.settle();
  }

  /** Shows the highest claim (or nothing); changes are applied one at a time, in order. */
  private settle(): Promise<void> {
    this.queue = this.queue
      .catch(() => undefined)
      .then(async () => {
        const best = [...this.claims.keys()].sort((a, b) => lanePriority[b] - lanePriority[a])[0] ?? null;
        if (best === null) {
          this.shown = null;
          if (this.overlay.current) await this.overlay.hide();
          this.changed();
          return;
        }
        const view = this.claims.get(best)!;
        this.shown = best;
        await this.overlay.show(view);
        this.changed();
      });
    return this.queue;
  }
}
