import { describe, expect, it } from 'vitest';
import { pageMayHave } from './screen-keys.js';

const k = (
  key: string,
  mods: Partial<{ control: boolean; alt: boolean; meta: boolean; shift: boolean }> = {},
) => ({
  key,
  control: false,
  alt: false,
  meta: false,
  shift: false,
  ...mods,
});

describe('keys on a pupil screen in the tray app', () => {
  it('lets the page have Tab, Shift+Tab, Enter, Space, arrows, Backspace and typed characters', () => {
    for (const input of [
      k('Tab'),
      k('Tab', { shift: true }),
      k('Enter'),
      k(' '),
      k('ArrowDown'),
      k('Backspace'),
      k('a'),
      k('ŵ'),
      k('7'),
    ])
      expect(pageMayHave(input), input.key).toBe(true);
  });

  it('swallows every shortcut: Ctrl+N, Ctrl+Shift+N, Ctrl+O, Ctrl+P, Ctrl+W, Alt+F4, Cmd+Q, F5, F11, F12', () => {
    for (const input of [
      k('n', { control: true }),
      k('N', { control: true, shift: true }),
      k('o', { control: true }),
      k('p', { control: true }),
      k('w', { control: true }),
      k('F4', { alt: true }),
      k('q', { meta: true }),
      k('F5'),
      k('F11'),
      k('F12'),
      k('I', { control: true, shift: true }),
    ])
      expect(pageMayHave(input), `${input.key}`).toBe(false);
  });
});
