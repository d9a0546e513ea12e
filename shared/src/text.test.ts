import { describe, expect, it } from 'vitest';
import { safeText } from './text.js';

const name = safeText(20, 'name');

describe('safeText', () => {
  it.each(['Year 3', 'Zoë', 'Siân', '<b>bold</b>', "O'Brien; DROP TABLE", '🏫 Hive', 'محمد'])(
    'accepts %s',
    (s) => {
      expect(name.parse(s)).toBe(s);
    },
  );

  it('trims (a leading byte-order mark too) and normalises to NFC', () => {
    expect(name.parse('  Sia\u0302n  ')).toBe('Siân');
    expect(name.parse('\uFEFFabc')).toBe('abc');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'x'.repeat(21)],
    ['a control character', 'a\u0000b'],
    ['a bell', 'a\u0007b'],
    ['a right-to-left override', 'abc\u202Eexe'],
    ['a directional isolate', 'abc\u2066x'],
    ['a byte-order mark inside', 'ab\uFEFFc'],
    ['a lone surrogate', 'a\uD800b'],
    ['a line break', 'a\nb'],
    ['a tab', 'a\tb'],
  ])('refuses %s', (_what, s) => {
    expect(name.safeParse(s).success).toBe(false);
  });

  it('refuses non-strings with a message naming the field', () => {
    const r = name.safeParse(42);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('name must be text');
  });
});
