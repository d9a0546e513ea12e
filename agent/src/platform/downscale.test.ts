import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { downscaleRgba, thumbnailSize } from './downscale.js';
import { encodeThumbnail } from './thumbnail.js';

/** A screen: the left half red, the right half blue, a white 1-pixel grid line every 100 pixels. */
function screen(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const line = x % 100 === 0 || y % 100 === 0;
      data.set(line ? [255, 255, 255, 255] : x < width / 2 ? [220, 20, 20, 255] : [20, 20, 220, 255], i);
    }
  return data;
}

const pixel = (img: { width: number; data: Uint8Array }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

describe('thumbnails without an image library', () => {
  it('keeps the shape, never enlarges, and is never empty', () => {
    expect(thumbnailSize(1920, 1080, 320)).toEqual({ width: 320, height: 180 });
    expect(thumbnailSize(1366, 768, 320)).toEqual({ width: 320, height: 180 });
    expect(thumbnailSize(1280, 1024, 320)).toEqual({ width: 320, height: 256 });
    expect(thumbnailSize(200, 100, 320)).toEqual({ width: 200, height: 100 });
    expect(thumbnailSize(5000, 3, 320)).toEqual({ width: 320, height: 1 });
  });

  it('averages each block of the screen: the halves keep their colours, thin lines fade instead of vanishing', () => {
    const small = downscaleRgba({ width: 1920, height: 1080, data: screen(1920, 1080) }, 320);
    expect([small.width, small.height, small.data.length]).toEqual([320, 180, 320 * 180 * 4]);
    const [r, g, b] = pixel(small, 40, 90);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    expect(g).toBeLessThan(60);
    expect(pixel(small, 280, 90)[2]).toBeGreaterThan(200);
    // Every 6×6 block holding a grid line is lighter than a plain one: averaged, not skipped.
    expect(pixel(small, 0, 90)[1]).toBeGreaterThan(40);
  });

  it('refuses data that is not an image of that size', () => {
    expect(() => downscaleRgba({ width: 10, height: 10, data: new Uint8Array(10) }, 5)).toThrow(
      /not an RGBA/,
    );
    expect(() => downscaleRgba({ width: 0, height: 10, data: new Uint8Array(0) }, 5)).toThrow(/not an RGBA/);
  });

  it('encodes a JPEG a browser can read, of the thumbnail size', () => {
    const small = downscaleRgba({ width: 1366, height: 768, data: screen(1366, 768) }, 320);
    const bytes = encodeThumbnail(small.data, small.width, small.height);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(bytes.length).toBeLessThan(30_000);
    const back = jpeg.decode(bytes, { useTArray: true });
    expect([back.width, back.height]).toEqual([320, 180]);
    expect(pixel({ width: back.width, data: back.data }, 40, 90)[0]).toBeGreaterThan(180);
  });
});
