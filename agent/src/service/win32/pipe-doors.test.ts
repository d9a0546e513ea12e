// The Windows doors' protocol, run for real with Unix sockets standing in for the named
// pipes (the same Node net API) and folder security recorded instead of icacls: the
// nonce, the folder it lives in, what a wrong or missing nonce gets, and the order of
// the steps that keep the nonce from every other user.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OsAccount } from '../accounts.js';
import {
  doorAcl,
  doorFolderName,
  doorsBaseAcl,
  openPipeDoor,
  PipeDoors,
  type DoorSecurity,
} from './pipe-doors.js';

const pupil: OsAccount = { id: 'SCHOOL\\pupil1', username: 'pupil1', home: '' };
const other: OsAccount = { id: 'SCHOOL\\pupil2', username: 'pupil2', home: '' };
const open: PipeDoors[] = [];
const sockets: net.Socket[] = [];

function setUp(security?: Partial<DoorSecurity>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-pipes-'));
  const doorsDir = path.join(dir, 'doors');
  const steps: string[] = [];
  const accepted: { account: OsAccount; socket: net.Socket; said: string[] }[] = [];
  const doors = new PipeDoors({
    knockPath: path.join(dir, 'knock.sock'),
    sessionPath: path.join(dir, 'session.sock'),
    doorsDir,
    logger: pino({ level: 'silent' }),
    account: (id) =>
      Promise.resolve([pupil, other].find((a) => a.id.toLowerCase() === id.toLowerCase()) ?? null),
    security: {
      base: (d) => {
        steps.push(`base ${path.relative(dir, d)}`);
        return Promise.resolve();
      },
      door: (d, who) => {
        steps.push(
          `door ${who.id} ${fs.existsSync(path.join(d, 'door.json')) ? 'after the nonce' : 'before'}`,
        );
        return Promise.resolve();
      },
      ...security,
    },
    onConnection: (socket, account) => {
      // As the service does: it listens at once.
      const said: string[] = [];
      socket.on('data', (d: Buffer) => said.push(d.toString()));
      sockets.push(socket);
      accepted.push({ socket, account, said });
    },
  });
  open.push(doors);
  return { dir, doorsDir, doors, steps, accepted, knock: path.join(dir, 'knock.sock') };
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const d of open.splice(0)) await d.stop();
});

function firstLine(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
    });
    socket.on('close', () => resolve(text));
  });
}

describe('the Windows doors (a nonce only one user can read)', () => {
  it('lets a helper in as the account whose folder held the nonce, and passes on what it says next', async () => {
    const { doorsDir, doors, steps, accepted, knock } = setUp();
    await doors.start();
    const socket = await openPipeDoor({ knockPath: knock, doorsDir, accountId: 'school\\PUPIL1' });
    socket.write('{"t":"hello"}\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted.map((a) => a.account)).toEqual([pupil]);
    expect(accepted[0]?.said.join('')).toBe('{"t":"hello"}\n');
    // The folder is named by a hash of the account, made private only once the nonce is inside.
    expect(fs.readdirSync(doorsDir)).toEqual([doorFolderName(pupil.id)]);
    expect(steps).toEqual(['base doors', 'door SCHOOL\\pupil1 after the nonce']);
    socket.destroy();
  });

  it('refuses a wrong nonce, garbage, and a door for someone with no session; and keeps running', async () => {
    const { dir, doors, accepted, knock } = setUp();
    await doors.start();
    const session = path.join(dir, 'session.sock');
    for (const line of [`{"t":"door","nonce":"${'0'.repeat(64)}"}`, '{"t":"door"}', '['.repeat(5000), 'x']) {
      const s = net.connect(session, () => s.write(`${line}\n`));
      s.on('error', () => undefined);
      const reply = await firstLine(s);
      if (line.length < 1000) expect(reply).toMatch(/not a door of this service/);
      s.destroy();
    }
    expect(accepted).toEqual([]);
    await expect(
      openPipeDoor({ knockPath: knock, doorsDir: path.join(dir, 'doors'), accountId: 'SCHOOL\\teacher' }),
    ).rejects.toThrow(/no signed-in account/);
    const k = net.connect(knock, () => k.write('{"t":"knock","uid":0}\n'));
    expect(await firstLine(k)).toMatch(/refused/);
    // Still answering.
    const ok = await openPipeDoor({
      knockPath: knock,
      doorsDir: path.join(dir, 'doors'),
      accountId: 'SCHOOL\\pupil2',
    });
    ok.destroy();
  });

  it("knocking for another user's door reveals nothing: the answer holds no nonce, only that user's folder gets one", async () => {
    const { doorsDir, doors, knock } = setUp();
    await doors.start();
    const answer = await new Promise<string>((resolve) => {
      const k = net.connect(knock, () => k.write('{"t":"knock","user":"SCHOOL\\\\pupil2"}\n'));
      let text = '';
      k.on('data', (d: Buffer) => (text += d.toString()));
      k.on('close', () => resolve(text));
    });
    expect(JSON.parse(answer)).toEqual({ t: 'door', path: doorFolderName(other.id) });
    const nonce = (
      JSON.parse(fs.readFileSync(path.join(doorsDir, doorFolderName(other.id), 'door.json'), 'utf8')) as {
        nonce: string;
      }
    ).nonce;
    expect(answer).not.toContain(nonce);
    expect(fs.readdirSync(doorsDir)).toEqual([doorFolderName(other.id)]);
  });

  it('gives no door when its folder cannot be made private, and tries again next time', async () => {
    let fail = true;
    const { doorsDir, doors, accepted, knock } = setUp({
      door: () => (fail ? Promise.reject(new Error('icacls: no mapping')) : Promise.resolve()),
    });
    await doors.start();
    await expect(openPipeDoor({ knockPath: knock, doorsDir, accountId: pupil.id })).rejects.toThrow(
      /could not open a door/,
    );
    fail = false;
    const socket = await openPipeDoor({ knockPath: knock, doorsDir, accountId: pupil.id });
    await new Promise((r) => setTimeout(r, 50));
    expect(accepted.map((a) => a.account)).toEqual([pupil]);
    socket.destroy();
  });

  it('starts from nothing: the doors of an earlier run are gone and their nonces refused', async () => {
    const first = setUp();
    await first.doors.start();
    (await openPipeDoor({ knockPath: first.knock, doorsDir: first.doorsDir, accountId: pupil.id })).destroy();
    const stale = fs.readFileSync(path.join(first.doorsDir, doorFolderName(pupil.id), 'door.json'), 'utf8');
    await first.doors.stop();
    open.splice(open.indexOf(first.doors), 1);
    expect(fs.existsSync(first.doorsDir)).toBe(false);
    await first.doors.start();
    open.push(first.doors);
    const s = net.connect(path.join(first.dir, 'session.sock'), () =>
      s.write(`${JSON.stringify({ t: 'door', nonce: (JSON.parse(stale) as { nonce: string }).nonce })}\n`),
    );
    expect(await firstLine(s)).toMatch(/not a door/);
  });

  it('builds the icacls arguments: the folder for SYSTEM and Administrators; a door for SYSTEM and its user', () => {
    expect(doorsBaseAcl('C:\\ProgramData\\Harbour\\doors')).toEqual([
      'C:\\ProgramData\\Harbour\\doors',
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '/grant:r',
      '*S-1-5-32-544:(OI)(CI)F',
      '/Q',
    ]);
    const door = doorAcl('C:\\ProgramData\\Harbour\\doors\\ab12', 'SCHOOL\\pupil1');
    expect(door).toContain('/inheritance:r');
    expect(door).toContain('SCHOOL\\pupil1:(OI)(CI)R');
    expect(door.filter((a) => a.includes(':('))).toEqual(['*S-1-5-18:(OI)(CI)F', 'SCHOOL\\pupil1:(OI)(CI)R']);
    // The folder name is the same for any spelling of the account, and carries no name.
    expect(doorFolderName('SCHOOL\\Pupil1')).toBe(doorFolderName('school\\pupil1'));
    expect(doorFolderName('SCHOOL\\Pupil1')).toMatch(/^[0-9a-f]{32}$/);
  });
});
