import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { activeWindow } from 'get-windows';
import type { ForegroundProbe } from './foreground.js';

// One long-running PowerShell prints "<idle ms> <locked 0|1>" every second: GetLastInputInfo
// for idle time, and the lock screen's LogonUI.exe process for "locked". Starting PowerShell
// per sample would cost far more than the sample itself.
const script = `
Add-Type @'
using System; using System.Runtime.InteropServices;
public static class HarbourIdle {
  [StructLayout(LayoutKind.Sequential)] struct LASTINPUTINFO { public uint cbSize; public uint dwTime; }
  [DllImport("user32.dll")] static extern bool GetLastInputInfo(ref LASTINPUTINFO plii);
  public static uint Ms() { var i = new LASTINPUTINFO(); i.cbSize = (uint)Marshal.SizeOf(i); GetLastInputInfo(ref i); return (uint)Environment.TickCount - i.dwTime; }
}
'@
while ($true) {
  $locked = if (Get-Process LogonUI -ErrorAction SilentlyContinue) { 1 } else { 0 }
  [Console]::Out.WriteLine("$([HarbourIdle]::Ms()) $locked"); [Console]::Out.Flush(); Start-Sleep -Seconds 1
}`;

/** Windows: get-windows for the window; a resident PowerShell helper for idle and lock. Not yet tried on real Windows. */
export function win32Foreground(): ForegroundProbe {
  let helper: ChildProcess | undefined;
  let last: { idleMs: number; locked: boolean; at: number } | undefined;
  const ensure = () => {
    if (helper && helper.exitCode === null) return;
    helper = spawn('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], {
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (helper.stdout) {
      createInterface({ input: helper.stdout }).on('line', (line) => {
        const [ms, locked] = line.trim().split(' ');
        if (ms !== undefined) last = { idleMs: Number(ms), locked: locked === '1', at: Date.now() };
      });
    }
  };
  const fresh = () => (last && Date.now() - last.at < 5000 ? last : undefined);
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
    idleSeconds() {
      ensure();
      const l = fresh();
      return Promise.resolve(l ? l.idleMs / 1000 : null);
    },
    locked() {
      ensure();
      return Promise.resolve(fresh()?.locked ?? false);
    },
    problems: () => Promise.resolve([]),
    close() {
      helper?.kill();
    },
  };
}
