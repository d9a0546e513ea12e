/**
 * Rate limits per caller (a device's credential, a staff sign-in's live connection), over
 * a small counter store so several server nodes can later share one (a PostgreSQL or
 * Redis table behind the same interface). Fixed windows: simple, and at these rates the
 * burst a window boundary allows is harmless.
 */

import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

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

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * The same counters as a store for @fastify/rate-limit (its `store` option), so the HTTP
 * limits per address (sign-in, enrolment) are counted once for the trust, whichever node
 * the balancer sends a request to. Each route counts apart, as the plugin's own stores do.
 */
export function httpRateLimitStore(
  store: CounterStore,
  now: () => number = Date.now,
): FastifyRateLimitStoreCtor {
  type RouteInfo = { routeInfo?: { method?: string; url?: string } };
  return class CounterRateLimitStore {
    private readonly prefix: string;

    constructor(options?: unknown) {
      // The plugin passes its merged route options; the route is in `routeInfo` (as its Redis store reads it).
      const route = (options as RouteInfo | undefined)?.routeInfo;
      this.prefix = route ? `http:${route.method ?? ''}${route.url ?? ''}:` : 'http:';
    }

    incr(key: string, callback: StoreCallback, timeWindow: number): void {
      const t = now();
      store.hit(this.prefix + key, timeWindow, t).then(
        ({ count, resetAt }) => callback(null, { current: count, ttl: Math.max(0, resetAt - t) }),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: StoreCallback, timeWindow: number): void {
      const t = now();
      store.peek(this.prefix + key, timeWindow, t).then(
        (count) => callback(null, { current: count, ttl: count > 0 ? timeWindow - (t % timeWindow) : 0 }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: unknown): CounterRateLimitStore {
      return new CounterRateLimitStore(routeOptions);
    }
  };
}
