import os from 'node:os';
import type { PlatformProbes } from './probes.js';
import { cleanSerial, processUser, run } from './common.js';

export const win32Probes: PlatformProbes = {
  async deviceInfo() {
    const serial = await run('powershell.exe', [
      '-NoProfile',
      '-NonInteractive',
      '-Command',
      '(Get-CimInstance -ClassName Win32_BIOS).SerialNumber',
    ]);
    return { hostname: os.hostname(), os: `${os.version()} (${os.release()})`, serial: cleanSerial(serial) };
  },
  currentUser: () => Promise.resolve(processUser(process.env.USERDOMAIN)),
};
