/**
 * The browser extension's messages, as the agent receives them. The extension sends
 * them over native messaging to Harbour's native host, which relays them over a local
 * socket to the running agent after proving it knows the agent's per-session secret.
 * Texts arrive raw from web pages: the agent cleans them (cleanText) before using them.
 */
import { z } from 'zod';

export const bridgeLimits = {
  /** Largest single message (native messaging frame or socket line), in bytes. */
  messageBytes: 16 * 1024,
  rawUrl: 8192,
  rawTitle: 4096,
} as const;

export const browserKinds = ['chrome', 'edge', 'chromium', 'firefox', 'other'] as const;

/** The active tab of the focused browser window (or none, when the browser lost focus). */
export const browserTabMessageSchema = z.strictObject({
  type: z.literal('tab'),
  browser: z.enum(browserKinds),
  /** false when no browser window has focus; url and title are then null. */
  focused: z.boolean(),
  url: z.string().max(bridgeLimits.rawUrl).nullable(),
  title: z.string().max(bridgeLimits.rawTitle).nullable(),
  incognito: z.boolean(),
  /** When the browser saw the change (ms since the epoch). */
  at: z.number().int().positive(),
});
export type BrowserTabMessage = z.infer<typeof browserTabMessageSchema>;

export const browserHelloSchema = z.strictObject({
  type: z.literal('hello'),
  browser: z.enum(browserKinds),
  extensionVersion: z.string().max(40),
});

/**
 * Sent by Harbour's native host itself (not the extension) when it connects: the ids of the
 * processes above it. The browser starts the host, so the browser's own process is among
 * them, and that is the process that owns the browser's windows (_NET_WM_PID on X11). The
 * agent attaches a tab to a window only when the window belongs to the browser that said so.
 */
export const browserHostSchema = z.strictObject({
  type: z.literal('host'),
  pids: z.array(z.number().int().positive()).max(8),
});

export const browserMessageSchema = z.discriminatedUnion('type', [
  browserTabMessageSchema,
  browserHelloSchema,
  browserHostSchema,
]);
export type BrowserMessage = z.infer<typeof browserMessageSchema>;

/** The first line the native host sends on the agent's socket. */
export const bridgeAuthSchema = z.strictObject({
  type: z.literal('auth'),
  secret: z.string().min(32).max(128),
});
