import { Monitor } from 'node-screenshots';

/** One physical display, in the desktop's coordinate space. */
export interface Display {
  id: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
}

/**
 * Every display attached now (node-screenshots: X11/RandR or Xinerama on Linux, DXGI on
 * Windows, CoreGraphics on macOS). Empty when there is no graphical session.
 */
export function listDisplays(): Promise<Display[]> {
  try {
    const displays = Monitor.all().map(toDisplay);
    return Promise.resolve(displays.sort((a, b) => a.x - b.x || a.y - b.y));
  } catch {
    return Promise.resolve([]);
  }
}

/** A node-screenshots monitor as Harbour describes a display. */
export function toDisplay(m: Monitor): Display {
  return {
    id: m.id(),
    name: m.name(),
    x: m.x(),
    y: m.y(),
    width: m.width(),
    height: m.height(),
    primary: m.isPrimary(),
  };
}
