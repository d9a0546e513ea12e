import { describe, expect, it } from 'vitest';
import { issuerOf, roleFor } from './sso.js';

describe('roles for accounts made by single sign-on', () => {
  const rules = [
    { kind: 'group' as const, value: 'g-dsl', role: 'dsl' as const },
    { kind: 'domain' as const, value: 'School.Example', role: 'teacher' as const },
  ];
  it('the first rule that fits: a group, else the email domain; none without either', () => {
    expect(roleFor(rules, ['g-dsl'], 'a@school.example')).toBe('dsl');
    expect(roleFor(rules, [], 'a@SCHOOL.example')).toBe('teacher');
    expect(roleFor(rules, ['G-DSL'], 'a@elsewhere.example')).toBeNull();
    // A look-alike domain is not the school's.
    expect(roleFor(rules, [], 'a@school.example.evil.test')).toBeNull();
    expect(roleFor(rules, [], 'a@evil-school.example')).toBeNull();
  });
});

describe('the presets', () => {
  it('make the issuer from the tenant (Entra ID) or fix it (Google)', () => {
    expect(issuerOf({ preset: 'entra', tenant: 'abc' })).toBe('https://login.microsoftonline.com/abc/v2.0');
    expect(issuerOf({ preset: 'entra' })).toBeUndefined();
    expect(issuerOf({ preset: 'google', issuer: 'https://evil.example' })).toBe(
      'https://accounts.google.com',
    );
    expect(issuerOf({ preset: 'oidc', issuer: 'https://id.school.example' })).toBe(
      'https://id.school.example',
    );
  });
});
