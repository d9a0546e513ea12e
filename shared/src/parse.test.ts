import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatPath, jsonByteLength, parseWith } from './parse.js';

describe('parse helpers', () => {
  it('formats paths the way people read them', () => {
    expect(formatPath(['body', 'users', 2, 'name'])).toBe('body.users[2].name');
    expect(formatPath([])).toBe('(root)');
  });

  it('reports every failing path without throwing', () => {
    const schema = z.object({ a: z.string(), b: z.array(z.number()) });
    const r = parseWith(schema, { a: 1, b: [1, 'x'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['a', 'b[1]']);
  });

  it('returns the parsed value', () => {
    expect(parseWith(z.number(), 3)).toEqual({ ok: true, value: 3 });
  });

  it('counts JSON bytes as UTF-8', () => {
    expect(jsonByteLength('a')).toBe(3); // "a"
    expect(jsonByteLength('é')).toBe(4);
    expect(jsonByteLength('🏫')).toBe(6);
    expect(jsonByteLength(undefined)).toBe(0);
  });
});
