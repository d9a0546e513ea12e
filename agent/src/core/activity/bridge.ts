import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  bridgeAuthSchema,
  bridgeLimits,
  browserMessageSchema,
  parseWith,
  type BrowserMessage,
} from '@harbour/shared';
import type { Logger } from 'pino';
import { bridgeInfoFile, ensurePrivateDir, type BridgeInfo } from './bridge-paths.js';

/**
 * The agent's end of the browser channel: a local socket (a Unix domain socket in a
 * private directory, or a named pipe on Windows) that only accepts a connection whose
 * first line proves it knows this session's secret, read from a 0600 file. Harbour's
 * native messaging host, started by the browser for Harbour's extension only, relays
 * the extension's messages here. Every message is validated; anything else is dropped.
 */
export class BrowserBridge {
  private server: net.Server | undefined;
  private readonly secret = randomBytes(32).toString('base64url');
  private info: BridgeInfo | undefined;
  private readonly sockets = new Set<net.Socket>();
  private nextId = 1;

  /**
   * `onMessage` gets each valid message with the number of the connection it came on (one
   * per browser's native host); `onClose` that number when the connection ends.
   */
  constructor(
    private readonly dir: string,
    private readonly onMessage: (message: BrowserMessage, from: number) => void,
    private readonly log: Logger,
    private readonly onClose: (from: number) => void = () => undefined,
  ) {}

  get socketPath(): string | undefined {
    return this.info?.socketPath;
  }

  async start(): Promise<void> {
    ensurePrivateDir(this.dir);
    const socketPath =
      process.platform === 'win32'
        ? `\\\\.\\pipe\\harbour-agent-${randomBytes(12).toString('hex')}`
        : path.join(this.dir, 'agent.sock');
    if (process.platform !== 'win32') fs.rmSync(socketPath, { force: true });
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
    this.server = server;
    this.info = { socketPath, secret: this.secret, pid: process.pid };
    const file = bridgeInfoFile(this.dir);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.info), { mode: 0o600 });
    fs.renameSync(temp, file);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // Remove the published file only if it is still ours (another agent may have started since).
    try {
      const file = bridgeInfoFile(this.dir);
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as { secret?: string };
      if (current.secret === this.secret) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const id = this.nextId++;
    socket.setEncoding('utf8');
    let authed = false;
    let buffer = '';
    const timer = setTimeout(() => {
      if (!authed) drop('no authentication within 5 seconds');
    }, 5000);
    const drop = (reason: string) => {
      this.log.warn({ reason }, 'browser bridge connection refused');
      socket.destroy();
    };
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
      if (authed) this.onClose(id);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > bridgeLimits.messageBytes * 4) return drop('line too long');
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.length > bridgeLimits.messageBytes) {
          this.log.warn({ bytes: line.length }, 'browser message too large; dropped');
          continue;
        }
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          if (!authed) return drop('not JSON');
          this.log.warn('browser message is not JSON; dropped');
          continue;
        }
        if (!authed) {
          const auth = parseWith(bridgeAuthSchema, json);
          if (!auth.ok || !this.secretMatches(auth.value.secret)) return drop('wrong secret');
          authed = true;
          clearTimeout(timer);
          continue;
        }
        const message = parseWith(browserMessageSchema, json);
        if (!message.ok) {
          this.log.warn({ issues: message.issues }, 'invalid browser message; dropped');
          continue;
        }
        this.onMessage(message.value, id);
      }
    });
  }

  private secretMatches(given: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(this.secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
