import { describe, expect, it } from 'vitest';
import { cleanSerial } from './common.js';
import { platformProbes } from './index.js';

describe('platform probes', () => {
  it('drop firmware placeholder serials', () => {
    expect(cleanSerial('To be filled by O.E.M.')).toBeNull();
    expect(cleanSerial('Default string')).toBeNull();
    expect(cleanSerial('0000000')).toBeNull();
    expect(cleanSerial('  PF3ABC12 ')).toBe('PF3ABC12');
    expect(cleanSerial(null)).toBeNull();
  });

  it('report this machine for real', async () => {
    const info = await platformProbes().deviceInfo();
    expect(info.hostname.length).toBeGreaterThan(0);
    expect(info.os).toMatch(/\w/);
    const user = await platformProbes().currentUser();
    expect(user?.username.length).toBeGreaterThan(0);
  });
});
