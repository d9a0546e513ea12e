import { EventEmitter } from 'node:events';
import x11 from 'x11';
import type { Property, WindowAttributes, X11Error, X11Event, XClient } from 'x11';

/** Core modifier bits (X11 KeyButMask). */
export const Mod = {
  Shift: 1,
  Lock: 2,
  Control: 4,
  Alt: 8,
  NumLock: 16,
  Mod3: 32,
  Super: 64,
  Mod5: 128,
} as const;

export const eventMask = x11.eventMask as Record<
  | 'KeyPress'
  | 'KeyRelease'
  | 'ButtonPress'
  | 'ButtonRelease'
  | 'PointerMotion'
  | 'Exposure'
  | 'VisibilityChange'
  | 'StructureNotify'
  | 'SubstructureNotify'
  | 'FocusChange'
  | 'PropertyChange',
  number
>;

/**
 * One long-lived connection to the X server of the user's session (node-x11: pure
 * JavaScript, no program started per question). Promise helpers over the callback API,
 * a cache of atoms, the keyboard map, and event selection that several parts can share on
 * one window (X keeps one event mask per client and window, so each part adds its bits).
 *
 * Emits 'event' (X11Event) and 'close' (the server went away or killed this client).
 */
export class X11Connection extends EventEmitter {
  private readonly atoms = new Map<string, Promise<number>>();
  private readonly masks = new Map<number, Map<symbol, number>>();
  private keymap: { min: number; rows: number[][] } | null = null;
  closed = false;

  private constructor(
    readonly X: XClient,
    readonly root: number,
    readonly rootDepth: number,
    readonly size: { width: number; height: number },
    /** Resource ids are the client's base plus an id under this mask (a window's owner is its id & ~mask). */
    readonly resourceMask: number,
    readonly resourceBase: number,
  ) {
    super();
    this.setMaxListeners(50);
  }

  /** Connects to `display` (default $DISPLAY). Rejects if there is no X server there. */
  static open(display?: string): Promise<X11Connection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const client = x11.createClient(display ? { display } : {}, (error, d) => {
        if (error) {
          settled = true;
          reject(
            new Error(
              `cannot connect to the X display ${display ?? process.env.DISPLAY ?? ''}: ${error.message}`,
            ),
          );
          return;
        }
        const screen = d.screen[0];
        if (!screen) {
          reject(new Error('the X display has no screen'));
          return;
        }
        const conn = new X11Connection(
          d.client,
          screen.root,
          screen.root_depth,
          { width: screen.pixel_width, height: screen.pixel_height },
          d.resource_mask,
          d.resource_base,
        );
        const X = d.client;
        X.on('event', (ev: X11Event) => conn.emit('event', ev));
        // Requests on other clients' windows fail whenever a window goes first (BadWindow):
        // expected, and never a reason to stop.
        X.on('error', (e: X11Error) => conn.emit('x-error', e));
        const gone = () => {
          if (conn.closed) return;
          conn.closed = true;
          conn.emit('close');
        };
        X.on('end', gone);
        X.on('close', gone);
        settled = true;
        conn
          .loadKeymap(d.min_keycode, d.max_keycode)
          .then(() => resolve(conn))
          .catch(reject);
      });
      client.on('error', (e: Error) => {
        if (!settled) reject(new Error(`cannot connect to the X display: ${e.message}`));
      });
    });
  }

  /** The client that created window `wid` owns this base (to tell one program's windows from another's). */
  ownerOf(wid: number): number {
    return (wid & ~this.resourceMask) >>> 0;
  }

  atom(name: string): Promise<number> {
    let known = this.atoms.get(name);
    if (!known) {
      known = new Promise((resolve, reject) =>
        this.X.InternAtom(false, name, (e, atom) => (e ? reject(e) : resolve(atom))),
      );
      this.atoms.set(name, known);
    }
    return known;
  }

  /** A window property; null if the window is gone or has no such property. */
  property(wid: number, name: number, type = 0, longLength = 4096): Promise<Property | null> {
    return new Promise((resolve) => {
      this.X.GetProperty(0, wid, name, type, 0, longLength, (e, p) => {
        resolve(e || !p || p.type === 0 ? null : p);
        return true;
      });
    });
  }

  attributes(wid: number): Promise<WindowAttributes | null> {
    return new Promise((resolve) =>
      this.X.GetWindowAttributes(wid, (e, a) => {
        resolve(e ? null : a);
        return true;
      }),
    );
  }

  children(wid: number): Promise<number[]> {
    return new Promise((resolve) =>
      this.X.QueryTree(wid, (e, t) => {
        resolve(e ? [] : t.children);
        return true;
      }),
    );
  }

  /** A request whose failure (a window already gone) is expected: resolves with the error or null. */
  checked(run: (done: (e: X11Error | null) => void) => void): Promise<X11Error | null> {
    return new Promise((resolve) => run((e) => resolve(e)));
  }

  /** Adds `mask` to this client's event selection on `wid`; the returned function takes it away. */
  listen(wid: number, mask: number): () => void {
    const key = Symbol('mask');
    let parts = this.masks.get(wid);
    if (!parts) this.masks.set(wid, (parts = new Map<symbol, number>()));
    parts.set(key, mask);
    this.applyMask(wid);
    return () => {
      const p = this.masks.get(wid);
      if (!p?.delete(key)) return;
      if (p.size === 0) this.masks.delete(wid);
      if (!this.closed) this.applyMask(wid);
    };
  }

  private applyMask(wid: number): void {
    let mask = 0;
    for (const m of this.masks.get(wid)?.values() ?? []) mask |= m;
    this.X.ChangeWindowAttributes(wid, { eventMask: mask }, () => undefined);
  }

  private async loadKeymap(min: number, max: number): Promise<void> {
    const rows = await new Promise<number[][]>((resolve, reject) =>
      this.X.GetKeyboardMapping(min, max - min + 1, (e, r) => (e ? reject(e) : resolve(r))),
    );
    this.keymap = { min, rows };
  }

  /** The keysym a key press means (group 1; Shift and Caps Lock considered), 0 if none. */
  keysym(keycode: number, state: number): number {
    const row = this.keymap?.rows[keycode - (this.keymap?.min ?? 0)];
    if (!row) return 0;
    const lower = row[0] ?? 0;
    const upper = row[1] || lower;
    const shift = (state & Mod.Shift) !== 0;
    // Caps Lock shifts letters only.
    const letter = lower >= 0x61 && lower <= 0x7a;
    const caps = (state & Mod.Lock) !== 0 && letter;
    return shift !== caps ? upper : lower;
  }

  /** Every keycode that produces `keysym` unshifted (for key grabs). */
  keycodes(keysym: number): number[] {
    const map = this.keymap;
    if (!map) return [];
    return map.rows.flatMap((row, i) => (row[0] === keysym ? [i + map.min] : []));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.X.terminate();
    this.emit('close');
  }
}
