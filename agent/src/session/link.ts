/**
 * The session helper's end of the local channel: finds its user's door (knocking on the
 * service's public socket), says hello, and gives the session's features an AgentContext
 * whose outbox, evidence, state and server requests are the service's. It holds no
 * credential and no outbox: events, screenshots and state changes wait in memory, in
 * order, until the service has acknowledged them (also across a service restart), and are
 * sent again after a reconnection (the service stores an event id once).
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { sniffEvidenceMime, type AgentEvent, type HealthProblem, type OsUser } from '@harbour/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AgentContext, DeviceIdentity } from '../core/feature.js';
import {
  decodeLine,
  encodeLine,
  LineReader,
  maxLineBytes,
  serviceMessageSchema,
  sessionProtocolVersion,
  type HelperMessage,
  type ServiceMessage,
  type serviceWelcomeSchema,
} from '../core/session-protocol.js';
import { knockFor } from '../service/doors.js';

/** Opens a connection to the service through this user's door; resolves once connected. */
export type DoorOpener = () => Promise<net.Socket>;

/** Linux and macOS: knock for this uid's door, then connect to the socket inside it. */
export function unixDoorOpener(socketPath: string, uid: number): DoorOpener {
  return async () => {
    const door = await knockFor(socketPath, uid);
    return new Promise((resolve, reject) => {
      const socket = net.connect(door);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  };
}

export type Welcome = z.infer<typeof serviceWelcomeSchema>;

export interface SessionFactsForHello {
  display: string | null;
  xauthority: string | null;
  runtimeDir: string | null;
  sessionId: string | null;
}

type Durable = Extract<HelperMessage, { t: 'enqueue' | 'evidence' | 'state' }>;
type DurableBody =
  | Omit<Extract<HelperMessage, { t: 'enqueue' }>, 'seq'>
  | Omit<Extract<HelperMessage, { t: 'evidence' }>, 'seq'>
  | Omit<Extract<HelperMessage, { t: 'state' }>, 'seq'>;

interface LinkEvents {
  /** Connected and welcomed (again). */
  welcome: [welcome: Welcome];
  /** The service's connection to the server went up or down, or the service itself went away. */
  online: [online: boolean];
  /** The service refused something for good; logged. */
  refused: [what: string, why: string];
}

export class ServiceLink extends EventEmitter<LinkEvents> {
  private socket: net.Socket | undefined;
  private welcomeValue: Welcome | undefined;
  private nextSeq = 0;
  private nextRequest = 0;
  private readonly unacked = new Map<number, Durable>();
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  private readonly handlers = new Map<string, ((payload: unknown) => void)[]>();
  private connected = false;
  private serviceOnline = false;
  private closed = false;
  private retryMs = 250;
  private health: HealthProblem[] = [];

  constructor(
    private readonly options: {
      socketPath: string;
      facts: SessionFactsForHello;
      logger: Logger;
      uid?: number;
      /** How to reach the service (default: this uid's Unix door beside socketPath). */
      open?: DoorOpener;
    },
  ) {
    super();
  }

  get welcome(): Welcome | undefined {
    return this.welcomeValue;
  }

  /** Whether the server can be reached right now (through the service). */
  get online(): boolean {
    return this.connected && this.serviceOnline;
  }

  /** Connects, retrying until the service answers; resolves with the first welcome. */
  start(): Promise<Welcome> {
    const first = new Promise<Welcome>((resolve) => this.once('welcome', resolve));
    void this.connect();
    return first;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let socket: net.Socket;
    try {
      const open =
        this.options.open ??
        unixDoorOpener(this.options.socketPath, this.options.uid ?? process.getuid?.() ?? 0);
      socket = await open();
    } catch (error) {
      this.options.logger.debug(
        { err: (error as Error).message },
        'session: the service is not answering yet',
      );
      this.retry();
      return;
    }
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    const reader = new LineReader(maxLineBytes, (line) => {
      let message: ServiceMessage;
      try {
        message = decodeLine(serviceMessageSchema, line);
      } catch (error) {
        this.options.logger.warn(
          { err: (error as Error).message },
          'session: a message from the service was refused',
        );
        return;
      }
      this.onMessage(message);
    });
    this.retryMs = 250;
    this.write({
      t: 'hello',
      version: sessionProtocolVersion,
      session: { ...this.options.facts, pid: process.pid },
    });
    socket.on('data', (data: Buffer) => {
      try {
        reader.push(data);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      const was = this.online;
      this.connected = false;
      this.socket = undefined;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('offline'));
        this.pending.delete(id);
      }
      if (was) this.emit('online', false);
      this.retry();
    });
  }

  private retry(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 2000);
    setTimeout(() => void this.connect(), wait).unref();
  }

  private write(message: HelperMessage): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeLine(message));
  }

  private onMessage(message: ServiceMessage): void {
    switch (message.t) {
      case 'welcome': {
        this.welcomeValue = message;
        this.connected = true;
        this.serviceOnline = message.online;
        // Everything not yet acknowledged goes again, in order.
        for (const m of [...this.unacked.values()].sort((a, b) => a.seq - b.seq)) this.write(m);
        if (this.health.length > 0) this.write({ t: 'health', problems: this.health });
        this.emit('welcome', message);
        this.emit('online', this.online);
        return;
      }
      case 'ack': {
        const sent = this.unacked.get(message.seq);
        this.unacked.delete(message.seq);
        if (message.refused && sent) this.emit('refused', sent.t, message.refused);
        return;
      }
      case 'response': {
        const p = this.pending.get(message.id);
        if (!p) return;
        this.pending.delete(message.id);
        clearTimeout(p.timer);
        p.resolve(message.result);
        return;
      }
      case 'push':
        for (const h of this.handlers.get(message.event) ?? []) {
          try {
            h(message.payload);
          } catch (error) {
            this.options.logger.error({ err: error, event: message.event }, 'session: a push handler failed');
          }
        }
        return;
      case 'status': {
        const was = this.online;
        this.serviceOnline = message.online;
        if (was !== this.online) this.emit('online', this.online);
        return;
      }
      case 'error':
        this.options.logger.warn({ message: message.message }, 'session: the service refused a message');
        return;
    }
  }

  /** Sends a message that must not be lost; it is kept until the service acknowledges it. */
  durable(message: DurableBody): void {
    const full = { ...message, seq: this.nextSeq++ };
    this.unacked.set(full.seq, full);
    if (this.connected) this.write(full);
  }

  request(event: string, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    if (!this.online) return Promise.reject(new Error('offline'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      // A little longer than the service's own wait for the server.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('timeout'));
      }, timeoutMs + 2000);
      this.pending.set(id, { resolve, reject, timer });
      this.write({ t: 'request', id, event, payload, timeoutMs });
    });
  }

  onPush(event: string, handler: (payload: unknown) => void): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
  }

  setHealth(problems: HealthProblem[]): void {
    this.health = problems.slice(0, 50);
    if (this.connected) this.write({ t: 'health', problems: this.health });
  }
}

/** The AgentContext a session's features get: the service's outbox and connection, this session's own state. */
export function remoteContext(
  link: ServiceLink,
  welcome: Welcome,
  options: { logger: Logger; dataDir: string },
): AgentContext {
  const state = new Map(Object.entries(welcome.state));
  const user: OsUser = welcome.user;
  const device: DeviceIdentity = welcome.device;
  return {
    logger: options.logger,
    dataDir: options.dataDir,
    device,
    user,
    get online() {
      return link.online;
    },
    enqueue(body, occurredAt = new Date()) {
      const event: AgentEvent = { id: randomUUID(), occurredAt: occurredAt.toISOString(), body };
      link.durable({ t: 'enqueue', event });
      return event;
    },
    request: (event, payload, timeoutMs) => link.request(event, payload, timeoutMs) as never,
    onPush: (event, handler) => link.onPush(event, handler as (p: unknown) => void),
    saveEvidence(bytes, mime) {
      if (sniffEvidenceMime(bytes) !== mime) throw new Error(`evidence is not a ${mime} image`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      link.durable({ t: 'evidence', sha256, mime, base64: bytes.toString('base64') });
      return { sha256, mime, bytes: bytes.length };
    },
    getState: (key) => state.get(key),
    setState(key, value) {
      if (value === null) state.delete(key);
      else state.set(key, value);
      link.durable({ t: 'state', key, value });
    },
  };
}
