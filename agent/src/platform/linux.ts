import fs from 'node:fs/promises';
import os from 'node:os';
import type { PlatformProbes } from './probes.js';
import { cleanSerial, processUser } from './common.js';

export const linuxProbes: PlatformProbes = {
  async deviceInfo() {
    // product_serial is root-only on most distributions; the agent then reports none.
    const serial = await fs.readFile('/sys/class/dmi/id/product_serial', 'utf8').catch(() => null);
    return {
      hostname: os.hostname(),
      os: `Linux ${os.release()} (${os.arch()})`,
      serial: cleanSerial(serial),
    };
  },
  currentUser: () => Promise.resolve(processUser()),
};
