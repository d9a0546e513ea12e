import { describe, expect, it } from 'vitest';
import { backgroundPixel } from './chromium-overlay.js';

describe('the first frame’s colour', () => {
  it('is the view’s background as a TrueColor pixel, or the pages’ paper colour', () => {
    expect(backgroundPixel('#eaf4ef')).toBe(0xeaf4ef);
    expect(backgroundPixel('#0B4F6C')).toBe(0x0b4f6c);
    expect(backgroundPixel(undefined)).toBe(0xeef6fb);
    expect(backgroundPixel('red')).toBe(0xeef6fb);
    expect(backgroundPixel('#12345')).toBe(0xeef6fb);
  });
});
