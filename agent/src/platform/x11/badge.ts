import type { Logger } from 'pino';
import type { X11Event } from 'x11';
import { listDisplays, type Display } from '../displays.js';
import { eventMask, type X11Connection } from './connection.js';
import type { X11Desktop } from './desktop.js';

export interface X11BadgeOptions {
  desktop: X11Desktop;
  logger: Logger;
  /** The pupil pressed it. */
  onPress: () => void;
  /** Badge size in pixels (square). Default 112. */
  size?: number;
  displays?: () => Promise<Display[]>;
}

/** The badge's colours (the pupil pages' help badge: styles.css .help-badge). */
const colours = { amber: 0xffb703, ink: 0x14202b, white: 0xffffff, red: 0xd62828, edge: 0xc98f00 };
/** A click that moves further than this is a drag. */
const dragThreshold = 6;

/**
 * The "help" badge on Linux: a small window Harbour draws itself on its own X connection
 * (no browser behind it), in the bottom-right corner of the primary display. It is
 * override-redirect, so the window manager cannot minimise or close it, it never takes the
 * keyboard focus (nothing the pupil was typing into loses it, and the report's active
 * window stays the pupil's), and it is kept above other windows. The pupil can drag it
 * aside. It goes with the agent: when the agent's X connection closes, the X server
 * destroys it, so a crashed agent leaves no badge and a restarted one shows exactly one.
 */
export class X11Badge {
  private wid = 0;
  private gc = 0;
  private conn: X11Connection | null = null;
  private running = false;
  private press: { x: number; y: number; wx: number; wy: number; dragging: boolean } | null = null;
  private at = { x: 0, y: 0 };
  /** How many presses reached onPress (for tests). */
  presses = 0;

  constructor(private readonly options: X11BadgeOptions) {
    options.desktop.on('ready', (conn: X11Connection) => {
      if (this.running) void this.make(conn);
    });
  }

  get size(): number {
    return this.options.size ?? 112;
  }

  /** The badge's X window (0 while hidden). */
  get window(): number {
    return this.wid;
  }

  async show(): Promise<void> {
    this.running = true;
    await this.make(await this.options.desktop.connection());
  }

  async hide(): Promise<void> {
    this.running = false;
    const conn = this.conn;
    if (conn && this.wid && !conn.closed) {
      conn.X.DestroyWindow(this.wid);
      this.options.desktop.own.delete(this.wid);
      await conn.X.sync();
    }
    this.wid = 0;
  }

  private async make(conn: X11Connection): Promise<void> {
    if (this.conn === conn && this.wid) return;
    const first = this.conn !== conn;
    this.conn = conn;
    const size = this.size;
    const displays = await (this.options.displays ?? listDisplays)();
    const primary = displays.find((d) => d.primary) ?? displays[0];
    this.at = primary
      ? { x: primary.x + primary.width - size - 24, y: primary.y + primary.height - size - 64 }
      : { x: conn.size.width - size - 24, y: conn.size.height - size - 64 };
    const wid = conn.X.AllocID();
    conn.X.CreateWindow(wid, conn.root, this.at.x, this.at.y, size, size, 0, 0, 1, 0, {
      overrideRedirect: true,
      backgroundPixel: colours.amber,
      eventMask:
        eventMask.Exposure |
        eventMask.ButtonPress |
        eventMask.ButtonRelease |
        eventMask.PointerMotion |
        eventMask.StructureNotify,
    });
    // A press of the first button on the badge freezes the keyboard in the X server itself
    // (a passive grab, keyboard mode Synchronous) until we have taken it (ButtonPress below):
    // grabbing it only once our event loop got round to the press let keys typed meanwhile
    // reach the pupil's application on a busy computer ("he" of "held", 200 ms after the
    // press, with the machine's load at 10). Frozen keys are queued, not lost, and if we never
    // answer, the server thaws them when the button is let go.
    conn.X.GrabButton(
      wid,
      false,
      eventMask.ButtonPress | eventMask.ButtonRelease | eventMask.PointerMotion,
      1, // pointer: Asynchronous
      0, // keyboard: Synchronous (frozen)
      0,
      0,
      1,
      0x8000, // any modifiers
    );
    conn.X.ChangeProperty(0, wid, conn.X.atoms.WM_NAME ?? 39, conn.X.atoms.STRING ?? 31, 8, 'Harbour help');
    this.wid = wid;
    this.options.desktop.own.add(wid);
    const font = conn.X.AllocID();
    conn.X.OpenFont(font, 'fixed');
    this.gc = conn.X.AllocID();
    conn.X.CreateGC(this.gc, wid, { foreground: colours.ink, background: colours.amber, font });
    if (first) {
      conn.on('event', (ev: X11Event) => this.event(conn, ev));
      conn.listen(conn.root, eventMask.SubstructureNotify);
    }
    conn.X.MapWindow(wid);
    conn.X.RaiseWindow(wid);
    await conn.X.sync();
  }

  private draw(conn: X11Connection): void {
    const { wid, gc } = this;
    if (!wid) return;
    const s = this.size;
    const c = s / 2;
    const r = Math.round(s * 0.28);
    const cy = Math.round(c - s * 0.08);
    const fill = (colour: number, radius: number, from = 0, extent = 360) => {
      conn.X.ChangeGC(gc, { foreground: colour });
      conn.X.PolyFillArc(wid, gc, [c - radius, cy - radius, radius * 2, radius * 2, from * 64, extent * 64]);
    };
    // A lifebuoy: a white ring with four red bands, then the word.
    fill(colours.white, r);
    for (const from of [20, 110, 200, 290]) fill(colours.red, r, from, 50);
    fill(colours.amber, Math.round(r * 0.5));
    conn.X.ChangeGC(gc, { foreground: colours.edge });
    conn.X.PolyFillRectangle(wid, gc, [0, 0, s, 6]);
    conn.X.ChangeGC(gc, { foreground: colours.ink });
    conn.X.PolyText8(wid, gc, c - 12, s - 14, ['Help']);
  }

  private keyboardTimer: NodeJS.Timeout | undefined;

  /** Gives back the keyboard taken at a press, unless a cover holds it now (its grab, on our connection). */
  private releaseKeyboard(conn: X11Connection): void {
    clearTimeout(this.keyboardTimer);
    if (!this.options.desktop.covered && !this.press && !conn.closed) conn.X.UngrabKeyboard(0);
  }

  private event(conn: X11Connection, ev: X11Event): void {
    if (this.conn !== conn) return;
    const on = ev.name === 'ConfigureNotify' ? ev.wid : (ev.event ?? ev.wid);
    if (on === this.wid && ev.name !== 'ConfigureNotify') {
      switch (ev.name) {
        case 'Expose':
          if (ev.count === 0) this.draw(conn);
          return;
        case 'ButtonPress':
          if (ev.keycode === 1) {
            this.press = {
              x: ev.rootx ?? 0,
              y: ev.rooty ?? 0,
              wx: this.at.x,
              wy: this.at.y,
              dragging: false,
            };
            // The keyboard is ours from the press: a pupil (or a script) typing right after the
            // click must not reach the desktop in the moments before the cover is up and holds
            // it (on a loaded computer, the first letter of eight typed 30 ms apart did). Keys
            // meanwhile come to us and are dropped; the cover's grab takes over from this one.
            // A press's timer from before (a cover released within 3 s) must not let go of this one.
            clearTimeout(this.keyboardTimer);
            conn.X.GrabKeyboard(this.wid, false, 0, 1, 1, (err, status) => {
              // 0 Success; 1 AlreadyGrabbed, 2 InvalidTime, 3 NotViewable, 4 Frozen.
              if (err || status !== 0)
                this.options.logger.warn(
                  { status, err: err?.message },
                  'help badge: the keyboard could not be held at the press',
                );
            });
          }
          // The server froze the keyboard at the press (the passive grab in make()); with the
          // grab above in place first (requests go in order), the keys queued meanwhile come to us.
          conn.X.AllowEvents(3, 0);
          return;
        case 'MotionNotify': {
          const p = this.press;
          if (!p) return;
          const dx = (ev.rootx ?? 0) - p.x;
          const dy = (ev.rooty ?? 0) - p.y;
          if (!p.dragging && Math.hypot(dx, dy) < dragThreshold) return;
          p.dragging = true;
          this.at = { x: p.wx + dx, y: p.wy + dy };
          conn.X.ConfigureWindow(this.wid, { x: this.at.x, y: this.at.y });
          return;
        }
        case 'ButtonRelease': {
          const p = this.press;
          this.press = null;
          if (ev.keycode !== 1 || !p) return;
          const inside =
            (ev.x ?? -1) >= 0 && (ev.y ?? -1) >= 0 && (ev.x ?? 0) < this.size && (ev.y ?? 0) < this.size;
          if (p.dragging || !inside) {
            this.releaseKeyboard(conn);
            return;
          }
          this.presses++;
          this.options.logger.info('help badge pressed');
          this.options.onPress();
          // Held until the cover takes the keyboard; given back if no cover came of the press.
          clearTimeout(this.keyboardTimer);
          this.keyboardTimer = setTimeout(() => this.releaseKeyboard(conn), 3000);
          this.keyboardTimer.unref();
          return;
        }
        case 'DestroyNotify':
          // Destroyed by another program: back at once.
          this.options.desktop.own.delete(this.wid);
          this.wid = 0;
          if (this.running) void this.make(conn);
          return;
        case 'UnmapNotify':
          if (this.running) conn.X.MapWindow(this.wid);
          return;
        default:
          return;
      }
    }
    // Another window rose: the badge goes back on top (under a pupil screen, which covers it).
    if (
      this.running &&
      this.wid &&
      !this.options.desktop.covered &&
      on === conn.root &&
      (ev.name === 'MapNotify' || ev.name === 'ConfigureNotify')
    ) {
      const moved = ev.name === 'ConfigureNotify' ? ev.wid1 : ev.wid;
      if (moved !== undefined && !this.options.desktop.own.has(moved)) conn.X.RaiseWindow(this.wid);
    }
  }
}
