import type { Logger } from 'pino';
import type { X11Event } from 'x11';
import { Mod, type X11Connection } from './connection.js';
import type { X11Desktop } from './desktop.js';
import { isHelpShortcut, lockVariants } from './keys.js';

const keysymH = 0x68;

/**
 * Ctrl+Alt+H, "help", on X11: a passive key grab on the root window, as desktop shortcut
 * daemons register theirs, repeated with Caps Lock and Num Lock on (X matches modifiers
 * exactly). The press goes to Harbour alone, whichever window has the focus; the
 * application in front never sees it. While a pupil screen holds the keyboard, the overlay
 * sees the keys itself (ChromiumOverlayOptions.onHelpShortcut).
 *
 * `problem` is set when another program already holds the combination (BadAccess).
 */
export class X11HelpShortcut {
  problem: string | null = null;
  /** How many presses were seen (for tests and logs). */
  presses = 0;

  constructor(
    private readonly desktop: X11Desktop,
    private readonly onPress: () => void,
    private readonly logger: Logger,
  ) {
    desktop.on('ready', (conn: X11Connection) => void this.register(conn));
  }

  /** Takes the shortcut now (and again after every reconnection). */
  async start(): Promise<void> {
    await this.register(await this.desktop.connection());
  }

  private registered = new WeakSet<X11Connection>();

  private async register(conn: X11Connection): Promise<void> {
    if (this.registered.has(conn)) return;
    this.registered.add(conn);
    conn.on('event', (ev: X11Event) => {
      if (ev.name !== 'KeyPress' || ev.wid !== conn.root || this.desktop.covered) return;
      const state = ev.buttons ?? 0;
      if (!isHelpShortcut(conn.keysym(ev.keycode ?? 0, state), state)) return;
      this.presses++;
      this.logger.info('help shortcut pressed (Ctrl+Alt+H)');
      this.onPress();
    });
    const errors = await Promise.all(
      conn
        .keycodes(keysymH)
        .flatMap((keycode) =>
          lockVariants.map((locks) =>
            conn.checked((done) =>
              conn.X.GrabKey(conn.root, false, Mod.Control | Mod.Alt | locks, keycode, 1, 1, done),
            ),
          ),
        ),
    );
    const failed = errors.find((e) => e !== null);
    this.problem = failed
      ? 'Ctrl+Alt+H is taken by another program on this desktop: the help shortcut does not work here.'
      : conn.keycodes(keysymH).length === 0
        ? 'This keyboard has no H key: the help shortcut does not work here.'
        : null;
    if (this.problem) this.logger.warn({ err: failed?.message }, this.problem);
  }
}
