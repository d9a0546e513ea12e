import fs from 'node:fs';
import type { HealthProblem } from '@harbour/shared';
import type { ScreenSaverExt, X11Event } from 'x11';
import type { ForegroundProbe, ForegroundWindow } from '../foreground.js';
import { eventMask, type X11Connection } from './connection.js';
import type { X11Desktop } from './desktop.js';

export interface X11ForegroundOptions {
  desktop: X11Desktop;
  /**
   * Whether the session is locked (systemd-logind); asked at most every `lockedEveryMs`, and
   * only once the display has had no input for that long.
   */
  locked?: () => Promise<boolean>;
  lockedEveryMs?: number;
}

interface Known {
  wid: number;
  window: ForegroundWindow | null;
}

/**
 * The foreground window read from X11 events over the agent's one X connection (issue 15
 * item 5), instead of starting xprop and xwininfo every second. The window manager keeps
 * the active window in the root window's _NET_ACTIVE_WINDOW (EWMH): a PropertyNotify says
 * the moment it changes, and another on the active window the moment its title changes.
 * Titles are read as the UTF-8 bytes the application set (_NET_WM_NAME, else WM_NAME), so
 * every character arrives, "=" included. The application is WM_CLASS's class; the
 * executable comes from _NET_WM_PID through /proc. Idle time is the MIT-SCREEN-SAVER
 * extension's (what xprintidle asks), in process.
 *
 * Harbour's own covers and badge are override-redirect: the window manager never makes them
 * the active window, so the probe never reports them.
 *
 * `onChange` tells the activity feature at once (no polling needed to see a switch).
 */
export class X11Foreground implements ForegroundProbe {
  private known: Known | null = null;
  private reading: Promise<Known> | null = null;
  private conn: X11Connection | null = null;
  private saver: Promise<ScreenSaverExt | null> | null = null;
  private unwatch: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();
  private lockedAt = 0;
  private lockedValue = false;
  private failure: string | null = null;
  /** When the last change was seen, in performance.now() time (for the benchmark). */
  lastChangeAt = 0;

  constructor(private readonly options: X11ForegroundOptions) {
    options.desktop.on('ready', (conn: X11Connection) => this.attach(conn));
    options.desktop.on('lost', () => {
      this.conn = null;
      this.known = null;
      this.saver = null;
    });
  }

  private async connection(): Promise<X11Connection | null> {
    if (this.conn && !this.conn.closed) return this.conn;
    try {
      const conn = await this.options.desktop.connection();
      this.attach(conn);
      this.failure = null;
      return conn;
    } catch (error) {
      this.failure = (error as Error).message;
      return null;
    }
  }

  private attach(conn: X11Connection): void {
    if (this.conn === conn) return;
    this.conn = conn;
    this.known = null;
    conn.listen(conn.root, eventMask.PropertyChange);
    conn.on('event', (ev: X11Event) => void this.event(conn, ev));
  }

  private async event(conn: X11Connection, ev: X11Event): Promise<void> {
    if (ev.name !== 'PropertyNotify' || conn !== this.conn) return;
    const [active, netName, wmName] = await Promise.all([
      conn.atom('_NET_ACTIVE_WINDOW'),
      conn.atom('_NET_WM_NAME'),
      conn.atom('WM_NAME'),
    ]);
    const switched = ev.wid === conn.root && ev.atom === active;
    const retitled = ev.wid === this.known?.wid && (ev.atom === netName || ev.atom === wmName);
    if (!switched && !retitled) return;
    this.known = null;
    this.lastChangeAt = performance.now();
    for (const l of this.listeners) l();
  }

  /** Calls `listener` whenever the foreground window or its title changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    void this.connection();
    return () => this.listeners.delete(listener);
  }

  async activeWindow(): Promise<ForegroundWindow | null> {
    const conn = await this.connection();
    if (!conn) return null;
    if (this.known) return this.known.window;
    this.reading ??= this.read(conn).finally(() => {
      this.reading = null;
    });
    const known = await this.reading;
    // A change that came while reading makes this answer stale: the next call reads again.
    return known.window;
  }

  private async read(conn: X11Connection): Promise<Known> {
    const change = this.lastChangeAt;
    const active = await conn.atom('_NET_ACTIVE_WINDOW');
    const activeNow = async () => {
      const p = await conn.property(conn.root, active);
      return p && p.data.length >= 4 ? p.data.readUInt32LE(0) : 0;
    };
    let wid = await activeNow();
    // Window managers clear _NET_ACTIVE_WINDOW for a moment while focus moves from one window
    // to the next: a switch is not a visit to an empty desktop.
    if (wid === 0) {
      await new Promise((r) => setTimeout(r, 150));
      wid = await activeNow();
    }
    let window: ForegroundWindow | null = null;
    if (wid) {
      this.watch(conn, wid);
      window = await this.describe(conn, wid);
    }
    const known = { wid, window };
    if (this.lastChangeAt === change) this.known = known;
    return known;
  }

  /** Follows the active window's own properties (its title), and only that window's. */
  private watch(conn: X11Connection, wid: number): void {
    if (this.known?.wid === wid && this.unwatch) return;
    this.unwatch?.();
    this.unwatch = conn.listen(wid, eventMask.PropertyChange);
  }

  private async describe(conn: X11Connection, wid: number): Promise<ForegroundWindow | null> {
    const [netName, wmClass, pidAtom] = await Promise.all([
      conn.atom('_NET_WM_NAME'),
      conn.atom('WM_CLASS'),
      conn.atom('_NET_WM_PID'),
    ]);
    // Any type: EWMH says UTF8_STRING, but some programs (xdotool among them) write STRING.
    const [title8, titleLatin, cls, pidProp] = await Promise.all([
      conn.property(wid, netName),
      conn.property(wid, conn.X.atoms.WM_NAME ?? 39),
      conn.property(wid, wmClass),
      conn.property(wid, pidAtom),
    ]);
    if (!title8 && !titleLatin && !cls && !pidProp && !(await conn.attributes(wid))) return null; // gone
    const title = title8?.data.length ? decodeText(title8) : titleLatin ? decodeText(titleLatin) : null;
    // WM_CLASS is "instance\0Class\0"; the class names the application ("Firefox", "Chromium").
    const [instance, klass] = cls ? cls.data.toString('latin1').split('\0') : [];
    const pid = pidProp && pidProp.data.length >= 4 ? pidProp.data.readUInt32LE(0) : null;
    const exePath = pid ? readExe(pid) : null;
    const app = klass || instance || (exePath ? exePath.split('/').pop() : null) || 'Unknown application';
    return { app, title: title?.trim() ? title : null, exePath, pid, url: null };
  }

  async idleSeconds(): Promise<number | null> {
    const conn = await this.connection();
    if (!conn) return null;
    this.saver ??= new Promise((resolve) =>
      conn.X.require('screen-saver', (e, ext) => {
        resolve(e ? null : ext);
        return true;
      }),
    );
    const saver = await this.saver;
    if (!saver) return null;
    return new Promise((resolve) =>
      saver.QueryInfo(conn.root, (e, info) => {
        resolve(e ? null : info.idle / 1000);
        return true;
      }),
    );
  }

  async locked(): Promise<boolean> {
    const ask = this.options.locked;
    if (!ask) return false;
    // logind is a process to ask (loginctl): not every second, and not while the display is
    // in use. A locked session's display gets no input (the lock screen takes it, on its own
    // VT or in its own grab), so input within the last `every` means someone is working here:
    // no program is started while a pupil works, only once the display has gone quiet.
    const every = this.options.lockedEveryMs ?? 10_000;
    const idle = await this.idleSeconds();
    if (idle !== null && idle * 1000 < every) {
      this.lockedValue = false;
      return false;
    }
    if (Date.now() - this.lockedAt > every) {
      this.lockedAt = Date.now();
      this.lockedValue = await ask().catch(() => false);
    }
    return this.lockedValue;
  }

  async problems(): Promise<HealthProblem[]> {
    const conn = await this.connection();
    if (conn) return [];
    return [
      {
        code: 'activity.no-display',
        message:
          `The X display cannot be reached: the active window cannot be read (${this.failure ?? 'no connection'}).`.slice(
            0,
            500,
          ),
      },
    ];
  }

  close(): void {
    this.unwatch?.();
    this.listeners.clear();
  }
}

/** WM_NAME is STRING (Latin-1) or, from some toolkits, UTF8_STRING or COMPOUND_TEXT. */
function decodeText(p: { data: Buffer }): string {
  const utf8 = p.data.toString('utf8');
  return utf8.includes('\uFFFD') ? p.data.toString('latin1') : utf8;
}

function readExe(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}
