import os from 'node:os';
import type { PlatformProbes } from './probes.js';
import { cleanSerial, processUser, run } from './common.js';

export const darwinProbes: PlatformProbes = {
  async deviceInfo() {
    const out = await run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
    const serial = /"IOPlatformSerialNumber" = "([^"]+)"/.exec(out ?? '')?.[1];
    return {
      hostname: os.hostname(),
      os: `macOS ${os.release()} (${os.arch()})`,
      serial: cleanSerial(serial),
    };
  },
  currentUser: () => Promise.resolve(processUser()),
};
