import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CompositeExt, X11Event } from 'x11';
import type { Display } from '../displays.js';
import { eventMask, type X11Connection } from './connection.js';
import type { X11Desktop } from './desktop.js';

/** A key or pointer event taken by the grab, for the overlay to hand to its page. */
export type CoverInput =
  | { kind: 'key'; press: boolean; keycode: number; state: number; keysym: number }
  | {
      kind: 'pointer';
      type: 'press' | 'release' | 'move';
      button: number;
      state: number;
      /** The display the pointer is on, and the position on it. */
      display: number;
      x: number;
      y: number;
    };

interface Frame {
  display: Display;
  /** Our override-redirect window covering the display (0 until made). */
  wid: number;
  /** The browser window adopted into it, if any. */
  child: number;
  /**
   * An override-redirect window right above ours showing a picture of the page until the
   * live page has painted, and the pixmap it is painted from; 0 when none. Not inside ours:
   * the browser restacks its own window among its siblings (on going full screen), which
   * would put the blank page above a picture sharing its parent.
   */
  veil: number;
  pixmap: number;
  /** The picture the veil shows (BGRX, the display's size), to tell the live page has drawn the same. */
  image: Buffer | null;
}

interface Expecting {
  display: number;
  /** Chromium puts its --user-data-dir in each window's WM_CLASS instance: "chromium (<dir>)". */
  userDataDir: string;
  resolve: (wid: number) => void;
}

const StackAbove = 0;
const StackBelow = 1;

/**
 * The windows that hold a pupil screen on X11, as a screen locker holds its own: one
 * override-redirect window per display (the window manager never manages it, so it cannot
 * minimise, move, iconify or send it to another desktop), painted by the X server in the
 * view's colour the instant it is mapped (the first frame), kept above every other window,
 * and, while shown, an active keyboard grab and pointer grab held by this client, so that
 * no key or click reaches the window manager, the desktop or the application behind.
 * Grabs are taken again if lost; a window someone destroys is made again at once.
 *
 * The browser's window for each display is adopted the moment it is created, before the
 * browser maps it (reparented into our window, so the window manager never sees it and it
 * never flashes on the desktop). Input taken by the grab is emitted as 'input' for the
 * overlay to hand on to its page. When this client dies, the X server destroys its windows
 * (and the browser windows inside them) and releases the grabs: nothing is left behind.
 */
export class X11Covers extends EventEmitter {
  private frames: Frame[] = [];
  private conn: X11Connection | null = null;
  private background = 0xeef6fb;
  private shownNow = false;
  private expecting: Expecting | null = null;
  private guard: NodeJS.Timeout | undefined;
  private grabbed = { keyboard: false, pointer: false };
  private unlisten: (() => void)[] = [];
  private readonly onEvent = (ev: X11Event) => this.event(ev);
  /** How many times a cover window was made again after someone destroyed it. */
  remade = 0;

  constructor(
    private readonly desktop: X11Desktop,
    private readonly logger: Logger,
  ) {
    super();
    desktop.on('ready', (conn: X11Connection) => void this.attach(conn));
    desktop.on('lost', () => {
      this.conn = null;
      this.grabbed = { keyboard: false, pointer: false };
      for (const f of this.frames) {
        f.wid = 0;
        f.child = 0;
        f.veil = 0;
        f.pixmap = 0;
        f.image = null;
      }
      this.compositeExt = undefined;
      this.emit('lost');
    });
  }

  get shown(): boolean {
    return this.shownNow;
  }

  /** The X windows covering the displays (for tests). */
  get windows(): number[] {
    return this.frames.map((f) => f.wid).filter(Boolean);
  }

  /** The browser windows adopted, per display (0 where none). */
  get adopted(): number[] {
    return this.frames.map((f) => f.child);
  }

  /** Sets the displays to cover (made now, unmapped unless shown). */
  async layout(displays: Display[]): Promise<void> {
    const conn = await this.desktop.connection();
    if (conn !== this.conn) await this.attach(conn);
    const same =
      displays.length === this.frames.length &&
      displays.every((d, i) => JSON.stringify(d) === JSON.stringify(this.frames[i]?.display));
    if (same) return;
    for (const f of this.frames.slice(displays.length)) {
      this.unveilFrame(conn, f);
      if (f.wid) conn.X.DestroyWindow(f.wid);
    }
    this.frames = displays.map((display, i) => ({
      display,
      wid: this.frames[i]?.wid ?? 0,
      child: this.frames[i]?.child ?? 0,
      veil: this.frames[i]?.veil ?? 0,
      pixmap: this.frames[i]?.pixmap ?? 0,
      image: this.frames[i]?.image ?? null,
    }));
    // A picture made for the old size would be wrong for the new one.
    for (const f of this.frames) this.unveilFrame(conn, f);
    for (const f of this.frames) {
      if (!f.wid) this.make(conn, f);
      else {
        conn.X.MoveResizeWindow(f.wid, f.display.x, f.display.y, f.display.width, f.display.height);
        if (f.child) conn.X.MoveResizeWindow(f.child, 0, 0, f.display.width, f.display.height);
      }
    }
  }

  /** The colour the X server paints the windows in before (and under) the page: the view's background. */
  setBackground(rgb: number): void {
    this.background = rgb;
    const conn = this.conn;
    if (!conn) return;
    for (const f of this.frames) {
      for (const w of [f.wid, f.child]) {
        if (!w) continue;
        conn.X.ChangeWindowAttributes(w, { backgroundPixel: rgb }, () => undefined);
      }
      if (f.wid && this.shownNow) conn.X.ClearArea(f.wid, 0, 0, 0, 0, 0);
    }
  }

  /**
   * Maps every window above everything else and takes the keyboard and pointer. `images`
   * (per display, the pixels of a picture of the page at the display's size, 32-bit BGRX)
   * are shown in the first frame, above the browser's window, until unveil().
   */
  async show(images?: (Buffer | null)[]): Promise<void> {
    this.shownNow = true;
    this.desktop.covered = true;
    const conn = await this.desktop.connection();
    if (conn !== this.conn) await this.attach(conn);
    for (const [i, f] of this.frames.entries()) {
      if (!f.wid) this.make(conn, f);
      const image = images?.[i];
      if (image && !f.veil) this.veilFrame(conn, f, image);
      if (f.veil) {
        // The picture first, on top; ours mapped right under it, so it never shows solid.
        conn.X.MapWindow(f.veil);
        conn.X.RaiseWindow(f.veil);
        conn.X.ConfigureWindow(f.wid, { sibling: f.veil, stackMode: StackBelow });
        conn.X.MapWindow(f.wid);
      } else {
        conn.X.MapWindow(f.wid);
        conn.X.RaiseWindow(f.wid);
      }
    }
    // Mapped and painted in the background colour once the server has done these requests.
    await conn.X.sync();
    await this.grab();
    // Another client may hold a grab for a moment (a window manager's key chain, a menu): the
    // pupil's first key must still reach the cover, so ask again briefly before showing it as done.
    for (let i = 0; i < 50 && this.shownNow && !(this.grabbed.keyboard && this.grabbed.pointer); i++) {
      await new Promise((r) => setTimeout(r, 20));
      await this.grab();
    }
    if (this.shownNow && !(this.grabbed.keyboard && this.grabbed.pointer))
      this.logger.warn({ grabs: this.grabbed }, 'covers: shown without holding the keyboard and pointer yet');
    clearInterval(this.guard);
    // A grab cannot be taken from us by another client, but it ends if our window stops being
    // viewable; asking again is free when we still hold it.
    this.guard = setInterval(() => void this.hold(), 250);
    this.guard.unref();
  }

  async hide(): Promise<void> {
    // Only a cover that was up lets go of the keyboard and pointer: the grabs are our
    // connection's, so a hide of covers already hidden would also end the help badge's hold
    // on the keyboard taken at a press (its keys would then reach the pupil's window).
    const held = this.shownNow || this.grabbed.keyboard || this.grabbed.pointer;
    this.shownNow = false;
    this.desktop.covered = false;
    clearInterval(this.guard);
    this.guard = undefined;
    const conn = this.conn;
    if (!conn) return;
    if (held) {
      conn.X.UngrabKeyboard(0);
      conn.X.UngrabPointer(0);
    }
    this.grabbed = { keyboard: false, pointer: false };
    for (const f of this.frames) if (f.wid) conn.X.UnmapWindow(f.wid);
    for (const f of this.frames) this.unveilFrame(conn, f);
    await conn.X.sync();
  }

  /** Whether a picture of the page is showing on some display (the live page is not yet). */
  get veiled(): boolean {
    return this.frames.some((f) => f.veil !== 0);
  }

  private compositeExt: Promise<CompositeExt | null> | undefined;

  private composite(conn: X11Connection): Promise<CompositeExt | null> {
    this.compositeExt ??= new Promise((resolve) =>
      conn.X.require('composite', (error, ext) => resolve(error ? null : ext)),
    );
    return this.compositeExt;
  }

  /**
   * Waits (at most `timeoutMs`) until each display's browser window, under its picture, holds
   * what the picture shows: read from the window's own pixmap (Composite), a few rows of it,
   * which must match the picture's same rows in nine pixels of ten. The page has "painted" when
   * its renderer says so, but the browser may not have drawn that frame into its window yet (a
   * white one of the new size, often): taken away then, the picture would uncover white.
   * Resolves false when the wait ran out (the caller hands over anyway: the page must work).
   */
  async untilPageShows(timeoutMs = 2000): Promise<boolean> {
    const conn = this.conn;
    if (!conn || !(await this.composite(conn))) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = this.frames.filter((f) => f.veil && f.child && f.image);
      if (waiting.length === 0) return true;
      const shows = await Promise.all(waiting.map((f) => this.childMatches(conn, f)));
      if (shows.every(Boolean)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 16));
    }
  }

  private async childMatches(conn: X11Connection, f: Frame): Promise<boolean> {
    const { width, height } = f.display;
    const image = f.image;
    if (!image) return true;
    let same = 0;
    let all = 0;
    for (let k = 1; k <= 9; k++) {
      const y = Math.floor((height * k) / 10);
      const row = await new Promise<Buffer | null>((resolve) =>
        conn.X.GetImage(2, f.child, 0, y, width, 1, 0xffffffff, (error, reply) =>
          resolve(error ? null : reply.data),
        ),
      );
      if (!row || row.length < width * 4) return false;
      const at = y * width * 4;
      for (let i = 0; i < width * 4; i += 4) {
        all++;
        if (
          Math.abs(row[i]! - image[at + i]!) <= 24 &&
          Math.abs(row[i + 1]! - image[at + i + 1]!) <= 24 &&
          Math.abs(row[i + 2]! - image[at + i + 2]!) <= 24
        )
          same++;
      }
    }
    return same >= all * 0.9;
  }

  /** The live page has painted: the pictures go, and the page shows through. */
  unveil(): void {
    const conn = this.conn;
    if (!conn) return;
    for (const f of this.frames) {
      // The browser's window was painted under the picture, where nothing of it showed (no
      // backing store): uncovered, it would be cleared to its colour until the browser repaints
      // it. With no background the X server leaves the picture's pixels there instead, so the
      // screen goes from picture to page with no blank frame between. setBackground() puts the
      // colour back on the next show.
      if (f.veil && f.child) conn.X.ChangeWindowAttributes(f.child, { backgroundPixmap: 0 }, () => undefined);
      this.unveilFrame(conn, f);
    }
  }

  /**
   * A window inside the frame, above the browser's, whose background is a pixmap holding
   * the picture: the X server paints it itself on map and on every exposure. The requests
   * go in order on our one connection, so it is painted before the frame is mapped.
   */
  private veilFrame(conn: X11Connection, f: Frame, image: Buffer): void {
    const { width, height } = f.display;
    // ZPixmap at depth 24/32 is 4 bytes a pixel on every X server Harbour meets; others get the colour.
    if (image.length !== width * height * 4 || (conn.rootDepth !== 24 && conn.rootDepth !== 32)) return;
    const pixmap = conn.X.AllocID();
    conn.X.CreatePixmap(pixmap, conn.root, conn.rootDepth, width, height);
    const gc = conn.X.AllocID();
    conn.X.CreateGC(gc, pixmap, {});
    // In strips that each fit a request without BIG-REQUESTS (65535 four-byte units).
    const stride = width * 4;
    const rows = Math.max(1, Math.floor((65_535 * 4 - 28) / stride));
    for (let y = 0; y < height; y += rows) {
      const h = Math.min(rows, height - y);
      conn.X.PutImage(
        2,
        pixmap,
        gc,
        width,
        h,
        0,
        y,
        0,
        conn.rootDepth,
        image.subarray(y * stride, (y + h) * stride),
      );
    }
    conn.X.FreeGC(gc);
    conn.X.ReleaseID(gc);
    const veil = conn.X.AllocID();
    conn.X.CreateWindow(veil, conn.root, f.display.x, f.display.y, width, height, 0, 0, 1, 0, {
      overrideRedirect: true,
      backgroundPixmap: pixmap,
    });
    this.desktop.own.add(veil);
    f.veil = veil;
    f.pixmap = pixmap;
    f.image = image;
  }

  private unveilFrame(conn: X11Connection, f: Frame): void {
    if (f.veil) {
      conn.X.DestroyWindow(f.veil);
      conn.X.ReleaseID(f.veil);
      this.desktop.own.delete(f.veil);
    }
    if (f.pixmap) {
      conn.X.FreePixmap(f.pixmap);
      conn.X.ReleaseID(f.pixmap);
    }
    f.veil = 0;
    f.pixmap = 0;
    f.image = null;
  }

  /**
   * Waits for the next window a browser whose profile is `userDataDir` creates and adopts
   * it into display `display`'s window. Call before asking the browser for the window.
   */
  adopt(display: number, userDataDir: string, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.expecting?.resolve === done) this.expecting = null;
        reject(new Error(`no browser window appeared within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (wid: number) => {
        clearTimeout(timer);
        resolve(wid);
      };
      this.expecting = { display, userDataDir, resolve: done };
    });
  }

  /** Stops waiting for a browser window (the browser went before making it). */
  cancelAdopt(): void {
    this.expecting = null;
  }

  /** Forgets an adopted window that went away (its page closed). */
  release(display: number): void {
    const f = this.frames[display];
    if (f) f.child = 0;
  }

  private async attach(conn: X11Connection): Promise<void> {
    if (this.conn === conn) return;
    for (const u of this.unlisten.splice(0)) u();
    this.conn = conn;
    conn.on('event', this.onEvent);
    conn.once('close', () => conn.off('event', this.onEvent));
    // New top-level windows (to adopt the browser's before it maps them) and restacking (to stay on top).
    this.unlisten.push(conn.listen(conn.root, eventMask.SubstructureNotify));
    await conn.atom('WM_CLASS');
    for (const f of this.frames) if (!f.wid) this.make(conn, f);
    if (this.shownNow) await this.show();
  }

  private make(conn: X11Connection, f: Frame): void {
    const wid = conn.X.AllocID();
    const { x, y, width, height } = f.display;
    conn.X.CreateWindow(wid, conn.root, x, y, width, height, 0, 0, 1, 0, {
      overrideRedirect: true,
      backgroundPixel: this.background,
      eventMask: eventMask.StructureNotify,
    });
    if (f.wid) this.desktop.own.delete(f.wid);
    f.wid = wid;
    f.child = 0;
    this.desktop.own.add(wid);
    // A name for people reading the window tree (xwininfo), not for finding it.
    conn.X.ChangeProperty(0, wid, conn.X.atoms.WM_NAME ?? 39, conn.X.atoms.STRING ?? 31, 8, 'Harbour screen');
  }

  private async grab(): Promise<void> {
    const conn = this.conn;
    const first = this.frames[0];
    if (!conn || !first?.wid || !this.shownNow) return;
    const mask = eventMask.ButtonPress | eventMask.ButtonRelease | eventMask.PointerMotion;
    const [keyboard, pointer] = await Promise.all([
      new Promise<number>((resolve) =>
        conn.X.GrabKeyboard(first.wid, false, 0, 1, 1, (e, status) => {
          resolve(e ? -1 : status);
          return true;
        }),
      ),
      new Promise<number>((resolve) =>
        conn.X.GrabPointer(first.wid, false, mask, 1, 1, 0, 0, 0, (e, status) => {
          resolve(e ? -1 : status);
          return true;
        }),
      ),
    ]);
    const had = this.grabbed;
    this.grabbed = { keyboard: keyboard === 0, pointer: pointer === 0 };
    if (
      (had.keyboard && !this.grabbed.keyboard) ||
      (had.pointer && !this.grabbed.pointer) ||
      keyboard ||
      pointer
    )
      this.logger.debug({ keyboard, pointer }, 'covers: grab status');
  }

  /** While shown: keep the grabs and stay above every other window. */
  private async hold(): Promise<void> {
    if (!this.shownNow || !this.conn) return;
    this.raiseAll(this.conn);
    await this.grab();
  }

  /**
   * Ours above every other window, each picture above its window. The picture goes up first
   * and ours right under it: raised the other way round, ours was on top for a moment between
   * the two requests, with the browser's window in it not yet drawn, and a capture taken then
   * (another client's request served in between) was blank (the test's, 3 in 1,201 captures
   * while Chromium started and mapped its windows, each a reason to raise ours again).
   */
  private raiseAll(conn: X11Connection): void {
    for (const f of this.frames) {
      if (f.veil) {
        conn.X.RaiseWindow(f.veil);
        if (f.wid) conn.X.ConfigureWindow(f.wid, { sibling: f.veil, stackMode: StackBelow });
      } else if (f.wid) conn.X.RaiseWindow(f.wid);
    }
  }

  /** The grabs, as last asked (for tests). */
  get grabs(): { keyboard: boolean; pointer: boolean } {
    return { ...this.grabbed };
  }

  private event(ev: X11Event): void {
    const conn = this.conn;
    if (!conn) return;
    switch (ev.name) {
      case 'CreateNotify':
        if (ev.parent === conn.root && !ev.overrideRedirect && this.expecting) void this.maybeAdopt(conn, ev);
        return;
      case 'ConfigureNotify':
      case 'MapNotify': {
        // ConfigureNotify names the window it was reported on `wid` and the configured one `wid1`.
        const on = ev.name === 'ConfigureNotify' ? ev.wid : ev.event;
        if (on === conn.root && this.shownNow) {
          const wid = ev.name === 'ConfigureNotify' ? ev.wid1 : ev.wid;
          // Someone else's window moved up the stack: ours go back above it.
          if (wid !== undefined && !this.desktop.own.has(wid)) this.raiseAll(conn);
        }
        if (ev.name === 'ConfigureNotify') this.keepChildFitted(conn, ev);
        return;
      }
      case 'UnmapNotify': {
        // The page window in our window unmapped by someone (a window manager letting go of a
        // window it had begun to manage): mapped again, or the cover would stay empty.
        const parent = this.frameOfChild(ev);
        if (parent) {
          this.mapIfUnmapped(
            conn,
            parent,
            parent.child,
            'covers: the page window was unmapped; mapping it again',
          );
          return;
        }
        const f = this.frames.find((fr) => fr.wid === ev.wid);
        if (f && this.shownNow && ev.event === f.wid) {
          // Unmapped by another client: back at once.
          conn.X.MapWindow(f.wid);
          this.raiseAll(conn);
          void this.grab();
        }
        return;
      }
      case 'ReparentNotify': {
        // An adopted window taken out of our window: a window manager that saw the browser map
        // it before we adopted it, then let go of it, gives it back to the root window, under
        // our cover, where the page can no longer be seen (the cover stayed empty after a kill).
        const f = this.frameOfChild(ev);
        if (f && ev.parent !== f.wid && f.wid) {
          this.logger.warn(
            { display: f.display.name },
            'covers: the page window was moved out; taking it back',
          );
          conn.X.ReparentWindow(f.child, f.wid, 0, 0);
          conn.X.MoveResizeWindow(f.child, 0, 0, f.display.width, f.display.height);
          conn.X.MapWindow(f.child);
        }
        return;
      }
      case 'DestroyNotify': {
        const own = this.frames.find((fr) => fr.wid === ev.wid);
        if (own && ev.event === own.wid) {
          this.logger.warn(
            { display: own.display.name },
            'covers: a cover window was destroyed; making it again',
          );
          this.remade++;
          const lostChild = own.child;
          this.make(conn, own);
          if (this.shownNow) {
            conn.X.MapWindow(own.wid);
            this.raiseAll(conn);
            void this.grab();
          }
          if (lostChild) this.emit('child-gone', this.frames.indexOf(own));
          return;
        }
        const parent = this.frames.findIndex((fr) => fr.child === ev.wid && fr.child !== 0);
        if (parent >= 0) {
          const fr = this.frames[parent];
          if (fr) fr.child = 0;
          this.emit('child-gone', parent);
        }
        return;
      }
      case 'KeyPress':
      case 'KeyRelease': {
        if (!this.shownNow) return;
        const keycode = ev.keycode ?? 0;
        const state = ev.buttons ?? 0;
        this.emit('input', {
          kind: 'key',
          press: ev.name === 'KeyPress',
          keycode,
          state,
          keysym: conn.keysym(keycode, state),
        } satisfies CoverInput);
        return;
      }
      case 'ButtonPress':
      case 'ButtonRelease':
      case 'MotionNotify': {
        if (!this.shownNow || !this.frames.some((f) => f.wid === ev.wid)) return;
        const rx = ev.rootx ?? 0;
        const ry = ev.rooty ?? 0;
        const display = this.frames.findIndex(
          (f) =>
            rx >= f.display.x &&
            ry >= f.display.y &&
            rx < f.display.x + f.display.width &&
            ry < f.display.y + f.display.height,
        );
        const f = this.frames[display];
        if (!f) return;
        this.emit('input', {
          kind: 'pointer',
          type: ev.name === 'ButtonPress' ? 'press' : ev.name === 'ButtonRelease' ? 'release' : 'move',
          button: ev.keycode ?? 0,
          state: ev.buttons ?? 0,
          display,
          x: rx - f.display.x,
          y: ry - f.display.y,
        } satisfies CoverInput);
        return;
      }
      default:
        return;
    }
  }

  /** The browser resizes its window to what it thinks full screen is; ours decides. */
  private keepChildFitted(conn: X11Connection, ev: X11Event): void {
    const f = this.frames.find((fr) => fr.child !== 0 && fr.child === ev.wid1 && ev.wid === fr.child);
    if (!f) return;
    const { width, height } = f.display;
    if (ev.x !== 0 || ev.y !== 0 || ev.width !== width || ev.height !== height)
      conn.X.MoveResizeWindow(f.child, 0, 0, width, height);
  }

  private async maybeAdopt(conn: X11Connection, ev: X11Event): Promise<void> {
    const expecting = this.expecting;
    const wid = ev.wid;
    // The browser's own helper windows are tiny (10x10, off screen); its page windows are not.
    if (!expecting || (ev.width ?? 0) <= 20 || (ev.height ?? 0) <= 20) return;
    const attrs = await conn.attributes(wid);
    if (!attrs || attrs.klass !== 1 || attrs.overrideRedirect) return;
    const frame = this.frames[expecting.display];
    if (!frame?.wid || this.expecting !== expecting) return;
    // Into our window before anything else: the window manager must never get to map it.
    conn.X.ReparentWindow(wid, frame.wid, 0, 0);
    conn.X.ChangeWindowAttributes(wid, { backgroundPixel: this.background }, () => undefined);
    // Its contents in a pixmap of its own (the X server still puts them on screen): what it
    // draws under the picture is kept, so untilPageShows() can read it and, at the hand-over,
    // the server shows it at once instead of clearing the window for it to draw again.
    const composite = await this.composite(conn);
    composite?.RedirectWindow(wid, composite.Redirect.Automatic);
    const unlisten = conn.listen(wid, eventMask.StructureNotify | eventMask.PropertyChange);
    const ours = await this.isBrowserOf(conn, wid, expecting.userDataDir);
    if (!ours) {
      unlisten();
      // Another program's window, created just then: give it back to the desktop untouched.
      conn.X.ReparentWindow(wid, conn.root, ev.x ?? 0, ev.y ?? 0);
      return;
    }
    if (this.expecting === expecting) this.expecting = null;
    this.logger.debug({ wid, display: expecting.display, size: [ev.width, ev.height] }, 'covers: adopted');
    frame.child = wid;
    conn.X.MoveResizeWindow(wid, 0, 0, frame.display.width, frame.display.height);
    // Had the browser asked to map it before we adopted it, the window manager got that
    // request and, finding the window no longer its to manage, dropped it: the window stayed
    // unmapped in ours, and the cover empty (1 restart in 8 to 14 on a loaded machine). The
    // browser maps its window at once; one still unmapped a second later is mapped here.
    setTimeout(
      () => this.mapIfUnmapped(conn, frame, wid, 'covers: the page window was never mapped; mapping it'),
      1000,
    ).unref();
    expecting.resolve(wid);
  }

  /** The frame whose adopted page window an event (selected on that window) is about. */
  private frameOfChild(ev: X11Event): Frame | undefined {
    return this.frames.find((fr) => fr.child !== 0 && fr.child === ev.wid && ev.event === fr.child);
  }

  /**
   * Maps `frame`'s page window `wid` if it is still that frame's and unmapped (not one being
   * destroyed, which is unmapped first: that one is gone by the reply).
   */
  private mapIfUnmapped(conn: X11Connection, frame: Frame, wid: number, why: string): void {
    if (frame.child !== wid || conn.closed) return;
    void conn.attributes(wid).then((a) => {
      if (!a || a.mapState !== 0 || frame.child !== wid) return;
      this.logger.warn({ display: frame.display.name }, why);
      conn.X.MapWindow(wid);
    });
  }

  /** Waits (briefly) for the window's WM_CLASS and checks that it names our browser's profile. */
  private async isBrowserOf(conn: X11Connection, wid: number, userDataDir: string): Promise<boolean> {
    const WM_CLASS = await conn.atom('WM_CLASS');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !conn.closed) {
      const p = await conn.property(wid, WM_CLASS);
      if (p === null && !(await conn.attributes(wid))) return false; // gone
      if (p) return p.data.toString('utf8').split('\0')[0]?.includes(`(${userDataDir})`) ?? false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return false;
  }

  /** Above `sibling`'s stack position (a window of ours that must stay right above another). */
  raiseAbove(wid: number, sibling: number): void {
    this.conn?.X.ConfigureWindow(wid, { sibling, stackMode: StackAbove });
  }
}
