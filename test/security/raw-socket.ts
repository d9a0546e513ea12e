/**
 * A socket.io client written by hand over a raw WebSocket, so a test can send frames no
 * well-behaved client would build: 60,000 nested arrays, a binary event with a deep
 * placeholder, an event with no acknowledgement. It speaks just enough of the engine.io 4
 * and socket.io 5 protocols: open, ping/pong, namespace connect, event, ack.
 */
import WebSocket from 'ws';

export interface RawConnection {
  /** Sends a text frame as it is. */
  send(frame: string | Buffer): void;
  /** Sends `["event", <payloadJson>]` with an ack id and waits for the ack's JSON text (or a close). */
  request(event: string, payloadJson: string, timeoutMs?: number): Promise<string>;
  closed: Promise<void>;
  close(): void;
}

export function rawSocketUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
}

/** Opens a namespace with `auth` (JSON text); resolves once the server accepted it, rejects with its refusal. */
export function rawConnect(
  httpUrl: string,
  namespace: '/agent' | '/dashboard',
  options: { auth?: string; headers?: Record<string, string> } = {},
): Promise<RawConnection> {
  const ws = new WebSocket(rawSocketUrl(httpUrl), { headers: options.headers ?? {} });
  let nextAck = 1;
  const pending = new Map<number, (text: string) => void>();
  let closedResolve: () => void = () => undefined;
  const closed = new Promise<void>((r) => (closedResolve = r));
  return new Promise((resolve, reject) => {
    ws.on('error', (err) => reject(err));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('close', () => {
      for (const done of pending.values()) done('closed');
      pending.clear();
      closedResolve();
      reject(new Error('closed before the namespace opened'));
    });
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0')) {
        ws.send(`40${namespace},${options.auth ?? ''}`);
      } else if (text === '2') {
        ws.send('3');
      } else if (text.startsWith(`40${namespace},`)) {
        resolve(connection);
      } else if (text.startsWith(`44${namespace},`)) {
        reject(new Error(text.slice(`44${namespace},`.length)));
      } else if (text.startsWith(`43${namespace},`)) {
        const rest = text.slice(`43${namespace},`.length);
        const match = /^(\d+)(.*)$/s.exec(rest);
        if (match?.[1]) {
          const id = Number(match[1]);
          pending.get(id)?.(match[2] ?? '');
          pending.delete(id);
        }
      }
    });
    const connection: RawConnection = {
      send: (frame) => ws.send(frame),
      request: (event, payloadJson, timeoutMs = 10_000) =>
        new Promise((done, fail) => {
          const id = nextAck++;
          const timer = setTimeout(() => {
            pending.delete(id);
            fail(new Error(`no answer to ${event} within ${timeoutMs} ms`));
          }, timeoutMs);
          pending.set(id, (text) => {
            clearTimeout(timer);
            done(text);
          });
          ws.send(`42${namespace},${id}[${JSON.stringify(event)},${payloadJson}]`);
        }),
      closed,
      close: () => ws.close(),
    };
  });
}

/** `depth` nested arrays, built as text (JSON.stringify itself would overflow the stack). */
export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** `depth` nested objects `{"a":{"a":...}}`. */
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** One object with `width` keys. */
export const wideObject = (width: number) =>
  '{' + Array.from({ length: width }, (_, i) => `"k${i}":${i}`).join(',') + '}';
