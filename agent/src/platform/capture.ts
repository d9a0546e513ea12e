import { Monitor } from 'node-screenshots';
import { toDisplay, type Display } from './displays.js';

export type DisplayInfo = Display;

export interface DisplayCapture {
  display: Display;
  png: Buffer;
}

/**
 * Captures every display as PNG (lossless: this is evidence). All displays are grabbed
 * first and encoded afterwards, so the images show the same instant.
 */
export async function captureDisplays(): Promise<DisplayCapture[]> {
  const monitors = Monitor.all();
  const images = await Promise.all(monitors.map((m) => m.captureImage()));
  return Promise.all(
    images.map(async (image, i) => ({ display: toDisplay(monitors[i]!), png: await image.toPng() })),
  );
}
