import { describe, expect, it } from 'vitest';
import { chainHash, genesisHash } from './audit-chain.js';

const entry = {
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'u1',
  action: 'incident.view',
  subject: 's',
  detail: null,
};

describe('audit hash chain', () => {
  it('is a SHA-256 over the previous hash and the entry', () => {
    const h = chainHash(genesisHash, entry);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(genesisHash, entry)).toBe(h);
  });
  it('changes when any field or the previous hash changes', () => {
    const h = chainHash(genesisHash, entry);
    for (const change of [
      { id: 2 },
      { at: 'x' },
      { actor: 'u2' },
      { action: 'a' },
      { subject: null },
      { detail: '{}' },
    ]) {
      expect(chainHash(genesisHash, { ...entry, ...change })).not.toBe(h);
    }
    expect(chainHash('1'.repeat(64), entry)).not.toBe(h);
  });
  it('cannot be fooled by moving text between fields', () => {
    const a = chainHash(genesisHash, { ...entry, actor: 'ab', action: 'c' });
    const b = chainHash(genesisHash, { ...entry, actor: 'a', action: 'bc' });
    expect(a).not.toBe(b);
  });
});
