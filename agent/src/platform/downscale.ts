/**
 * Shrinks an RGBA image by averaging every source pixel that falls in each target pixel
 * (a box filter: the right filter for large reductions, and sharp enough for a 320 px
 * thumbnail). Plain typed arrays, nothing native: the teacher's thumbnails no longer load
 * an image library that stays in memory after the lesson.
 */
export interface Rgba {
  width: number;
  height: number;
  /** 4 bytes a pixel, row by row. */
  data: Uint8Array;
}

/** The size an image is shrunk to for `maxWidth`: the same shape, never larger than it was. */
export function thumbnailSize(
  width: number,
  height: number,
  maxWidth: number,
): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

export function downscaleRgba(source: Rgba, maxWidth: number): Rgba {
  const { width: sw, height: sh, data: src } = source;
  if (sw <= 0 || sh <= 0 || src.length < sw * sh * 4) throw new Error('not an RGBA image of that size');
  const { width: dw, height: dh } = thumbnailSize(sw, sh, Math.max(1, Math.floor(maxWidth)));
  if (dw === sw && dh === sh) return { width: sw, height: sh, data: src.subarray(0, sw * sh * 4) };
  const out = new Uint8Array(dw * dh * 4);
  // One row of sums at a time: memory is the target's row, not the source's.
  const sums = new Float64Array(dw * 4);
  const counts = new Float64Array(dw);
  const xStart = new Int32Array(dw + 1);
  for (let x = 0; x <= dw; x++) xStart[x] = Math.min(sw, Math.round((x * sw) / dw));
  for (let y = 0; y < dh; y++) {
    sums.fill(0);
    counts.fill(0);
    const y0 = Math.round((y * sh) / dh);
    const y1 = Math.max(y0 + 1, Math.min(sh, Math.round(((y + 1) * sh) / dh)));
    for (let sy = y0; sy < y1; sy++) {
      const row = sy * sw * 4;
      for (let x = 0; x < dw; x++) {
        const from = xStart[x]!;
        const to = Math.max(from + 1, xStart[x + 1]!);
        let r = 0;
        let g = 0;
        let b = 0;
        let a = 0;
        for (let sx = from; sx < to; sx++) {
          const i = row + sx * 4;
          r += src[i]!;
          g += src[i + 1]!;
          b += src[i + 2]!;
          a += src[i + 3]!;
        }
        const k = x * 4;
        sums[k] = sums[k]! + r;
        sums[k + 1] = sums[k + 1]! + g;
        sums[k + 2] = sums[k + 2]! + b;
        sums[k + 3] = sums[k + 3]! + a;
        counts[x] = counts[x]! + (to - from);
      }
    }
    const base = y * dw * 4;
    for (let x = 0; x < dw; x++) {
      const n = counts[x]!;
      for (let c = 0; c < 4; c++) out[base + x * 4 + c] = Math.round(sums[x * 4 + c]! / n);
    }
  }
  return { width: dw, height: dh, data: out };
}
