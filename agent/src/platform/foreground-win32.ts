import { activeWindow } from 'get-windows';
import type { ForegroundProbe } from './foreground.js';

/**
 * Windows: get-windows (a native module: GetForegroundWindow, no process started) for the
 * window. Idle time and the lock screen come from Electron's powerMonitor in the tray app
 * (platform/power-idle.ts wraps this probe); the headless agent, which is not how Harbour
 * runs on Windows, reports them as unknown. There is no PowerShell helper: AppLocker and
 * WDAC's constrained language mode block its Add-Type in many schools.
 * Not yet tried on real Windows.
 */
export function win32Foreground(): ForegroundProbe {
  return {
    async activeWindow() {
      const w = await activeWindow();
      if (!w) return null;
      return {
        app: w.owner.name || 'Unknown application',
        title: w.title || null,
        exePath: w.owner.path || null,
        pid: w.owner.processId || null,
        url: null,
      };
    },
    idleSeconds: () => Promise.resolve(null),
    locked: () => Promise.resolve(false),
    problems: () => Promise.resolve([]),
  };
}
