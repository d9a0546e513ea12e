/**
 * The session helper's side of each platform: how it reaches the machine service (its
 * user's door) and what it says of its session in its hello, in the same terms the
 * service's session watcher uses (so a helper and the session the OS reported are one).
 */
import os from 'node:os';
import { defaultSocketPath } from '../service/doors.js';
import { darwinServicePlatform, windowsDoorsDir } from '../service/platform.js';
import { defaultKnockPipe, openPipeDoor } from '../service/win32/pipe-doors.js';
import { currentSessionId, windowsAccountId } from '../service/win32/wts.js';
import { unixDoorOpener, type DoorOpener, type SessionFactsForHello } from './link.js';

/** The service's channel for this platform's helpers. */
export function serviceSocketPath(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return defaultKnockPipe;
  if (platform === 'darwin') return darwinServicePlatform.defaultSocketPath;
  return defaultSocketPath;
}

/** This user's door to the service. */
export function doorOpener(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): DoorOpener {
  if (platform === 'win32') {
    return () =>
      openPipeDoor({
        knockPath: defaultKnockPipe,
        doorsDir: windowsDoorsDir(env),
        accountId: windowsAccountId(env.USERDOMAIN ?? '', os.userInfo().username),
      });
  }
  return unixDoorOpener(serviceSocketPath(platform), process.getuid?.() ?? 0);
}

/** What the helper says of its session: Windows's session number, macOS's console, Linux's X display. */
export function sessionFacts(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  windowsSession: () => number = currentSessionId,
): SessionFactsForHello {
  if (platform === 'win32') {
    const id = windowsSession();
    return { display: `session-${id}`, xauthority: null, runtimeDir: null, sessionId: String(id) };
  }
  if (platform === 'darwin')
    return { display: 'console', xauthority: null, runtimeDir: null, sessionId: 'console' };
  return {
    display: env.DISPLAY ?? null,
    xauthority: env.XAUTHORITY ?? null,
    runtimeDir: env.XDG_RUNTIME_DIR ?? null,
    sessionId: env.XDG_SESSION_ID ?? null,
  };
}
