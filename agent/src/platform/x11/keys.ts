import { Mod } from './connection.js';

/**
 * Which keys a pupil screen (the AUP gate, the tell cover, eyes-on-me, a message) lets
 * through to its page, and as what. While a screen is up Harbour holds the keyboard grab,
 * so every key comes to Harbour first; only these are handed on to the page (over the
 * DevTools protocol), and never with Ctrl, Alt or Super held: Ctrl+N, Ctrl+O, Ctrl+P,
 * Ctrl+W, Alt+F4, Alt+Tab, F11, F12, Super+D and the rest do nothing at all.
 */
export interface PageKey {
  /** DOM KeyboardEvent.key */
  key: string;
  /** DOM KeyboardEvent.code */
  code: string;
  /** Windows virtual-key code, which Chromium needs to act on Tab, Enter, arrows... */
  keyCode: number;
  /** The text the key types, for printable characters, Enter and Space. */
  text?: string;
  shift: boolean;
}

const named: Record<number, Omit<PageKey, 'shift'>> = {
  0xff09: { key: 'Tab', code: 'Tab', keyCode: 9 },
  0xfe20: { key: 'Tab', code: 'Tab', keyCode: 9 }, // ISO_Left_Tab: Shift+Tab
  0xff0d: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
  0xff8d: { key: 'Enter', code: 'NumpadEnter', keyCode: 13, text: '\r' },
  0x0020: { key: ' ', code: 'Space', keyCode: 32, text: ' ' },
  0xff08: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
  0xffff: { key: 'Delete', code: 'Delete', keyCode: 46 },
  0xff1b: { key: 'Escape', code: 'Escape', keyCode: 27 },
  0xff51: { key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 },
  0xff52: { key: 'ArrowUp', code: 'ArrowUp', keyCode: 38 },
  0xff53: { key: 'ArrowRight', code: 'ArrowRight', keyCode: 39 },
  0xff54: { key: 'ArrowDown', code: 'ArrowDown', keyCode: 40 },
  0xff50: { key: 'Home', code: 'Home', keyCode: 36 },
  0xff57: { key: 'End', code: 'End', keyCode: 35 },
};

/** Modifiers that turn a key into a shortcut (of the browser, the window manager or the desktop). */
const shortcutModifiers = Mod.Control | Mod.Alt | Mod.Super | Mod.Mod3 | Mod.Mod5;

/** The character a keysym types, or null (X keysym encoding: Latin-1 as is, Unicode at 0x01000000 + code point). */
export function keysymText(keysym: number): string | null {
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff))
    return String.fromCodePoint(keysym);
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff) return String.fromCodePoint(keysym - 0x01000000);
  // Keypad digits and operators type characters too.
  if (keysym >= 0xffb0 && keysym <= 0xffb9) return String(keysym - 0xffb0);
  return null;
}

/**
 * What a key press on a pupil screen becomes in the page, or null when it is not let
 * through. `state` is the X modifier state of the press.
 */
export function pageKey(keysym: number, state: number): PageKey | null {
  if (state & shortcutModifiers) return null;
  const shift = (state & Mod.Shift) !== 0 || keysym === 0xfe20;
  const known = named[keysym];
  if (known) return { ...known, shift };
  const text = keysymText(keysym);
  if (text === null) return null;
  const upper = text.toUpperCase();
  const letter = /^[a-z]$/i.test(text);
  const digit = /^[0-9]$/.test(text);
  return {
    key: text,
    code: letter ? `Key${upper}` : digit ? `Digit${text}` : '',
    keyCode: letter || digit ? upper.charCodeAt(0) : 0,
    text,
    shift,
  };
}

/** Whether a press is the "help" shortcut, Ctrl+Alt+H, whatever Caps Lock and Num Lock say. */
export function isHelpShortcut(keysym: number, state: number): boolean {
  const held = state & (Mod.Control | Mod.Alt | Mod.Super | Mod.Shift);
  return (keysym === 0x68 || keysym === 0x48) && held === (Mod.Control | Mod.Alt);
}

/** The lock modifiers a passive grab must be repeated for, so that it works with Caps Lock or Num Lock on. */
export const lockVariants = [0, Mod.Lock, Mod.NumLock, Mod.Lock | Mod.NumLock];
