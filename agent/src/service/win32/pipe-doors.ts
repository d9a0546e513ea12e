/**
 * How the Windows machine service knows which user a session helper runs as (the Windows
 * counterpart of doors.ts). Node cannot read a named pipe client's process or token, so the
 * proof is one the kernel enforces on a file: for every signed-in user the service writes a
 * random nonce into a folder whose ACL lets only SYSTEM and that user read it
 * (%ProgramData%\Harbour\doors\<hash of the user>\door.json). A helper proves who it is by
 * presenting that nonce as the first line on the service's session pipe: only a process of
 * that user (or SYSTEM) could have read it.
 *
 * The helper finds its folder from its own account name, never from the service's answer,
 * so a process that took the knock pipe's name while the service was down can hand it no
 * folder of its own making (the doors folder is SYSTEM's and the Administrators' only). The
 * folder is created inheriting that, the nonce written, and only then is the user let in;
 * nonces are new at every service start and are never logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { decodeLine, LineReader, ProtocolError } from '../../core/session-protocol.js';
import type { OsAccount } from '../accounts.js';
import type { AcceptPeer, PeerChannel } from '../service.js';
import { windowsSids } from './sids.js';

export const defaultKnockPipe = '\\\\.\\pipe\\harbour-agent';
export const defaultSessionPipe = '\\\\.\\pipe\\harbour-agent-session';

export const pipeKnockSchema = z.strictObject({ t: z.literal('knock'), user: z.string().min(1).max(256) });
export const pipeDoorSchema = z.strictObject({
  t: z.literal('door'),
  nonce: z.string().regex(/^[0-9a-f]{64}$/),
});
export const doorFileSchema = z.strictObject({
  pipe: z.string().max(256),
  nonce: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The folder name for an account: the same on both sides, and no account name in a path. */
export function doorFolderName(accountId: string): string {
  return createHash('sha256').update(accountId.toLowerCase()).digest('hex').slice(0, 32);
}

/** icacls arguments for the doors folder itself: SYSTEM and Administrators only, nothing inherited. */
export function doorsBaseAcl(dir: string): string[] {
  return [
    dir,
    '/inheritance:r',
    '/grant:r',
    `*${windowsSids.system}:(OI)(CI)F`,
    '/grant:r',
    `*${windowsSids.administrators}:(OI)(CI)F`,
    '/Q',
  ];
}

/** icacls arguments for one user's door folder: SYSTEM, and that user may read; nobody else. */
export function doorAcl(dir: string, accountId: string): string[] {
  return [
    dir,
    '/inheritance:r',
    '/grant:r',
    `*${windowsSids.system}:(OI)(CI)F`,
    '/grant:r',
    `${accountId}:(OI)(CI)R`,
    '/T',
    '/Q',
  ];
}

/** How folders are made private (icacls on Windows; tests give their own). */
export interface DoorSecurity {
  base(dir: string): Promise<void>;
  door(dir: string, account: OsAccount): Promise<void>;
}

export interface PipeDoorsOptions {
  knockPath: string;
  sessionPath: string;
  doorsDir: string;
  logger: Logger;
  /** The account behind an id, if it has a session now (no door for anyone else). */
  account(id: string): Promise<OsAccount | null>;
  security: DoorSecurity;
  onConnection: AcceptPeer;
}

const nonceKey = (nonce: string) => createHash('sha256').update(nonce).digest('hex');
const maxDoors = 512;

export class PipeDoors implements PeerChannel {
  private knock: net.Server | undefined;
  private session: net.Server | undefined;
  /** sha256(nonce) → the account whose folder holds it. */
  private readonly byNonce = new Map<string, OsAccount>();
  private readonly opened = new Map<string, Promise<void>>();

  constructor(private readonly options: PipeDoorsOptions) {}

  async start(): Promise<void> {
    const { doorsDir } = this.options;
    // Doors of an earlier run are stale: the folder goes, and is made again SYSTEM's alone.
    fs.rmSync(doorsDir, { recursive: true, force: true });
    fs.mkdirSync(doorsDir, { recursive: true });
    await this.options.security.base(doorsDir);
    this.session = net.createServer((socket) => this.answerSession(socket));
    await listen(this.session, this.options.sessionPath);
    this.knock = net.createServer((socket) => this.answerKnock(socket));
    await listen(this.knock, this.options.knockPath);
    this.options.logger.info({ pipe: this.options.knockPath }, 'service: listening for session helpers');
  }

  async stop(): Promise<void> {
    await Promise.all([this.knock, this.session].map((s) => (s ? close(s) : Promise.resolve())));
    this.byNonce.clear();
    fs.rmSync(this.options.doorsDir, { recursive: true, force: true });
  }

  /** The door folder for `account`, made once per service run. */
  private door(account: OsAccount): Promise<void> {
    const key = account.id.toLowerCase();
    let pending = this.opened.get(key);
    if (!pending) {
      if (this.opened.size >= maxDoors) return Promise.reject(new Error('too many doors open'));
      pending = this.open(account);
      this.opened.set(key, pending);
      pending.catch(() => this.opened.delete(key));
    }
    return pending;
  }

  private async open(account: OsAccount): Promise<void> {
    const dir = path.join(this.options.doorsDir, doorFolderName(account.id));
    fs.rmSync(dir, { recursive: true, force: true });
    // Made inside the doors folder, it is SYSTEM's and the Administrators' until restricted.
    fs.mkdirSync(dir);
    const nonce = randomBytes(32).toString('hex');
    fs.writeFileSync(path.join(dir, 'door.json'), JSON.stringify({ pipe: this.options.sessionPath, nonce }), {
      mode: 0o600,
    });
    await this.options.security.door(dir, account);
    this.byNonce.set(nonceKey(nonce), account);
  }

  private answerKnock(socket: net.Socket): void {
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', () => undefined);
    const reply = (message: object) => socket.end(`${JSON.stringify(message)}\n`);
    const reader = new LineReader(1024, (line) => {
      socket.removeAllListeners('data');
      let user: string;
      try {
        user = decodeLine(pipeKnockSchema, line).user;
      } catch (error) {
        reply({ t: 'refused', message: (error as Error).message });
        return;
      }
      void this.options
        .account(user)
        .then((account) => {
          if (!account) {
            reply({ t: 'refused', message: 'no signed-in account of that name' });
            return;
          }
          return this.door(account).then(() => reply({ t: 'door', path: doorFolderName(account.id) }));
        })
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'service: could not open a door');
          reply({ t: 'refused', message: 'the service could not open a door' });
        });
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

  /** The first line must be a nonce only one user could have read; then the connection is theirs. */
  private answerSession(socket: net.Socket): void {
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf(0x0a);
      if (end < 0) {
        if (buffered.length > 1024) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      let account: OsAccount | undefined;
      try {
        account = this.byNonce.get(
          nonceKey(decodeLine(pipeDoorSchema, buffered.subarray(0, end).toString()).nonce),
        );
      } catch {
        account = undefined;
      }
      if (!account) {
        socket.end(`${JSON.stringify({ t: 'error', message: 'not a door of this service' })}\n`);
        return;
      }
      socket.setTimeout(0);
      const rest = buffered.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      this.options.onConnection(socket, account);
      socket.resume();
    };
    socket.on('data', onData);
  }
}

function listen(server: net.Server, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The helper's side: knocks for its own account, reads the nonce from the folder its own
 * name points to, connects to the session pipe and proves itself. Resolves the connected socket.
 */
export async function openPipeDoor(options: {
  knockPath: string;
  doorsDir: string;
  accountId: string;
  timeoutMs?: number;
}): Promise<net.Socket> {
  const timeoutMs = options.timeoutMs ?? 5000;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(options.knockPath);
    let text = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('the service did not answer')));
    socket.on('connect', () => socket.write(`${JSON.stringify({ t: 'knock', user: options.accountId })}\n`));
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (text.length > 8192) socket.destroy(new Error('answer too long'));
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = JSON.parse(text.trim() || '{}') as { t?: string; message?: string };
      if (answer.t === 'door') resolve();
      else reject(new Error(answer.message ?? 'the service refused'));
    });
  });
  const file = path.join(options.doorsDir, doorFolderName(options.accountId), 'door.json');
  const door = doorFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return new Promise((resolve, reject) => {
    const socket = net.connect(door.pipe);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.write(`${JSON.stringify({ t: 'door', nonce: door.nonce })}\n`);
      resolve(socket);
    });
  });
}
