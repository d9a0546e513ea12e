import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodeThumbnail } from './thumbnail.js';

function image(width: number, height: number, seed: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 7 + seed * 13 + ((i >> 9) & 0x3f) * seed) & 0xff;
  // A flat block and a hard edge as well as noise: small and large coefficients, both signs.
  rgba.fill(200, 0, width * 16 * 4);
  return rgba;
}

describe('encodeThumbnail', () => {
  it('encodes byte for byte as jpeg-js does, image after image with one encoder', () => {
    for (const [w, h, seed] of [
      [320, 180, 1],
      [320, 200, 2],
      [17, 9, 3],
      [320, 180, 4],
      [1, 1, 5],
    ] as const) {
      const rgba = image(w, h, seed);
      const ours = encodeThumbnail(rgba, w, h);
      const theirs = jpeg.encode({ data: rgba, width: w, height: h }, 55).data;
      expect(ours.equals(theirs), `${w}×${h} #${seed}`).toBe(true);
      const decoded = jpeg.decode(ours);
      expect([decoded.width, decoded.height]).toEqual([w, h]);
    }
  });

  it('a thumbnail of a bad size is refused, not encoded from memory past the pixels', () => {
    expect(() => encodeThumbnail(new Uint8Array(4), 320, 180)).toThrow(/given 4 bytes/);
    expect(() => encodeThumbnail(new Uint8Array(0), 0, 0)).toThrow(/size/);
  });
});
