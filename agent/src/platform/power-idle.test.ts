import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ForegroundProbe } from './foreground.js';
import { withPowerMonitor, type PowerMonitorLike } from './power-idle.js';

/** A typed stand-in for Electron's powerMonitor (the shell), not for the code under test. */
class FakePower extends EventEmitter implements PowerMonitorLike {
  idle = 0;
  state: 'active' | 'idle' | 'locked' | 'unknown' = 'active';
  getSystemIdleTime(): number {
    return this.idle;
  }
  getSystemIdleState(): 'active' | 'idle' | 'locked' | 'unknown' {
    return this.state;
  }
}

const windowProbe: ForegroundProbe = {
  activeWindow: () => Promise.resolve({ app: 'WINWORD.EXE', title: 'Story', exePath: null, url: null }),
  idleSeconds: () => Promise.reject(new Error('not asked')),
  locked: () => Promise.reject(new Error('not asked')),
  problems: () => Promise.resolve([]),
};

describe('idle time and the lock screen from Electron’s powerMonitor (no PowerShell)', () => {
  it('reads idle seconds from the OS and keeps the window from the window probe', async () => {
    const power = new FakePower();
    const probe = withPowerMonitor(windowProbe, power);
    power.idle = 42;
    expect(await probe.idleSeconds()).toBe(42);
    expect((await probe.activeWindow())?.app).toBe('WINWORD.EXE');
    power.idle = Number.NaN;
    expect(await probe.idleSeconds()).toBeNull();
  });

  it('knows a lock the moment the OS says so, and an unlock, and tells the shell', async () => {
    const power = new FakePower();
    const seen: boolean[] = [];
    const probe = withPowerMonitor(windowProbe, power, (locked) => seen.push(locked));
    expect(await probe.locked()).toBe(false);
    power.emit('lock-screen');
    expect(await probe.locked()).toBe(true);
    power.emit('unlock-screen');
    expect(await probe.locked()).toBe(false);
    expect(seen).toEqual([true, false]);
  });

  it('sees a lock that began before it started', async () => {
    const power = new FakePower();
    power.state = 'locked';
    expect(await withPowerMonitor(windowProbe, power).locked()).toBe(true);
  });
});
