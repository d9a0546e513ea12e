import { describe, expect, it } from 'vitest';
import { compareResources } from '../../../../test/support/i18n-resources.js';
import cy from './cy.json';
import en from './en.json';

describe('dashboard translations', () => {
  it('English and Welsh have exactly the same keys, plural forms and {{variables}}', () => {
    expect(compareResources({ en, cy })).toEqual([]);
  });

  it('the check fails for a missing key, a missing plural form and a different variable', () => {
    const broken = {
      en: { a: 'A {{name}}', b: 'B', n_one: '{{count}} thing', n_other: '{{count}} things' },
      cy: { a: 'A {{enw}}', n_one: '{{count}} peth', n_other: '{{count}} peth' },
    };
    const problems = compareResources(broken);
    expect(problems).toContain('cy: missing b');
    expect(problems.some((p) => p.startsWith('a:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('cy: n has plural forms'))).toBe(true);
  });
});
