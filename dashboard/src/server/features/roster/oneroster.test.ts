import { describe, expect, it } from 'vitest';
import { normaliseLogin, yearGroupOf } from './oneroster.js';

describe('reading a OneRoster export', () => {
  it('reads England and Wales years, and refuses what is not a primary year', () => {
    expect(
      ['R', 'Reception', 'YR', 'N', 'Nursery', '1', '03', 'Y4', 'Year 5', 'year 6'].map(yearGroupOf),
    ).toEqual(['R', 'R', 'R', 'N', 'N', 'Y1', 'Y3', 'Y4', 'Y5', 'Y6']);
    expect(yearGroupOf('')).toBe('unknown');
    // A mixed-age class has no single year; every part must still be a year.
    expect(yearGroupOf('3,4')).toBe('unknown');
    expect(yearGroupOf('3,Q')).toBe('invalid');
    for (const bad of ['7', '13', 'KG', 'PK', '0', '-1', 'Year 9', '=1+1'])
      expect(yearGroupOf(bad)).toBe('invalid');
  });

  it('compares logins in lower case without a domain', () => {
    expect(normaliseLogin('SCHOOL\\AB12')).toBe('ab12');
    expect(normaliseLogin('ab12@school.example')).toBe('ab12');
    expect(normaliseLogin(' Ab12 ')).toBe('ab12');
  });
});
