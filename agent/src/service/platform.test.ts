import { describe, expect, it } from 'vitest';
import {
  graphicalSession,
  parseProperties,
  parseSessionList,
  windowsDataDirAcl,
  xauthorityFromEnviron,
} from './platform.js';
import { parsePasswdLine } from './accounts.js';
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
      uid: 1001,
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
});
