import type { RenderExt } from 'x11';
import { listDisplays } from '../displays.js';
import { thumbnailSize } from '../downscale.js';
import { encodeThumbnail } from '../thumbnail.js';
import type { X11Connection } from './connection.js';
import type { X11Desktop } from './desktop.js';

const IncludeInferiors = 1;
const ZPixmap = 2;
const renders = new WeakMap<X11Connection, Promise<RenderExt>>();

function renderOf(conn: X11Connection): Promise<RenderExt> {
  let ext = renders.get(conn);
  if (!ext) {
    ext = new Promise<RenderExt>((resolve, reject) =>
      conn.X.require('render', (error, render) => (error ? reject(error) : resolve(render))),
    );
    renders.set(conn, ext);
  }
  return ext;
}

/**
 * The teacher's thumbnail of the primary display, shrunk by the X server (XRender): the root
 * window as a Picture with a scaling transform and a box-averaging convolution filter,
 * composited into a thumbnail-sized pixmap, of which only that is read back (GetImage). No
 * full-size frame ever reaches this process: a 320 px thumbnail is 320 × h × 4 bytes here,
 * where a capture of a 1920 × 1080 display would be 8 MB.
 */
export async function x11Thumbnail(
  desktop: X11Desktop,
  maxWidth: number,
): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const conn = await desktop.connection();
  if (conn.rootDepth !== 24 && conn.rootDepth !== 32) throw new Error(`root depth ${conn.rootDepth}`);
  const render = await renderOf(conn);
  const displays = await listDisplays();
  const d = displays.find((x) => x.primary) ??
    displays[0] ?? { x: 0, y: 0, width: conn.size.width, height: conn.size.height };
  const { width, height } = thumbnailSize(d.width, d.height, Math.max(1, Math.floor(maxWidth)));
  const sx = d.width / width;
  const sy = d.height / height;
  const X = conn.X;
  const pixmap = X.AllocID();
  const src = X.AllocID();
  const dst = X.AllocID();
  X.CreatePixmap(pixmap, conn.root, conn.rootDepth, width, height);
  // IncludeInferiors: what is on screen (the windows), not only the root's own background.
  render.CreatePicture(src, conn.root, render.rgb24, { subwindowMode: IncludeInferiors });
  render.CreatePicture(dst, pixmap, render.rgb24);
  // Destination (x, y) samples the source at (x·sx + left, y·sy + top).
  render.SetPictureTransform(src, [sx, 0, d.x, 0, sy, d.y, 0, 0, 1]);
  // Each sample the mean of a k × k block around it (a box filter, as downscale.ts does in JS).
  const k = Math.max(1, Math.min(8, Math.round(Math.max(sx, sy))));
  if (k > 1) render.SetPictureFilter(src, 'convolution', [k, k, ...Array<number>(k * k).fill(1 / (k * k))]);
  render.Composite(render.PictOp.Src, src, 0, dst, 0, 0, 0, 0, 0, 0, width, height);
  try {
    const image = await new Promise<Buffer>((resolve, reject) =>
      X.GetImage(ZPixmap, pixmap, 0, 0, width, height, 0xffffffff, (error, reply) =>
        error ? reject(error) : resolve(reply.data),
      ),
    );
    if (image.length < width * height * 4) throw new Error('short image');
    // BGRX (least significant byte first) → RGBA for the encoder.
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < rgba.length; i += 4) {
      rgba[i] = image[i + 2] ?? 0;
      rgba[i + 1] = image[i + 1] ?? 0;
      rgba[i + 2] = image[i] ?? 0;
      rgba[i + 3] = 255;
    }
    return { jpeg: encodeThumbnail(rgba, width, height), width, height };
  } finally {
    render.FreePicture(src);
    render.FreePicture(dst);
    X.FreePixmap(pixmap);
    // Every few seconds all lesson long: the ids go back to be used again (the freeing requests
    // are before any reuse on this one connection).
    for (const id of [src, dst, pixmap]) X.ReleaseID(id);
  }
}
