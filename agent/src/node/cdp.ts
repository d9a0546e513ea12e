import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** A DevTools protocol event, from the browser or (with `sessionId`) one of its pages. */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  method: string;
}

/** Messages larger than this are refused (a page's screenshot is the largest Harbour asks for). */
const maxMessageBytes = 64 * 1024 * 1024;

/**
 * The Chrome DevTools protocol over the pipe Chromium opens with --remote-debugging-pipe:
 * it reads commands on its fd 3 and writes answers and events on its fd 4, each a JSON
 * message ended by a NUL byte. Only the parent process holds the two ends, so no other
 * program on the computer (another user's included) can connect, unlike a debugging port;
 * and the URLs Harbour opens travel here, never on Chromium's command line.
 *
 * A few dozen lines instead of a library: playwright-core speaks this too, but launches
 * Chromium its own way (its own flags, contexts and windows) and costs tens of MB in this
 * process; chrome-remote-interface speaks only WebSocket. Emits 'event' (CdpEvent) and
 * 'close'.
 */
export class CdpPipe extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  closed = false;

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    super();
    this.setMaxListeners(50);
    fromBrowser.on('data', (chunk: Buffer) => this.receive(chunk));
    const close = () => this.close(new Error('the browser closed its DevTools pipe'));
    fromBrowser.once('close', close);
    fromBrowser.once('error', close);
    toBrowser.once('error', close);
  }

  /** Sends a command (to a page when `sessionId` is given) and resolves its result. */
  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${method}: the browser is gone`));
    const id = this.nextId++;
    const message = JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject, method });
      this.toBrowser.write(`${message}\0`);
    });
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(0); end !== -1; end = chunk.indexOf(0, start)) {
      const part = chunk.subarray(start, end);
      const whole = this.buffered.length > 0 ? Buffer.concat([...this.buffered, part]) : part;
      this.buffered = [];
      this.bufferedBytes = 0;
      start = end + 1;
      this.dispatch(whole);
    }
    if (start < chunk.length) {
      this.buffered.push(chunk.subarray(start));
      this.bufferedBytes += chunk.length - start;
      if (this.bufferedBytes > maxMessageBytes) this.close(new Error('a DevTools message was too large'));
    }
  }

  private dispatch(raw: Buffer): void {
    let message: {
      id?: number;
      result?: Record<string, unknown>;
      error?: { message?: string };
      method?: string;
      params?: Record<string, unknown>;
      sessionId?: string;
    };
    try {
      message = JSON.parse(raw.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message ?? 'failed'}`));
      else pending.resolve(message.result ?? {});
      return;
    }
    if (typeof message.method === 'string') {
      const event: CdpEvent = { method: message.method, params: message.params ?? {} };
      if (message.sessionId) event.sessionId = message.sessionId;
      this.emit('event', event);
    }
  }

  close(reason = new Error('closed')): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error(`${p.method}: ${reason.message}`));
    this.pending.clear();
    this.toBrowser.end();
    this.emit('close', reason);
  }
}
