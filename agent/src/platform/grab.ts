import { Monitor } from 'node-screenshots';
import type { DisplayCapture } from './capture.js';

/**
 * Screen capture in two steps, for the "tell" button: `grabDisplays()` takes the raw
 * image of every display (fast; this is the instant the evidence shows), and the
 * returned `encode()` turns them into PNGs later, after the screen has been covered.
 * (platform/capture.ts's captureDisplays does both at once.)
 */
export async function grabDisplays(): Promise<{ encode(): Promise<DisplayCapture[]> }> {
  const monitors = Monitor.all();
  const images = await Promise.all(monitors.map((m) => m.captureImage()));
  const displays = monitors.map((m) => ({
    id: m.id(),
    name: m.name(),
    x: m.x(),
    y: m.y(),
    width: m.width(),
    height: m.height(),
    primary: m.isPrimary(),
  }));
  return {
    encode: () =>
      Promise.all(
        images.map(async (image, i) => {
          const display = displays[i];
          if (!display) throw new Error('display list changed during capture');
          return { display, png: await image.toPng() };
        }),
      ),
  };
}
