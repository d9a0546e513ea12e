/**
 * Rate limits per caller (a device's credential, a staff sign-in's live connection), over
 * a small counter store so several server nodes can later share one (a PostgreSQL or
 * Redis table behind the same interface). Fixed windows: simple, and at these rates the
 * burst a window boundary allows is harmless.
 */

/** Counts hits per key in fixed windows. */
export interface CounterStore {
  /** Adds one hit to `key` in the window containing `now`; returns the window's count so far and when it ends. */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
  /** The count of `key` in the window containing `now`, without adding to it. */
  peek(key: string, windowMs: number, now: number): Promise<number>;
  /** Forgets `key`'s count in the window containing `now` (a right PIN forgives the wrong ones). */
  clear(key: string, windowMs: number, now: number): Promise<void>;
}

/** One process's counters, forgotten when their window is over. */
export function memoryCounters(): CounterStore {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return {
    hit(key, windowMs, now) {
      const start = now - (now % windowMs);
      if (now - lastSweep > windowMs) {
        for (const [k, w] of windows) if (w.start + windowMs <= now) windows.delete(k);
        lastSweep = now;
      }
      const current = windows.get(key);
      const w = current && current.start === start ? current : { start, count: 0 };
      w.count++;
      windows.set(key, w);
      return Promise.resolve({ count: w.count, resetAt: start + windowMs });
    },
    peek(key, windowMs, now) {
      const w = windows.get(key);
      return Promise.resolve(w && w.start === now - (now % windowMs) ? w.count : 0);
    },
    clear(key) {
      windows.delete(key);
      return Promise.resolve();
    },
  };
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number; message: string };

export interface RateLimit {
  /** Counts one request by `key`; refuses it when the key is over its limit in this window. */
  take(key: string): Promise<RateDecision>;
}

export function rateLimit(
  store: CounterStore,
  options: { perMinute: number; what: string; now?: () => number },
): RateLimit {
  const windowMs = 60_000;
  const now = options.now ?? Date.now;
  return {
    async take(key) {
      const t = now();
      const { count, resetAt } = await store.hit(key, windowMs, t);
      if (count <= options.perMinute) return { ok: true };
      const retryAfterMs = Math.max(0, resetAt - t);
      return {
        ok: false,
        retryAfterMs,
        message: `Too many requests from ${options.what}: at most ${options.perMinute} a minute. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
      };
    },
  };
}
