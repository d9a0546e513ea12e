import { darwinProbes } from './darwin.js';
import { linuxProbes } from './linux.js';
import type { PlatformProbes } from './probes.js';
import { win32Probes } from './win32.js';

export type { DeviceInfo, PlatformProbes } from './probes.js';

/** The probes for the platform this process runs on. */
export function platformProbes(platform: NodeJS.Platform = process.platform): PlatformProbes {
  switch (platform) {
    case 'win32':
      return win32Probes;
    case 'darwin':
      return darwinProbes;
    default:
      return linuxProbes;
  }
}
