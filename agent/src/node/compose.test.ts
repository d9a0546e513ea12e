import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OverlayView, ScreenOverlay } from '../core/overlay.js';
import { UiServer } from '../core/ui-server.js';
import { composeFeatures, screenFeatureNames, type ShellParts } from './compose.js';

/** A shell's parts as typed test doubles (the features themselves are the real ones). */
function shell(): ShellParts & { shown: OverlayView[]; badgeShown: number; triggers: number } {
  const shown: OverlayView[] = [];
  const overlay: ScreenOverlay = {
    current: null,
    show: (view) => {
      shown.push(view);
      return Promise.resolve();
    },
    hide: () => Promise.resolve(),
  };
  const parts = {
    shown,
    badgeShown: 0,
    triggers: 0,
    overlay,
    badge: {
      show: () => {
        parts.badgeShown++;
        return Promise.resolve();
      },
      hide: () => Promise.resolve(),
    },
    registerTriggers: () => {
      parts.triggers++;
    },
    probes: {
      foreground: {
        activeWindow: () => Promise.resolve(null),
        idleSeconds: () => Promise.resolve(0),
        locked: () => Promise.resolve(false),
        problems: () => Promise.resolve([]),
      },
      grab: () => Promise.resolve({ encode: () => Promise.resolve([]) }),
      capture: () => Promise.resolve([]),
      thumbnail: undefined,
      session: { signOut: () => Promise.resolve('failed' as const), groups: () => Promise.resolve([]) },
    },
  };
  return parts;
}

const health = { set: () => undefined, clear: () => undefined };

describe('one composition for every shell', () => {
  it.each([
    ['the Electron tray app', { aup: true, help: true, activity: true }],
    ['the Linux session helper', { aup: true, help: true, activity: true }],
    ['the headless agent with --aup on --help-badge', { aup: true, help: true, activity: true }],
  ])('%s gets every feature, its badge and its triggers', async (_name, options) => {
    const parts = shell();
    const ui = new UiServer({ logger: pino({ level: 'silent' }) });
    const c = composeFeatures(parts, { ui, health, ...options });
    expect(c.features.map((f) => f.name).sort()).toEqual([...screenFeatureNames].sort());
    await c.open();
    expect(parts.badgeShown).toBe(1);
    expect(parts.triggers).toBe(1);
    await ui.stop();
  });

  it('a shell without screens still supervises (thumbnails) but has no gate or cover', () => {
    const parts = { ...shell(), overlay: null };
    const ui = new UiServer({ logger: pino({ level: 'silent' }) });
    const c = composeFeatures(parts, { ui, health, aup: true, help: true, activity: true });
    expect(c.features.map((f) => f.name)).toEqual(['supervision', 'activity']);
  });
});
