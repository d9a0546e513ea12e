import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatPath, jsonByteLength, measureJson, parseWith } from './parse.js';

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

  it('measures exactly what JSON.stringify writes', () => {
    for (const v of [
      { a: [1, 'two', null, true, { b: 'é🏫' }], c: {}, d: [] },
      [undefined, 1],
      { skipped: undefined, n: -1.5e-7 },
      'quote " and \\ and \n',
    ]) {
      expect(jsonByteLength(v)).toBe(Buffer.byteLength(JSON.stringify(v)));
    }
  });

  it('stops at the depth or size limit without recursing, however deep the value', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(measureJson(deep, { depth: 32, bytes: 1e9 })).toEqual({ ok: false, reason: 'depth', limit: 32 });
    expect(jsonByteLength(deep)).toBe(400_002);
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    expect(measureJson(wide, { depth: 32, bytes: 64 * 1024 })).toMatchObject({ ok: false, reason: 'size' });
    expect(measureJson({ a: [[1]] }, { depth: 3, bytes: 100 })).toEqual({ ok: true, bytes: 11, depth: 3 });
  });
});
