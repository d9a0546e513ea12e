import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleSettings, samplePolicies, type AupBundle } from '@harbour/shared';
import { builtinPolicies, fromBundle, hashContent, policyFor, readCache, writeCache } from './policies.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-aup-cache-'));
const ks2 = samplePolicies.ks2;
if (!ks2) throw new Error('no sample');
const bundle: AupBundle = {
  settings: sampleSettings,
  documents: [
    {
      id: '11111111-1111-4111-8111-111111111111',
      audience: 'ks2',
      audienceName: 'KS2',
      version: 4,
      content: { ...ks2, title: 'Version four' },
      textHash: hashContent({ ...ks2, title: 'Version four' }),
    },
  ],
};

describe('the policy cache', () => {
  it('reads back what was written', () => {
    const d = dir();
    writeCache(d, bundle);
    expect(readCache(d)).toEqual({ ok: true, bundle });
    expect(fs.statSync(path.join(d, 'aup-cache.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a cache whose text does not match its hash', () => {
    const d = dir();
    writeCache(d, bundle);
    const file = path.join(d, 'aup-cache.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Version four', 'Version f0ur'));
    expect(readCache(d)).toEqual({ ok: false, reason: 'hash-mismatch' });
  });

  it('refuses a missing, half-written or malformed cache', () => {
    const d = dir();
    expect(readCache(d)).toEqual({ ok: false, reason: 'missing' });
    fs.writeFileSync(path.join(d, 'aup-cache.json'), '{"bundle": {"sett');
    expect(readCache(d)).toEqual({ ok: false, reason: 'unreadable' });
    fs.writeFileSync(path.join(d, 'aup-cache.json'), '{"bundle": {"settings": 1}}');
    expect(readCache(d)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('choosing the policy to show', () => {
  it('uses the published version, then the built-in sample for an audience the bundle lacks', () => {
    const set = fromBundle(bundle, 'server');
    expect(policyFor(set, 'ks2')).toMatchObject({ version: 4, source: 'server' });
    expect(policyFor(set, 'ks1')).toMatchObject({ version: 1, source: 'builtin', documentId: null });
    expect(policyFor(set, 'made-up')).toMatchObject({ version: 4, audience: 'ks2' });
  });

  it('has a built-in sample for every audience', () => {
    expect([...builtinPolicies().byAudience.keys()].sort()).toEqual(['ks1', 'ks2', 'staff', 'visitors']);
  });
});
