import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { X11Connection } from './connection.js';

/**
 * The agent's one X connection for the user's session, shared by the screen overlay, the
 * help badge, Ctrl+Alt+H and the foreground-window probe. If the connection is lost (the
 * X server restarted, or another program killed this client with XKillClient) it is made
 * again at once and every part sets itself up again ('ready' is emitted each time).
 */
export class X11Desktop extends EventEmitter {
  private conn: X11Connection | null = null;
  private connecting: Promise<X11Connection> | null = null;
  private closed = false;
  private failures = 0;
  /** How many times the connection was made again after it was lost (for tests and logs). */
  reconnects = 0;
  /** Windows of Harbour's own (covers, badge): their restacking is not another window rising above ours. */
  readonly own = new Set<number>();
  /** Whether a pupil screen (the covers) is up now: the badge then stays under it. */
  covered = false;

  constructor(
    private readonly logger: Logger,
    readonly display: string | undefined = process.env.DISPLAY,
  ) {
    super();
    this.setMaxListeners(50);
  }

  /** The connection, once made; null while there is none. */
  get current(): X11Connection | null {
    return this.conn && !this.conn.closed ? this.conn : null;
  }

  /** Resolves the live connection, connecting first if needed. */
  connection(): Promise<X11Connection> {
    const live = this.current;
    if (live) return Promise.resolve(live);
    if (this.closed) return Promise.reject(new Error('the X connection is closed'));
    this.connecting ??= X11Connection.open(this.display)
      .then((conn) => {
        this.conn = conn;
        this.failures = 0;
        conn.on('x-error', (e: Error) => this.logger.debug({ err: e.message }, 'x11: request refused'));
        conn.once('close', () => this.lost(conn));
        this.emit('ready', conn);
        return conn;
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  private lost(conn: X11Connection): void {
    if (this.conn !== conn) return;
    this.conn = null;
    if (this.closed) return;
    this.logger.warn('x11: the connection to the X display was lost; connecting again');
    this.emit('lost');
    this.retry();
  }

  private retry(): void {
    const wait = this.failures === 0 ? 0 : Math.min(5000, 100 * 2 ** this.failures);
    setTimeout(() => {
      if (this.closed || this.current) return;
      this.connection().then(
        () => {
          this.reconnects++;
        },
        (error: Error) => {
          this.failures++;
          this.logger.warn({ err: error.message }, 'x11: cannot connect again yet');
          this.retry();
        },
      );
    }, wait).unref();
  }

  close(): void {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
  }
}
