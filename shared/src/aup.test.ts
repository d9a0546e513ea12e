import { describe, expect, it } from 'vitest';
import {
  aupContentSchema,
  aupExpiryCutoff,
  canonicalAupText,
  resolveAudience,
  type AupMatchRule,
} from './aup.js';
import { sampleAudiences, samplePolicies, samplePoliciesCy } from './aup-samples.js';

const rules: AupMatchRule[] = [
  { kind: 'group', pattern: 'Staff', audience: 'staff' },
  { kind: 'username', pattern: 'y1-*', audience: 'ks1' },
  { kind: 'username', pattern: 'visitor??', audience: 'visitors' },
  { kind: 'room', pattern: '11111111-1111-4111-8111-111111111111', audience: 'ks1' },
];
const who = (username: string, groups: string[] = [], roomId: string | null = null) => ({
  username,
  groups,
  roomId,
});

describe('audience rules', () => {
  it('the first matching rule wins; no match gives the default', () => {
    const settings = { rules, defaultAudience: 'ks2' };
    expect(resolveAudience(settings, who('mrs.smith', ['staff']))).toBe('staff');
    expect(resolveAudience(settings, who('Y1-amy'))).toBe('ks1');
    expect(resolveAudience(settings, who('visitor07'))).toBe('visitors');
    expect(resolveAudience(settings, who('visitor007'))).toBe('ks2');
    expect(resolveAudience(settings, who('sam', [], '11111111-1111-4111-8111-111111111111'))).toBe('ks1');
    expect(resolveAudience(settings, who('sam'))).toBe('ks2');
  });

  it('patterns match literally apart from * and ?', () => {
    const settings = {
      rules: [{ kind: 'username' as const, pattern: 'a.b(c)', audience: 'x' }],
      defaultAudience: 'd',
    };
    expect(resolveAudience(settings, who('a.b(c)'))).toBe('x');
    expect(resolveAudience(settings, who('aXb(c)'))).toBe('d');
  });
});

describe('yearly expiry', () => {
  it('is the most recent expiry date at or before now', () => {
    expect(aupExpiryCutoff(new Date('2026-10-05T10:00:00Z'), 9, 1).toISOString()).toBe(
      '2026-09-01T00:00:00.000Z',
    );
    expect(aupExpiryCutoff(new Date('2026-08-31T23:59:00Z'), 9, 1).toISOString()).toBe(
      '2025-09-01T00:00:00.000Z',
    );
    expect(aupExpiryCutoff(new Date('2026-09-01T00:00:00Z'), 9, 1).toISOString()).toBe(
      '2026-09-01T00:00:00.000Z',
    );
    // 31 in a 30-day month is its last day
    expect(aupExpiryCutoff(new Date('2026-12-01T00:00:00Z'), 11, 31).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
  });
});

describe('policy text', () => {
  it('every sample is a valid policy', () => {
    for (const content of Object.values(samplePolicies))
      expect(aupContentSchema.safeParse(content).success).toBe(true);
  });

  it('the Welsh samples have the same rules as the English ones, each in its own language', () => {
    for (const { id } of sampleAudiences) {
      const en = samplePolicies[id];
      const cy = samplePoliciesCy[id];
      if (!en || !cy) throw new Error(`no sample for ${id}`);
      expect(aupContentSchema.safeParse(cy).success).toBe(true);
      expect([en.language, cy.language]).toEqual(['en', 'cy']);
      expect(cy.layout).toBe(en.layout);
      // Rule for rule: the same picture in the same place, and different words.
      expect(cy.rules.map((r) => r.icon ?? null)).toEqual(en.rules.map((r) => r.icon ?? null));
      expect(cy.rules.map((r) => Boolean(r.iconLabel))).toEqual(en.rules.map((r) => Boolean(r.iconLabel)));
      cy.rules.forEach((rule, i) => expect(rule.text).not.toBe(en.rules[i]?.text));
      expect(cy.title).not.toBe(en.title);
    }
    expect(Object.keys(samplePoliciesCy).sort()).toEqual(Object.keys(samplePolicies).sort());
  });

  it('the canonical text changes with any word, and only then', () => {
    const ks1 = samplePolicies.ks1;
    if (!ks1) throw new Error('no sample');
    const same = JSON.parse(JSON.stringify(ks1)) as typeof ks1;
    expect(canonicalAupText(same)).toBe(canonicalAupText(ks1));
    const changed = { ...ks1, rules: ks1.rules.map((r, i) => (i === 0 ? { ...r, text: `${r.text}!` } : r)) };
    expect(canonicalAupText(changed)).not.toBe(canonicalAupText(ks1));
  });

  it('hostile text is kept as text; control and bidi characters are refused', () => {
    const base = samplePolicies.ks2;
    if (!base) throw new Error('no sample');
    const markup = aupContentSchema.safeParse({
      ...base,
      title: `<script>alert(1)</script>'; drop table x;--`,
    });
    expect(markup.success && markup.data.title).toBe(`<script>alert(1)</script>'; drop table x;--`);
    expect(aupContentSchema.safeParse({ ...base, title: 'evil\u202Etxt' }).success).toBe(false);
    expect(aupContentSchema.safeParse({ ...base, rules: [] }).success).toBe(false);
    expect(aupContentSchema.safeParse({ ...base, rules: [{ icon: 'bomb', text: 'x' }] }).success).toBe(false);
  });
});
