import type { ForegroundProbe } from './foreground.js';

/**
 * What Harbour uses of Electron's `powerMonitor` (the tray app passes the real one; this
 * file stays free of Electron so that the core and its tests need none).
 */
export interface PowerMonitorLike {
  /** Seconds since the last keyboard or mouse input (GetLastInputInfo on Windows, HIDIdleTime on macOS). */
  getSystemIdleTime(): number;
  /** 'locked' while the lock screen shows (Windows and macOS). */
  getSystemIdleState(idleThreshold: number): 'active' | 'idle' | 'locked' | 'unknown';
  on(event: 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
}

/**
 * Idle time and the lock screen from the operating system's own notifications, through
 * Electron's powerMonitor, instead of a resident PowerShell helper (AppLocker and WDAC's
 * constrained language mode block its Add-Type in many schools). The window itself still
 * comes from `probe` (get-windows: a native module on Windows and macOS, no process started).
 * `onLockChange` lets the tray app act on a lock and unlock (the covers come back above
 * everything after Ctrl+Alt+Del → Lock → unlock).
 */
export function withPowerMonitor(
  probe: ForegroundProbe,
  power: PowerMonitorLike,
  onLockChange?: (locked: boolean) => void,
): ForegroundProbe {
  let locked = safeState(power) === 'locked';
  power.on('lock-screen', () => {
    locked = true;
    onLockChange?.(true);
  });
  power.on('unlock-screen', () => {
    locked = false;
    onLockChange?.(false);
  });
  return {
    ...probe,
    activeWindow: () => probe.activeWindow(),
    problems: () => probe.problems(),
    idleSeconds() {
      try {
        const seconds = power.getSystemIdleTime();
        return Promise.resolve(Number.isFinite(seconds) && seconds >= 0 ? seconds : null);
      } catch {
        return Promise.resolve(null);
      }
    },
    // The event says so at once; the state covers a lock that began before the agent started.
    locked: () => Promise.resolve(locked || safeState(power) === 'locked'),
    close: () => probe.close?.(),
  };
}

function safeState(power: PowerMonitorLike): string {
  try {
    return power.getSystemIdleState(1);
  } catch {
    return 'unknown';
  }
}
