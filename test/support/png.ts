import zlib from 'node:zlib';

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what screen captures are) into RGBA pixels. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6))
        throw new Error('unsupported PNG');
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (line[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = ((line[i] ?? 0) + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * channels] ?? 0;
      out[o + 1] = line[x * channels + 1] ?? 0;
      out[o + 2] = line[x * channels + 2] ?? 0;
      out[o + 3] = channels === 4 ? (line[x * channels + 3] ?? 255) : 255;
    }
    prev = line;
  }
  return { width, height, rgba: out };
}

/** Share of pixels within `tolerance` of the colour [r, g, b]. */
export function shareOfColour(
  image: { rgba: Buffer },
  [r, g, b]: [number, number, number],
  tolerance = 12,
): number {
  let hits = 0;
  const n = image.rgba.length / 4;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (
      Math.abs((image.rgba[o] ?? 0) - r) <= tolerance &&
      Math.abs((image.rgba[o + 1] ?? 0) - g) <= tolerance &&
      Math.abs((image.rgba[o + 2] ?? 0) - b) <= tolerance
    )
      hits++;
  }
  return hits / n;
}

/** Number of distinct colours (a blank capture has one). */
export function distinctColours(image: { rgba: Buffer }, cap = 1000): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.rgba.length && seen.size < cap; i += 4) {
    seen.add(((image.rgba[i] ?? 0) << 16) | ((image.rgba[i + 1] ?? 0) << 8) | (image.rgba[i + 2] ?? 0));
  }
  return seen.size;
}
