import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiServer } from '../../agent/src/core/ui-server.js';
import { ChromiumOverlay } from '../../agent/src/node/chromium-overlay.js';
import { X11Desktop } from '../../agent/src/platform/x11/desktop.js';
import { tempDir } from '../support/paths.js';
import { waitFor } from '../support/wait.js';
import { colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

// The screen overlay for real: Chromium in kiosk mode on Xvfb + openbox, proved with
// screen captures. The desktop is magenta and a teal window is open; while the overlay
// shows, neither colour may be anywhere on the screen, whatever the keyboard and mouse do.

const desktop: Rgb = [255, 0, 255];
const otherWindow: Rgb = [0, 200, 200];
const cover: Rgb = [32, 80, 192];
const otherView: Rgb = [0, 160, 60];

let x: XDisplay;
let ui: UiServer;
let overlay: ChromiumOverlay;
let x11: X11Desktop;

beforeAll(async () => {
  x = await XDisplay.start('1024x700');
  const root = tempDir('overlay-pages');
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><html><head><link rel="stylesheet" href="/cover.css"><script src="/view.js"></script><title>cover</title></head><body><h1>Covered</h1></body></html>',
  );
  // A second view of the same page shell, in its own colour (as /aup, /cover and /message are one
  // shell), and slow to draw: blurred blocks of its colour take Chromium a hundred milliseconds or
  // more to raster, long after the page's own frames have run, as a page with pictures or
  // effects can on a slow computer. The screen must still show it when show() returns.
  fs.writeFileSync(
    path.join(root, 'view.js'),
    `if (location.pathname === '/other') {
      document.documentElement.style.setProperty('--bg', 'rgb(0,160,60)');
      document.addEventListener('DOMContentLoaded', () => {
        for (let i = 0; i < 80; i++) {
          const block = document.createElement('div');
          block.style.cssText = 'position:absolute;width:300px;height:300px;background:rgb(0,160,60);filter:blur(40px);left:' + ((i * 67) % 700) + 'px;top:' + ((i * 53) % 400) + 'px';
          document.body.append(block);
        }
      });
    }`,
  );
  fs.writeFileSync(
    path.join(root, 'cover.css'),
    'html,body{margin:0;height:100%;background:var(--bg,rgb(32,80,192));color:#fff}',
  );
  ui = new UiServer({ logger: pino({ level: 'silent' }), root });
  await ui.start();
  x11 = new X11Desktop(pino({ level: 'silent' }), x.display);
  overlay = new ChromiumOverlay({
    desktop: x11,
    url: (p) => ui.entryUrl(p),
    logger: pino({ level: process.env.DEBUG_OVERLAY ? 'debug' : 'silent' }),
    env: x.env,
    extraArgs: ['--disable-gpu'],
    idleStopMs: 1000,
    displays: () =>
      Promise.resolve([{ id: 1, name: 'test', x: 0, y: 0, width: 1024, height: 700, primary: true }]),
  });
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  x.launch('xmessage', ['-bg', '#00c8c8', '-geometry', '700x500+100+100', 'A window the pupil opened']);
  await waitFor(() => colourShare(x.capture(), otherWindow) > 0.2, {
    timeoutMs: 15_000,
    what: 'the teal window',
  });
});

afterAll(async () => {
  await overlay?.close();
  x11?.close();
  await ui?.stop();
  await x?.stop();
});

const onlyCover = () => {
  const shot = x.capture();
  const shares = [cover, desktop, otherWindow].map((c) => colourShare(shot, c));
  if (shares[0]! > 0.95 && shares[1] === 0 && shares[2] === 0) return true;
  // Thrown, so that a wait that runs out says what the screen last showed.
  throw new Error(
    `cover ${shares[0]!.toFixed(3)}, desktop ${shares[1]!.toFixed(3)}, other ${shares[2]!.toFixed(3)}`,
  );
};
/** A second overlay on the same display, one screen, kept running between views. */
const preparedOverlay = () =>
  new ChromiumOverlay({
    desktop: x11,
    url: (p) => ui.entryUrl(p),
    logger: pino({ level: 'silent' }),
    env: x.env,
    extraArgs: ['--disable-gpu'],
    displays: () =>
      Promise.resolve([{ id: 1, name: 'test', x: 0, y: 0, width: 1024, height: 700, primary: true }]),
  });
const waitCovered = (what: string) =>
  waitFor(onlyCover, { timeoutMs: 20_000, intervalMs: 200, what }).catch(async (error: unknown) => {
    // What the screen showed when the wait ran out, for whoever reads the failure.
    x.snapshot(`overlay-not-covered-${what.replace(/\W+/g, '-')}`);
    if (process.env.DEBUG_OVERLAY) {
      const tree = await x.run('xwininfo', ['-root', '-tree']);
      console.log(tree);
      const wid = overlay.screens.pages[0];
      if (wid) console.log(await x.run('xwininfo', ['-id', String(wid)]).catch((e: Error) => e.message));
    }
    throw error;
  });

describe('the Chromium kiosk overlay on a real X display', () => {
  it('covers the whole screen, above the window that was open', async () => {
    expect(colourShare(x.capture(), desktop)).toBeGreaterThan(0.1);
    await overlay.show({ path: '/' });
    await waitCovered('the overlay to cover the screen');
    x.snapshot('overlay-shown');
  });

  it('Escape, Alt+F4 and Alt+Tab do not get past it', async () => {
    for (const key of ['Escape', 'alt+F4', 'alt+Tab', 'ctrl+w', 'F11']) {
      await x.run('xdotool', ['key', key]);
      await new Promise((r) => setTimeout(r, 1500));
      await waitCovered(`the cover after ${key}`);
    }
    x.snapshot('overlay-after-keys');
  });

  it('clicking elsewhere does not get past it', async () => {
    await x.run('xdotool', ['mousemove', '5', '5', 'click', '1', 'mousemove', '1000', '690', 'click', '3']);
    await new Promise((r) => setTimeout(r, 1000));
    await waitCovered('the cover after clicks');
  });

  it('a killed window comes straight back', async () => {
    const before = overlay.respawns;
    const [pid] = overlay.pids;
    expect(pid).toBeDefined();
    process.kill(pid ?? 0, 'SIGKILL');
    await waitFor(() => overlay.respawns > before, { what: 'the overlay to reopen' });
    await waitCovered('the cover after a kill');
    // Closing it through the window manager (xdotool windowkill) is the same.
    const windows = await x.run('xdotool', ['search', '--onlyvisible', '--pid', String(overlay.pids[0])]);
    const first = windows.split('\n')[0] ?? '';
    await x.run('xdotool', ['windowkill', first]);
    await waitFor(() => overlay.respawns > before + 1, { what: 'the overlay to reopen again' });
    await waitCovered('the cover after windowkill');
    x.snapshot('overlay-after-kill');
  });

  it('hide() gives the desktop back', async () => {
    await overlay.hide();
    await waitFor(() => colourShare(x.capture(), desktop) > 0.1 && colourShare(x.capture(), cover) === 0, {
      timeoutMs: 15_000,
      what: 'the desktop',
    });
    // With nothing to keep prepared, Chromium ends soon after (idleStopMs).
    await waitFor(() => overlay.pids.length === 0, { timeoutMs: 10_000, what: 'Chromium to end' });
    x.snapshot('overlay-hidden');
  });

  it('opens one window per display', async () => {
    const two = new ChromiumOverlay({
      desktop: x11,
      url: (p) => ui.entryUrl(p),
      logger: pino({ level: 'silent' }),
      env: x.env,
      extraArgs: ['--disable-gpu'],
      displays: () =>
        Promise.resolve([
          { id: 1, name: 'left', x: 0, y: 0, width: 512, height: 700, primary: true },
          { id: 2, name: 'right', x: 512, y: 0, width: 512, height: 700, primary: false },
        ]),
    });
    try {
      await two.show({ path: '/' });
      // One Chromium for both displays, a page window in each of Harbour's two cover windows.
      expect(two.pids).toHaveLength(1);
      expect(two.screens.windows).toHaveLength(2);
      expect(two.screens.pages.filter(Boolean)).toHaveLength(2);
      await waitCovered('both windows');
    } finally {
      await two.close();
    }
  });

  it('snapshots: no Chromium at idle; show() paints every display’s picture before Chromium’s page', async () => {
    const two = new ChromiumOverlay({
      desktop: x11,
      url: (p) => ui.entryUrl(p),

      env: x.env,
      extraArgs: ['--disable-gpu'],
      snapshots: true,
      lingerMs: 500,
      logger: pino({ level: process.env.DEBUG_OVERLAY ? 'info' : 'silent' }),
      displays: () =>
        Promise.resolve([
          // Two sizes: a picture is kept per display size (two displays of one size share one).
          { id: 1, name: 'left', x: 0, y: 0, width: 600, height: 700, primary: true },
          { id: 2, name: 'right', x: 600, y: 0, width: 424, height: 700, primary: false },
        ]),
    });
    // The page's words (white on its blue), on each half of the screen.
    const words = (shot: ReturnType<XDisplay['capture']>, left: number, width: number) => {
      let white = 0;
      for (let y = 0; y < 120; y++)
        for (let px = left; px < left + width; px++) {
          const i = (y * shot.width + px) * 4;
          if ((shot.rgba[i] ?? 0) > 230 && (shot.rgba[i + 1] ?? 0) > 230 && (shot.rgba[i + 2] ?? 0) > 230)
            white++;
        }
      return white > 50;
    };
    try {
      await two.prepare({ path: '/' });
      await waitFor(() => two.picturesKept === 2, { timeoutMs: 20_000, what: 'both displays photographed' });
      await waitFor(() => two.pids.length === 0, {
        timeoutMs: 10_000,
        what: 'Chromium gone after the linger',
      });
      expect(colourShare(x.capture(), cover)).toBe(0);
      let painted = false;
      const shown = two.show({ path: '/' }).then(() => (painted = true));
      const first = await waitFor(
        () => {
          const shot = x.capture();
          return colourShare(shot, cover) > 0.9 &&
            colourShare(shot, desktop) === 0 &&
            colourShare(shot, otherWindow) === 0 &&
            words(shot, 0, 600) &&
            words(shot, 600, 424)
            ? { painted }
            : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 5, what: 'both displays’ pictures' },
      );
      // Both displays showed their page's words before show() had Chromium's pages painted.
      expect(first.painted).toBe(false);
      await shown;
      // (Counted once show() has the grabs, which may be after the picture is on screen.)
      expect(two.pictured).toBe(1);
      expect(two.pids).toHaveLength(1);
      // The live pages: nothing from behind on either display (their own layout at these odd
      // widths is not this test's business).
      const live = x.capture();
      expect(colourShare(live, desktop) + colourShare(live, otherWindow)).toBe(0);
      await two.hide();
      // Photographed again (a fresh page), then gone again.
      await waitFor(() => two.pids.length === 0, { timeoutMs: 20_000, what: 'Chromium gone again' });
      expect(two.picturesKept).toBe(2);
    } finally {
      await two.close();
    }
  });

  it('prepared: hidden until shown, then covers the screen at once, and ready again after hide()', async () => {
    const ready = preparedOverlay();
    try {
      await ready.prepare({ path: '/' });
      expect(ready.standbyPids).toHaveLength(1);
      // Prepared means running but unseen: the pupil's window and the desktop are all there is.
      await new Promise((r) => setTimeout(r, 1000));
      const before = x.snapshot('overlay-prepared');
      expect(colourShare(before, cover)).toBe(0);
      expect(colourShare(before, otherWindow)).toBeGreaterThan(0.2);

      const standby = ready.standbyPids[0];
      await ready.show({ path: '/' });
      expect(ready.raised).toBe(1);
      expect(ready.pids).toEqual([standby]);
      await waitCovered('the prepared overlay');
      x.snapshot('overlay-prepared-shown');

      // Escape hatches are as closed as for a window started on show().
      for (const key of ['Escape', 'alt+F4', 'alt+Tab']) {
        await x.run('xdotool', ['key', key]);
        await new Promise((r) => setTimeout(r, 1000));
        await waitCovered(`the prepared cover after ${key}`);
      }

      await ready.hide();
      // The same Chromium loads the prepared view again in its hidden windows.
      await waitFor(() => ready.standbyPids.length === 1, {
        timeoutMs: 60_000,
        what: 'the overlay prepared again',
      });
      await waitFor(
        () => colourShare(x.capture(), cover) === 0 && colourShare(x.capture(), otherWindow) > 0.2,
        {
          timeoutMs: 15_000,
          what: 'the desktop with the new prepared window hidden',
        },
      );
    } finally {
      await ready.close();
    }
    expect(ready.standbyPids).toHaveLength(0);
    expect(ready.pids).toHaveLength(0);
  });

  it('a view shown while the prepared one is loading again is the one on screen when show() returns', async () => {
    // hide() loads the prepared view again in the hidden windows; a message shown at once
    // must not be reported as painted (and acknowledged to the teacher) while the page still
    // holds the prepared view or has not loaded yet: the pupil's keys would go nowhere.
    const ready = preparedOverlay();
    try {
      await ready.prepare({ path: '/' });
      for (let round = 0; round < Number(process.env.HARBOUR_SHOW_ROUNDS ?? 6); round++) {
        await ready.show({ path: '/' });
        await ready.hide();
        await new Promise((r) => setTimeout(r, round * 15));
        await ready.show({ path: '/other' });
        const shot = x.capture();
        expect(colourShare(shot, otherView), `round ${round}`).toBeGreaterThan(0.95);
        await ready.hide();
      }
    } finally {
      await ready.close();
    }
  });
});
