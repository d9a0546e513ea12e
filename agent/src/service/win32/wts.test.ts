import { describe, expect, it } from 'vitest';
import type { SessionFacts, StartedHelper } from '../service.js';
import {
  accountsOf,
  detachedCommandLine,
  helperSessions,
  windowsArg,
  windowsCommandLine,
  wtsStarter,
  wtsState,
  wtsWatcher,
  type WtsSession,
} from './wts.js';

const sessions: WtsSession[] = [
  { sessionId: 0, state: wtsState.disconnected, userName: '', domain: '' }, // services
  { sessionId: 1, state: wtsState.active, userName: 'pupil1', domain: 'SCHOOL' },
  { sessionId: 2, state: wtsState.disconnected, userName: 'pupil2', domain: 'SCHOOL' }, // switched away
  { sessionId: 3, state: wtsState.connected, userName: '', domain: '' }, // the logon screen
  { sessionId: 65536, state: wtsState.listen, userName: '', domain: '' }, // RDP listener
  { sessionId: 4, state: wtsState.active, userName: 'admin', domain: 'PC-04' }, // a local account
];

describe('Windows sessions (WTS)', () => {
  it('gives a helper to every signed-in session, the active one in front, never session 0 or a listener', () => {
    expect(helperSessions(sessions)).toEqual([
      {
        accountId: 'SCHOOL\\pupil1',
        display: 'session-1',
        xauthority: null,
        runtimeDir: null,
        sessionId: '1',
        active: true,
      },
      {
        accountId: 'SCHOOL\\pupil2',
        display: 'session-2',
        xauthority: null,
        runtimeDir: null,
        sessionId: '2',
        active: false,
      },
      {
        accountId: 'PC-04\\admin',
        display: 'session-4',
        xauthority: null,
        runtimeDir: null,
        sessionId: '4',
        active: true,
      },
    ]);
  });

  it('knows only accounts signed in now, by DOMAIN\\user whatever its case', () => {
    const accounts = accountsOf(sessions);
    expect([...accounts.keys()]).toEqual(['school\\pupil1', 'school\\pupil2', 'pc-04\\admin']);
    expect(accounts.get('school\\pupil1')).toEqual({ id: 'SCHOOL\\pupil1', username: 'pupil1', home: '' });
    expect(accounts.has('school\\teacher')).toBe(false);
  });

  it('quotes a command line the way CommandLineToArgvW reads it back', () => {
    expect(windowsArg('C:\\Harbour\\Harbour.exe')).toBe('C:\\Harbour\\Harbour.exe');
    expect(windowsArg('C:\\Program Files\\Harbour\\Harbour.exe')).toBe(
      '"C:\\Program Files\\Harbour\\Harbour.exe"',
    );
    expect(windowsArg('')).toBe('""');
    expect(windowsArg('say "hi"')).toBe('"say \\"hi\\""');
    // Backslashes are doubled only before a quote, including the closing one.
    expect(windowsArg('C:\\a dir\\')).toBe('"C:\\a dir\\\\"');
    expect(windowsArg('a\\"b')).toBe('"a\\\\\\"b"');
    expect(windowsArg('a\\\\b c')).toBe('"a\\\\b c"');
    expect(windowsCommandLine('C:\\Program Files\\Harbour\\Harbour.exe', [])).toBe(
      '"C:\\Program Files\\Harbour\\Harbour.exe"',
    );
  });

  it('starts the helper in the session the OS named, through a launcher that leaves it no parent', async () => {
    const calls: [number, string][] = [];
    let finish: (code: number) => void = () => undefined;
    const starter = wtsStarter((id, line) => {
      calls.push([id, line]);
      return { pid: 42, exit: new Promise<number>((r) => (finish = r)) };
    }, 'C:\\Windows');
    const facts: SessionFacts = {
      accountId: 'SCHOOL\\pupil1',
      display: 'session-1',
      xauthority: null,
      runtimeDir: null,
      sessionId: '1',
    };
    const account = { id: 'SCHOOL\\pupil1', username: 'pupil1', home: '' };
    const helper: StartedHelper = starter.start(account, facts, {
      command: 'C:\\Program Files\\Harbour\\Harbour.exe',
      args: [],
    });
    expect(calls).toEqual([
      [1, 'C:\\Windows\\System32\\cmd.exe /d /c start "" "C:\\Program Files\\Harbour\\Harbour.exe"'],
    ]);
    // Only a launcher: the service waits for the helper's hello, not for this exit.
    expect(helper.launcher).toBe(true);
    const exited = new Promise((r) => helper.once('exit', (code) => r(code)));
    finish(0);
    expect(await exited).toBe(0);
    // Never in session 0 (services, no desktop), nor in a session that is not a number.
    for (const sessionId of ['0', 'console', null])
      expect(() => starter.start(account, { ...facts, sessionId }, { command: 'x', args: [] })).toThrow(
        /not a user session/,
      );
    expect(detachedCommandLine('D:\\Win dows\\', 'C:\\H\\Harbour.exe', ['--a b'])).toBe(
      '"D:\\Win dows\\System32\\cmd.exe" /d /c start "" C:\\H\\Harbour.exe "--a b"',
    );
  });

  it('polls WTS and survives a failing poll', () => {
    let calls = 0;
    const seen: SessionFacts[][] = [];
    const watcher = wtsWatcher(() => {
      calls++;
      if (calls === 1) throw new Error('RPC server unavailable');
      return sessions;
    }, 5);
    watcher.start((list) => seen.push(list));
    watcher.stop();
    expect(seen).toEqual([]);
    expect(watcher.last).toEqual([]);
    const again = wtsWatcher(() => sessions, 5);
    again.start((list) => seen.push(list));
    again.stop();
    expect(seen[0]?.map((s) => s.accountId)).toEqual(['SCHOOL\\pupil1', 'SCHOOL\\pupil2', 'PC-04\\admin']);
    expect(again.last).toBe(sessions);
  });
});
