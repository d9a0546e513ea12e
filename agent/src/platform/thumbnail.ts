import fs from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { Monitor } from 'node-screenshots';
import { downscaleRgba } from './downscale.js';

/** Low quality on purpose: enough to see what a pupil is doing, not to read their messages. */
const jpegQuality = 55;

/**
 * A small, low-quality JPEG of the primary display for the teacher's live view: enough to
 * see what a pupil is doing, not enough to read their messages from across the room.
 *
 * The capture is taken raw (RGBA), shrunk in plain JavaScript and encoded by jpeg-js (pure
 * JavaScript): no full-size PNG is made, and no native image library is loaded, so nothing
 * of it is left in memory once the lesson's last thumbnail has been sent.
 */
export async function primaryThumbnail(
  maxWidth: number,
): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const monitors = Monitor.all();
  const monitor = monitors.find((m) => m.isPrimary()) ?? monitors[0];
  if (!monitor) throw new Error('no display to capture');
  const image = await monitor.captureImage();
  const small = downscaleRgba(
    { width: image.width, height: image.height, data: await image.toRaw() },
    maxWidth,
  );
  return {
    jpeg: encodeThumbnail(small.data, small.width, small.height),
    width: small.width,
    height: small.height,
  };
}

interface JpegEncoder {
  encode(image: { data: Uint8Array; width: number; height: number }, quality: number): Buffer;
}

/**
 * One jpeg-js encoder for the lesson, made on first use (most of the day no room is
 * supervised) and dropped a minute after the last thumbnail.
 *
 * jpeg-js's own `encode()` makes a new encoder for every image, and each builds a table of
 * 65,535 two-element arrays (built holey, so each keeps room for 17): about 17 MB of heap an
 * encoder, which outlived the helper's 1 MB young generation, so a lesson grew the helper by
 * that much and more. jpeg-js exports only `encode()`, so its encoder's source is compiled
 * here with that table replaced by a function computing the same code (the value's low bits,
 * and its bit length, which is the category table's entry) and the category table made a
 * byte array. The output is byte for byte jpeg-js's (`thumbnail.test.ts`); if the source is
 * not the one these edits are for, it fails loudly rather than encode differently.
 */
const encoderEdits: [RegExp, string][] = [
  [/var category = new Array\(65535\);/, 'var category = new Uint8Array(65535);'],
  [
    /var bitcode = new Array\(65535\);/,
    'var bitcodeScratch = [0, 0];\n\tfunction bitcodeAt(pos) { var nr = pos - 32767, cat = category[pos]; bitcodeScratch[0] = nr >= 0 ? nr : nr + (1 << cat) - 1; bitcodeScratch[1] = cat; return bitcodeScratch; }',
  ],
  [/^\s*bitcode\[32767\+nr(neg)?\](\[[01]\])? = .*$/gm, ''],
  [/writeBits\(bitcode\[pos\]\)/g, 'writeBits(bitcodeAt(pos))'],
];

let encoder: JpegEncoder | undefined;
let dropEncoder: NodeJS.Timeout | undefined;
const encoderIdleMs = 60_000;

function jpegEncoder(): JpegEncoder {
  if (!encoder) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('jpeg-js/lib/encoder.js');
    let source = fs.readFileSync(file, 'utf8');
    for (const [pattern, replacement] of encoderEdits) {
      if (!pattern.test(source)) throw new Error(`jpeg-js encoder: ${String(pattern)} not found`);
      pattern.lastIndex = 0;
      source = source.replace(pattern, replacement);
    }
    if (/bitcode\[/.test(source)) throw new Error('jpeg-js encoder: a use of its bit code table is left');
    const make = vm.runInThisContext(`(function (module, Buffer) {${source}\nreturn JPEGEncoder;\n})`, {
      filename: file,
    }) as (module: { exports: unknown }, buffer: typeof Buffer) => new (quality: number) => JpegEncoder;
    encoder = new (make({ exports: {} }, Buffer))(jpegQuality);
  }
  clearTimeout(dropEncoder);
  dropEncoder = setTimeout(() => {
    encoder = undefined;
  }, encoderIdleMs);
  dropEncoder.unref();
  return encoder;
}

export function encodeThumbnail(rgba: Uint8Array, width: number, height: number): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`thumbnail size ${width}×${height}`);
  if (rgba.length !== width * height * 4)
    throw new Error(`thumbnail of ${width}×${height} given ${rgba.length} bytes`);
  return jpegEncoder().encode({ data: rgba, width, height }, jpegQuality);
}
