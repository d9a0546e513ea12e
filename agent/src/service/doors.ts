/**
 * How the machine service knows which user a session helper runs as, without trusting
 * anything the helper says (Linux and macOS).
 *
 * Node has no SO_PEERCRED, and no maintained npm package offers it, so the proof is one
 * the kernel enforces at connect(2): every user gets their own "door", a Unix socket
 * inside a directory owned by that user with mode 0700. Only that user (and root) can
 * traverse the directory, so only their processes can reach the socket inside: any
 * connection accepted on door N comes from uid N. The directory is made root-only,
 * the socket bound and handed over, and only then is the directory given to the user, so
 * there is no moment at which another user could put something there.
 *
 * A helper learns where its door is by knocking on the public socket (`socketPath`,
 * mode 0666): "a door for uid N, please". Knocking proves nothing and grants nothing: it
 * only makes the service open a door that only uid N can pass. Door names carry a random
 * part, are never reused, and old ones are moved out of reach (into a root-only folder)
 * before they are deleted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { decodeLine, LineReader, ProtocolError } from '../core/session-protocol.js';
import type { UnixAccount } from './accounts.js';

export const defaultSocketPath = '/run/harbour-agent/service.sock';
/** At most this many users' doors open at once (knocking is free: it must not exhaust anything). */
const maxDoors = 512;

export const knockSchema = z.strictObject({
  t: z.literal('knock'),
  uid: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
});
export const doorReplySchema = z.union([
  z.strictObject({ t: z.literal('door'), path: z.string().max(4096) }),
  z.strictObject({ t: z.literal('refused'), message: z.string().max(500) }),
]);

export interface DoorsOptions {
  /** The public knock socket; doors are made beside it. */
  socketPath: string;
  logger: Logger;
  /** The account behind a uid, or null if there is none (no door for an unknown uid). */
  account(uid: number): Promise<UnixAccount | null>;
  /** A connection through `account`'s door: its peer is that user, as the kernel proved. */
  onConnection(socket: net.Socket, account: UnixAccount): void;
}

interface Door {
  dir: string;
  socketPath: string;
  server: net.Server;
}

export class Doors {
  private knock: net.Server | undefined;
  private readonly doors = new Map<number, Door>();
  private readonly opening = new Map<number, Promise<Door | null>>();

  constructor(private readonly options: DoorsOptions) {}

  private get base(): string {
    return path.dirname(this.options.socketPath);
  }

  private get trash(): string {
    return path.join(this.base, '.trash');
  }

  async start(): Promise<void> {
    const base = this.base;
    fs.mkdirSync(base, { recursive: true, mode: 0o755 });
    const stat = fs.lstatSync(base);
    if (!stat.isDirectory()) throw new Error(`${base} is not a directory`);
    if (process.getuid?.() === 0 && stat.uid !== 0) throw new Error(`${base} is not owned by root`);
    fs.chmodSync(base, 0o755);
    // Doors from an earlier run: out of every user's reach first, then removed.
    fs.mkdirSync(this.trash, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.trash, 0o700);
    for (const name of fs.readdirSync(base)) {
      if (name === '.trash' || name === path.basename(this.options.socketPath)) continue;
      fs.renameSync(
        path.join(base, name),
        path.join(this.trash, `${name}.${randomBytes(4).toString('hex')}`),
      );
    }
    fs.rmSync(this.trash, { recursive: true, force: true });
    fs.mkdirSync(this.trash, { mode: 0o700 });

    fs.rmSync(this.options.socketPath, { force: true });
    const knock = net.createServer((socket) => this.answerKnock(socket));
    await listen(knock, this.options.socketPath);
    fs.chmodSync(this.options.socketPath, 0o666);
    this.knock = knock;
    this.options.logger.info({ socket: this.options.socketPath }, 'service: listening for session helpers');
  }

  async stop(): Promise<void> {
    const servers = [this.knock, ...[...this.doors.values()].map((d) => d.server)];
    this.knock = undefined;
    await Promise.all(servers.map((s) => (s ? close(s) : Promise.resolve())));
    for (const door of this.doors.values()) this.retire(door);
    this.doors.clear();
    fs.rmSync(this.options.socketPath, { force: true });
  }

  /** The door for `uid`, opened if needed; null for an account that does not exist. */
  door(uid: number): Promise<Door | null> {
    const open = this.doors.get(uid);
    if (open) return Promise.resolve(open);
    let pending = this.opening.get(uid);
    if (!pending) {
      pending = this.open(uid).finally(() => this.opening.delete(uid));
      this.opening.set(uid, pending);
    }
    return pending;
  }

  private async open(uid: number): Promise<Door | null> {
    if (this.doors.size >= maxDoors) throw new Error('too many doors open');
    const account = await this.options.account(uid);
    if (!account) return null;
    const dir = path.join(this.base, `${uid}.${randomBytes(6).toString('hex')}`);
    // Root-only while it is being set up: nobody else can put anything inside.
    fs.mkdirSync(dir, { mode: 0o700 });
    const socketPath = path.join(dir, 'session.sock');
    const server = net.createServer((socket) => this.options.onConnection(socket, account));
    try {
      await listen(server, socketPath);
      fs.chmodSync(socketPath, 0o600);
      if (process.getuid?.() === 0) {
        fs.chownSync(socketPath, account.uid, account.gid);
        // Last: from here on only `uid` (and root) can traverse the directory to the socket.
        fs.chownSync(dir, account.uid, account.gid);
      }
    } catch (error) {
      await close(server).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const door = { dir, socketPath, server };
    this.doors.set(uid, door);
    this.options.logger.debug({ uid, dir }, 'service: door opened');
    return door;
  }

  /** Moves a door's folder out of its user's reach, then removes it. */
  private retire(door: Door): void {
    try {
      const away = path.join(this.trash, path.basename(door.dir));
      fs.renameSync(door.dir, away);
      fs.rmSync(away, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }

  private answerKnock(socket: net.Socket): void {
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', () => undefined);
    const reply = (message: z.infer<typeof doorReplySchema>) => socket.end(`${JSON.stringify(message)}\n`);
    const reader = new LineReader(1024, (line) => {
      socket.removeAllListeners('data');
      let uid: number;
      try {
        uid = decodeLine(knockSchema, line).uid;
      } catch (error) {
        reply({ t: 'refused', message: (error as Error).message });
        return;
      }
      this.door(uid).then(
        (door) =>
          reply(
            door
              ? { t: 'door', path: door.socketPath }
              : { t: 'refused', message: `no account with uid ${uid}` },
          ),
        (error: unknown) => {
          this.options.logger.warn({ err: error, uid }, 'service: could not open a door');
          reply({ t: 'refused', message: 'the service could not open a door' });
        },
      );
    });
    socket.on('data', (data: Buffer) => {
      try {
        reader.push(data);
      } catch (error) {
        if (error instanceof ProtocolError) reply({ t: 'refused', message: error.message });
        else socket.destroy();
      }
    });
  }
}

function listen(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The helper's side: asks the service for this user's door and returns its path. */
export function knockFor(socketPath: string, uid: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let text = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('the service did not answer')));
    socket.on('connect', () => socket.write(`${JSON.stringify({ t: 'knock', uid })}\n`));
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (text.length > 8192) socket.destroy(new Error('answer too long'));
    });
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        const answer = decodeLine(doorReplySchema, text.trim());
        if (answer.t === 'door') resolve(answer.path);
        else reject(new Error(answer.message));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
