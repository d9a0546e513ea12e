import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainHash, genesisHash, legacyChainHash } from './audit-chain.js';

const entry = {
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'u1',
  action: 'incident.view',
  subject: 's',
  detail: null,
};
const key = randomBytes(32);

describe('audit hash chain', () => {
  it('is an HMAC-SHA256 under the key over the previous hash and the entry', () => {
    const h = chainHash(key, genesisHash, entry);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(key, genesisHash, entry)).toBe(h);
    expect(chainHash(randomBytes(32), genesisHash, entry)).not.toBe(h);
    expect(legacyChainHash(genesisHash, entry)).not.toBe(h);
  });
  it('changes when any field or the previous hash changes', () => {
    const h = chainHash(key, genesisHash, entry);
    for (const change of [
      { id: 2 },
      { at: 'x' },
      { actor: 'u2' },
      { action: 'a' },
      { subject: null },
      { detail: '{}' },
    ]) {
      expect(chainHash(key, genesisHash, { ...entry, ...change })).not.toBe(h);
    }
    expect(chainHash(key, '1'.repeat(64), entry)).not.toBe(h);
  });
  it('cannot be fooled by moving text between fields', () => {
    const a = chainHash(key, genesisHash, { ...entry, actor: 'ab', action: 'c' });
    const b = chainHash(key, genesisHash, { ...entry, actor: 'a', action: 'bc' });
    expect(a).not.toBe(b);
  });
});
