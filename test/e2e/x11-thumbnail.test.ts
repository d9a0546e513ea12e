/**
 * The teacher's thumbnail shrunk by the X server (XRender), on a real Xvfb display: the
 * picture is the screen (the desktop and the window on it, in their places), at the
 * thumbnail's size. (What a lesson adds to the helper's memory is measured by the machine
 * benchmark, bench/machine.ts.)
 */
import jpeg from 'jpeg-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X11Desktop } from '../../agent/src/platform/x11/desktop.js';
import { x11Thumbnail } from '../../agent/src/platform/x11/thumbnail.js';
import { waitFor } from '../support/wait.js';
import { colourShare, XDisplay, type Capture, type Rgb } from '../support/xdisplay.js';

const desktopColour: Rgb = [255, 0, 255];
const xtermColour: Rgb = [0, 200, 200];
let x: XDisplay;
let desktop: X11Desktop;
const before = process.env.DISPLAY;

beforeAll(async () => {
  x = await XDisplay.start('1280x800');
  // listDisplays (node-screenshots) finds the primary display on this process's DISPLAY.
  process.env.DISPLAY = x.display;
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  x.launch('xterm', ['-bg', '#00c8c8', '-fg', '#00c8c8', '-geometry', '80x24+0+0']);
  await waitFor(() => colourShare(x.capture(), xtermColour) > 0.1, { timeoutMs: 15_000, what: 'the xterm' });
  desktop = new X11Desktop(pino({ level: 'silent' }), x.display);
});

afterAll(async () => {
  desktop?.close();
  process.env.DISPLAY = before;
  await x?.stop();
});

const asCapture = (t: { jpeg: Buffer }): Capture => {
  const img = jpeg.decode(t.jpeg, { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, rgba: Buffer.from(img.data), png: Buffer.alloc(0) };
};

describe('a thumbnail the X server shrinks', () => {
  it('is the screen at 320 px: the same colours in the same places as a full capture, every time', async () => {
    const full = x.capture();
    // Many in a row, as a lesson makes them: the X resources (and their ids) are given back each time.
    for (let i = 0; i < 50; i++) await x11Thumbnail(desktop, 320);
    const thumb = await x11Thumbnail(desktop, 320);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 320, height: 200 });
    const small = asCapture(thumb);
    for (const colour of [desktopColour, xtermColour]) {
      expect(Math.abs(colourShare(small, colour, 40) - colourShare(full, colour, 40))).toBeLessThan(0.05);
    }
    // The xterm is top left: the thumbnail's top-left corner is the xterm, its bottom right the desktop.
    const at = (c: Capture, px: number, py: number) => [
      ...c.rgba.subarray((py * c.width + px) * 4, (py * c.width + px) * 4 + 3),
    ];
    expect(at(small, 20, 20).every((v, i) => Math.abs(v - xtermColour[i]!) < 40)).toBe(true);
    expect(at(small, 300, 190).every((v, i) => Math.abs(v - desktopColour[i]!) < 40)).toBe(true);
  });
});
