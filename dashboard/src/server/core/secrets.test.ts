import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, secretMatches } from './secrets.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { allows } from './access.js';

describe('secrets', () => {
  it('are 256-bit, prefixed, and checked against their hash', () => {
    const s = newSecret('hdc_');
    expect(s).toMatch(/^hdc_[A-Za-z0-9_-]{43}$/);
    expect(secretMatches(s, hashSecret(s))).toBe(true);
    expect(secretMatches(s + 'x', hashSecret(s))).toBe(false);
  });
});

describe('passwords', () => {
  it('are hashed with argon2id and verified', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(hash, 'another password')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});

describe('access', () => {
  it('public lets anyone in; signedIn needs a role; permissions follow the role table', () => {
    expect(allows('public', null)).toBe(true);
    expect(allows('signedIn', null)).toBe(false);
    expect(allows('signedIn', 'teacher')).toBe(true);
    expect(allows('manageDevices', 'teacher')).toBe(false);
    expect(allows('manageDevices', 'technician')).toBe(true);
  });
});
