import { createRequire } from 'node:module';
import type * as JpegJs from 'jpeg-js';
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

// Loaded on first use: most of the day no room is supervised.
let encoder: typeof JpegJs | undefined;

export function encodeThumbnail(rgba: Uint8Array, width: number, height: number): Buffer {
  encoder ??= createRequire(import.meta.url)('jpeg-js') as typeof JpegJs;
  return encoder.encode({ data: rgba, width, height }, jpegQuality).data;
}
