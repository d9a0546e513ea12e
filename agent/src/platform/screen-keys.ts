/**
 * The keys a pupil screen's page may receive in the Electron tray app (Windows, macOS),
 * where Chromium's own before-input-event is the place to refuse them. The same policy as
 * on X11 (platform/x11/keys.ts): the keys the pages need, never a shortcut.
 */
export interface KeyInput {
  /** DOM KeyboardEvent.key */
  key: string;
  control: boolean;
  alt: boolean;
  meta: boolean;
  shift: boolean;
}

const needed = new Set([
  'Tab',
  'Enter',
  ' ',
  'Backspace',
  'Delete',
  'Escape',
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Home',
  'End',
  'Shift',
]);

/** Whether the page may have this key (false: the key is swallowed before Chromium acts on it). */
export function pageMayHave(input: KeyInput): boolean {
  if (input.control || input.alt || input.meta) return false;
  return needed.has(input.key) || [...input.key].length === 1;
}
