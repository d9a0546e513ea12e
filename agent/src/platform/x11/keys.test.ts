import { describe, expect, it } from 'vitest';
import { Mod } from './connection.js';
import { isHelpShortcut, keysymText, pageKey } from './keys.js';

const keysym = {
  Tab: 0xff09,
  ISO_Left_Tab: 0xfe20,
  Return: 0xff0d,
  space: 0x20,
  F4: 0xffc1,
  F11: 0xffc8,
  F12: 0xffc9,
  Super_L: 0xffeb,
  Alt_L: 0xffe9,
  n: 0x6e,
  N: 0x4e,
  h: 0x68,
  d: 0x64,
  Left: 0xff51,
  BackSpace: 0xff08,
  eacute: 0xe9,
  wcircumflex: 0x1000175, // ŵ, Welsh
};

describe('the keys a pupil screen lets through to its page', () => {
  it('lets the keys the pages need through: Tab, Shift+Tab, Enter, Space, arrows, Backspace, letters', () => {
    expect(pageKey(keysym.Tab, 0)).toMatchObject({ key: 'Tab', keyCode: 9, shift: false });
    expect(pageKey(keysym.ISO_Left_Tab, Mod.Shift)).toMatchObject({ key: 'Tab', shift: true });
    expect(pageKey(keysym.Return, 0)).toMatchObject({ key: 'Enter', keyCode: 13, text: '\r' });
    expect(pageKey(keysym.space, 0)).toMatchObject({ key: ' ', code: 'Space', text: ' ' });
    expect(pageKey(keysym.Left, 0)).toMatchObject({ key: 'ArrowLeft', keyCode: 37 });
    expect(pageKey(keysym.BackSpace, 0)).toMatchObject({ key: 'Backspace', keyCode: 8 });
    expect(pageKey(keysym.N, Mod.Shift)).toMatchObject({ key: 'N', code: 'KeyN', keyCode: 78, text: 'N' });
    expect(pageKey(0x37, 0)).toMatchObject({ key: '7', code: 'Digit7', text: '7' });
  });

  it('types letters of other alphabets (é, Welsh ŵ) and keeps Num Lock and Caps Lock harmless', () => {
    expect(pageKey(keysym.eacute, 0)?.text).toBe('é');
    expect(pageKey(keysym.wcircumflex, Mod.NumLock)?.text).toBe('ŵ');
    expect(pageKey(keysym.N, Mod.Lock)?.text).toBe('N');
  });

  it('never lets a shortcut through: Ctrl, Alt or Super with anything, function keys, modifier keys alone', () => {
    for (const state of [Mod.Control, Mod.Alt, Mod.Super, Mod.Control | Mod.Shift, Mod.Alt | Mod.Shift]) {
      for (const k of [keysym.n, keysym.N, keysym.d, keysym.Tab, keysym.Left, keysym.F4, keysym.Return]) {
        expect(pageKey(k, state), `keysym ${k} with state ${state}`).toBeNull();
      }
    }
    for (const k of [keysym.F4, keysym.F11, keysym.F12, keysym.Super_L, keysym.Alt_L]) {
      expect(pageKey(k, 0)).toBeNull();
    }
  });

  it('knows the help shortcut whatever the lock keys say, and nothing else as it', () => {
    expect(isHelpShortcut(keysym.h, Mod.Control | Mod.Alt)).toBe(true);
    expect(isHelpShortcut(keysym.h, Mod.Control | Mod.Alt | Mod.NumLock | Mod.Lock)).toBe(true);
    expect(isHelpShortcut(keysym.h, Mod.Control)).toBe(false);
    expect(isHelpShortcut(keysym.h, Mod.Control | Mod.Alt | Mod.Shift)).toBe(false);
    expect(isHelpShortcut(keysym.d, Mod.Control | Mod.Alt)).toBe(false);
  });

  it('maps keysyms to text: Latin-1 as is, Unicode keysyms, nothing for function keys', () => {
    expect(keysymText(0x41)).toBe('A');
    expect(keysymText(0x10020ac)).toBe('€');
    expect(keysymText(keysym.F11)).toBeNull();
  });
});
