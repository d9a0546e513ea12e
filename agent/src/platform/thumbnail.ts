import { Monitor } from 'node-screenshots';

/**
 * A small, low-quality JPEG of the primary display for the teacher's live view: enough to
 * see what a pupil is doing, not enough to read their messages from across the room.
 */
export async function primaryThumbnail(
  maxWidth: number,
): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const monitors = Monitor.all();
  const monitor = monitors.find((m) => m.isPrimary()) ?? monitors[0];
  if (!monitor) throw new Error('no display to capture');
  const image = await monitor.captureImage();
  const raw = await image.toPng();
  // Loaded on first use: most of the day no room is supervised, and the agent stays small.
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(raw)
    .resize({ width: maxWidth, withoutEnlargement: true })
    .jpeg({ quality: 55, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}
