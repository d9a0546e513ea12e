import { Monitor } from 'node-screenshots';

export interface DisplayInfo {
  id: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
}

export interface DisplayCapture {
  display: DisplayInfo;
  png: Buffer;
}

/** Every display attached now, in the desktop's coordinates. */
export function listDisplays(): DisplayInfo[] {
  return Monitor.all().map((m) => ({
    id: m.id(),
    name: m.name(),
    x: m.x(),
    y: m.y(),
    width: m.width(),
    height: m.height(),
    primary: m.isPrimary(),
  }));
}

/**
 * Captures every display as PNG (lossless: this is evidence). All displays are grabbed
 * first and encoded afterwards, so the images show the same instant.
 */
export async function captureDisplays(): Promise<DisplayCapture[]> {
  const monitors = Monitor.all();
  const images = await Promise.all(monitors.map((m) => m.captureImage()));
  return Promise.all(
    images.map(async (image, i) => {
      const m = monitors[i];
      if (!m) throw new Error('display list changed during capture');
      return {
        display: {
          id: m.id(),
          name: m.name(),
          x: m.x(),
          y: m.y(),
          width: m.width(),
          height: m.height(),
          primary: m.isPrimary(),
        },
        png: await image.toPng(),
      };
    }),
  );
}
