import { healthCodeSchema } from '@harbour/shared';
import { describe, expect, it } from 'vitest';
import { sessionFacts } from '../session/platform.js';
import {
  consoleSession,
  consoleWatcher,
  darwinServicePlatform,
  graphicalSession,
  launchctlKickstartArgs,
  launchctlPrintArgs,
  linuxServicePlatform,
  parseProperties,
  parseSessionList,
  win32ServicePlatform,
  windowsDataDirAcl,
  windowsSessionAlive,
  xauthorityFromEnviron,
} from './platform.js';
import { parseDscacheutil, parsePasswdLine, uidOf } from './accounts.js';
import { helperEnvironment, helperStoppedCode, type SessionFacts } from './service.js';
import { wtsState } from './win32/wts.js';
import { displaySocket } from './x11.js';

describe('the service platforms', () => {
  it('leaves the Windows data folder to SYSTEM and Administrators only, by SID', () => {
    const args = windowsDataDirAcl('C:\\ProgramData\\Harbour\\service');
    expect(args).toContain('/inheritance:r');
    expect(args).toContain('*S-1-5-18:(OI)(CI)F');
    expect(args).toContain('*S-1-5-32-544:(OI)(CI)F');
    expect(args.filter((a) => a.startsWith('*'))).toHaveLength(2);
  });

  it('reads logind: local graphical user sessions only', () => {
    expect(parseSessionList('  3 1001 pupil1 seat0 tty2\nc1 120 gdm seat0 tty1\n\n')).toEqual(['3', 'c1']);
    const props = parseProperties(
      'Id=3\nUser=1001\nType=x11\nClass=user\nDisplay=:1\nRemote=no\nState=active\nActive=yes\n',
    );
    expect(graphicalSession(props, '/run/user/1001/gdm/Xauthority')).toEqual({
      accountId: '1001',
      display: ':1',
      xauthority: '/run/user/1001/gdm/Xauthority',
      runtimeDir: '/run/user/1001',
      sessionId: '3',
      active: true,
    });
    expect(graphicalSession({ ...props, Class: 'greeter' }, null)).toBeNull();
    expect(graphicalSession({ ...props, Type: 'tty' }, null)).toBeNull();
    expect(graphicalSession({ ...props, Remote: 'yes' }, null)).toBeNull();
    expect(xauthorityFromEnviron('A=1\0XAUTHORITY=/home/p/.Xauthority\0B=2')).toBe('/home/p/.Xauthority');
  });

  it('parses passwd lines and X display names', () => {
    expect(parsePasswdLine('pupil1:x:1001:1001:Pupil One,,,:/home/pupil1:/bin/bash')).toEqual({
      id: '1001',
      username: 'pupil1',
      uid: 1001,
      gid: 1001,
      home: '/home/pupil1',
    });
    expect(parsePasswdLine('broken')).toBeNull();
    expect(displaySocket(':3')).toBe('/tmp/.X11-unix/X3');
    expect(displaySocket(':3.0')).toBe('/tmp/.X11-unix/X3');
    expect(displaySocket('evil/../:3')).toBeNull();
  });

  it('reads macOS accounts from Directory Services and the console user from /dev/console', () => {
    expect(
      parseDscacheutil(
        'name: pupil1\npassword: ********\nuid: 501\ngid: 20\ndir: /Users/pupil1\nshell: /bin/zsh\n\n',
      ),
    ).toEqual({ id: '501', username: 'pupil1', uid: 501, gid: 20, home: '/Users/pupil1' });
    expect(parseDscacheutil('')).toBeNull();
    expect(parseDscacheutil('name: x\nuid: -1\ngid: 20\n')).toBeNull();
    // The login window (root owns the console) is nobody's session.
    expect(consoleSession(0)).toBeNull();
    expect(consoleSession(null)).toBeNull();
    expect(consoleSession(501)).toMatchObject({ accountId: '501', display: 'console', active: true });
    const seen: SessionFacts[][] = [];
    const owners = [501, 0];
    const watcher = consoleWatcher(5, () => {
      const uid = owners.shift();
      if (uid === undefined) throw new Error('no console');
      return uid;
    });
    watcher.start((list) => seen.push(list));
    watcher.stop();
    expect(seen[0]?.map((f) => f.accountId)).toEqual(['501']);
    // The helper's hello names the same session the watcher reports.
    expect(sessionFacts('darwin').display).toBe(consoleSession(501)?.display);
    expect(launchctlKickstartArgs(501)).toEqual(['kickstart', 'gui/501/uk.org.harbour.agent']);
    expect(launchctlKickstartArgs(501)).not.toContain('-k'); // never restarts a running helper
    expect(launchctlPrintArgs(501)).toEqual(['print', 'gui/501']);
  });

  it('knows a Windows session is there while WTS lists it with the same user', () => {
    const facts: SessionFacts = {
      accountId: 'SCHOOL\\pupil1',
      display: 'session-2',
      xauthority: null,
      runtimeDir: null,
      sessionId: '2',
    };
    const list = [{ sessionId: 2, state: wtsState.active, userName: 'pupil1', domain: 'SCHOOL' }];
    expect(windowsSessionAlive(list, facts)).toBe(true);
    expect(windowsSessionAlive([{ ...list[0]!, userName: '' }], facts)).toBe(false); // signed out
    expect(windowsSessionAlive([{ ...list[0]!, userName: 'pupil2' }], facts)).toBe(false); // someone else now
    expect(windowsSessionAlive([], facts)).toBe(false);
    // The helper's hello names the WTS session the watcher reports.
    expect(sessionFacts('win32', {}, () => 2)).toEqual({
      display: 'session-2',
      xauthority: null,
      runtimeDir: null,
      sessionId: '2',
    });
  });

  it("starts Linux helpers with the user's environment and the app's Node mode; tray apps elsewhere", () => {
    const account = { id: '1001', username: 'pupil1', uid: 1001, gid: 1001, home: '/home/pupil1' };
    const facts: SessionFacts = {
      accountId: '1001',
      display: ':3',
      xauthority: '/home/pupil1/.Xauthority',
      runtimeDir: '/run/user/1001',
      sessionId: '7',
    };
    const env = helperEnvironment(account, facts, {
      PATH: '/usr/bin',
      SECRET: 'x',
      ELECTRON_RUN_AS_NODE: '1',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/pupil1',
      USER: 'pupil1',
      LOGNAME: 'pupil1',
      LANG: 'C.UTF-8',
      MALLOC_MMAP_THRESHOLD_: '131072',
      ELECTRON_RUN_AS_NODE: '1',
      DISPLAY: ':3',
      XAUTHORITY: '/home/pupil1/.Xauthority',
      XDG_RUNTIME_DIR: '/run/user/1001',
      XDG_SESSION_ID: '7',
    });
    expect(helperEnvironment(account, facts, {}).ELECTRON_RUN_AS_NODE).toBeUndefined();
    const runtime = { execPath: '/opt/Harbour/harbour', execArgv: ['--v8-pool-size=1'], script: '/x/cli.js' };
    expect(linuxServicePlatform.helper(runtime, '/run/harbour-agent/service.sock', 'info')).toEqual({
      command: '/opt/Harbour/harbour',
      args: [
        '--v8-pool-size=1',
        '/x/cli.js',
        'session',
        '--socket',
        '/run/harbour-agent/service.sock',
        '--log-level',
        'info',
      ],
    });
    // On Windows and macOS the helper is the tray app: the same executable, not in Node mode, no arguments.
    for (const platform of [win32ServicePlatform, darwinServicePlatform])
      expect(platform.helper(runtime, 'x', 'info')).toEqual({ command: '/opt/Harbour/harbour', args: [] });
  });

  it("names a helper's health problem by its account in a code the server accepts", () => {
    for (const id of ['1001', 'SCHOOL\\pupil1', 'PC-04\\Jo Bloggs', 'x'.repeat(200)]) {
      const code = helperStoppedCode({ id, username: 'u', home: '' });
      expect(healthCodeSchema.safeParse(code).success, code).toBe(true);
    }
    expect(helperStoppedCode({ id: '1001', username: 'u', home: '' })).toBe('helper.stopped.1001');
    expect(uidOf('1001')).toBe(1001);
    expect(uidOf('SCHOOL\\pupil1')).toBeNull();
    expect(uidOf('99999999999')).toBeNull();
  });
});
