/**
 * Windows sessions, for the machine service (LocalSystem): which users are signed in to
 * which session (WTSEnumerateSessionsW, WTSQuerySessionInformationW), and starting the
 * session helper (the tray app) as that user in that session (WTSQueryUserToken,
 * CreateEnvironmentBlock, CreateProcessAsUserW). Called through koffi, a maintained FFI
 * binding with prebuilt binaries (no compiler, no PowerShell), loaded only on Windows.
 *
 * The parts that decide (which sessions get a helper, the command line, what an exit means)
 * are pure functions, unit-tested on every platform; the calls themselves run only on a
 * Windows machine (see docs/architecture.md for what is proven where).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type Koffi from 'koffi';
import type { OsAccount } from '../accounts.js';
import type { HelperLaunch, HelperStarter, SessionFacts, SessionWatcher, StartedHelper } from '../service.js';

/** WTS_CONNECTSTATE_CLASS (wtsapi32.h). */
export const wtsState = {
  active: 0,
  connected: 1,
  connectQuery: 2,
  shadow: 3,
  disconnected: 4,
  idle: 5,
  listen: 6,
  reset: 7,
  down: 8,
  init: 9,
} as const;

/** One session as WTS reports it, with the user it belongs to (empty when nobody is signed in). */
export interface WtsSession {
  sessionId: number;
  state: number;
  userName: string;
  domain: string;
}

/** `DOMAIN\user`: the service's id for a Windows account (accounts.ts), as icacls and WTS write it. */
export function windowsAccountId(domain: string, userName: string): string {
  return domain ? `${domain}\\${userName}` : userName;
}

/**
 * The sessions that get a helper: a user signed in and the session in use (active, or
 * connected at the console), never session 0 (services) nor a listener. A disconnected
 * session keeps its helper running but is not in front.
 */
export function helperSessions(list: WtsSession[]): SessionFacts[] {
  return list
    .filter((s) => s.sessionId !== 0 && s.userName !== '')
    .filter(
      (s) =>
        s.state === wtsState.active || s.state === wtsState.connected || s.state === wtsState.disconnected,
    )
    .map((s) => ({
      accountId: windowsAccountId(s.domain, s.userName),
      display: `session-${s.sessionId}`,
      xauthority: null,
      runtimeDir: null,
      sessionId: String(s.sessionId),
      active: s.state === wtsState.active,
    }));
}

/** Accounts with a session now (the service opens doors and starts helpers for these only). */
export function accountsOf(list: WtsSession[]): Map<string, OsAccount> {
  const out = new Map<string, OsAccount>();
  for (const s of list) {
    if (s.sessionId === 0 || !s.userName) continue;
    const id = windowsAccountId(s.domain, s.userName);
    out.set(id.toLowerCase(), { id, username: s.userName, home: '' });
  }
  return out;
}

/**
 * One argument of a Windows command line, quoted so CommandLineToArgvW (and every C runtime)
 * reads it back whole: quotes around anything with a space, tab or quote; backslashes doubled
 * only before a quote or the closing quote.
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(slashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(slashes) + ch;
    }
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

export function windowsCommandLine(command: string, args: string[]): string {
  return [command, ...args].map(windowsArg).join(' ');
}

/**
 * The helper started through `cmd /c start`, which returns at once: the helper's parent is
 * then a process that has ended, not the service. WinSW ends the service's whole process
 * tree when the service stops, and a helper must outlive a service restart (the pupils'
 * screens stay covered while it is back), as on Linux (KillMode=process).
 */
export function detachedCommandLine(systemRoot: string, command: string, args: string[]): string {
  const cmd = `${systemRoot.replace(/\\+$/, '')}\\System32\\cmd.exe`;
  return `${windowsArg(cmd)} /d /c start "" ${windowsCommandLine(command, args)}`;
}

// ---- the calls (Windows only) --------------------------------------------------------

const WTS_CURRENT_SERVER_HANDLE = 0;
const WTSUserName = 5;
const WTSDomainName = 7;
const CREATE_UNICODE_ENVIRONMENT = 0x400;
const CREATE_NEW_PROCESS_GROUP = 0x200;
/** cmd.exe, which only starts the helper, gets no console window. */
const CREATE_NO_WINDOW = 0x08000000;
const INFINITE = 0xffffffff;

interface Win32Api {
  enumerate(): WtsSession[];
  /** Starts `commandLine` as the user of `sessionId`, on its desktop; resolves its exit code. */
  startInSession(sessionId: number, commandLine: string): { pid: number; exit: Promise<number> };
}

let api: Win32Api | undefined;

/** The Win32 calls, bound once through koffi (throws anywhere but Windows). */
export function win32Api(): Win32Api {
  if (api) return api;
  if (process.platform !== 'win32') throw new Error('the Windows session API exists only on Windows');
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof Koffi;
  const wtsapi = koffi.load('wtsapi32.dll');
  const advapi = koffi.load('advapi32.dll');
  const userenv = koffi.load('userenv.dll');
  const kernel = koffi.load('kernel32.dll');

  const SessionInfo = koffi.struct('WTS_SESSION_INFOW', {
    SessionId: 'uint32',
    pWinStationName: 'void *',
    State: 'int',
  });
  const StartupInfo = koffi.struct('STARTUPINFOW', {
    cb: 'uint32',
    lpReserved: 'void *',
    lpDesktop: 'str16',
    lpTitle: 'void *',
    dwX: 'uint32',
    dwY: 'uint32',
    dwXSize: 'uint32',
    dwYSize: 'uint32',
    dwXCountChars: 'uint32',
    dwYCountChars: 'uint32',
    dwFillAttribute: 'uint32',
    dwFlags: 'uint32',
    wShowWindow: 'uint16',
    cbReserved2: 'uint16',
    lpReserved2: 'void *',
    hStdInput: 'void *',
    hStdOutput: 'void *',
    hStdError: 'void *',
  });
  // Named, so the prototype below can refer to it by name.
  koffi.struct('PROCESS_INFORMATION', {
    hProcess: 'void *',
    hThread: 'void *',
    dwProcessId: 'uint32',
    dwThreadId: 'uint32',
  });

  const WTSEnumerateSessionsW = wtsapi.func(
    'bool __stdcall WTSEnumerateSessionsW(void *server, uint32 reserved, uint32 version, _Out_ void **sessions, _Out_ uint32 *count)',
  );
  const WTSQuerySessionInformationW = wtsapi.func(
    'bool __stdcall WTSQuerySessionInformationW(void *server, uint32 session, int infoClass, _Out_ void **buffer, _Out_ uint32 *bytes)',
  );
  const WTSFreeMemory = wtsapi.func('void __stdcall WTSFreeMemory(void *memory)');
  const WTSQueryUserToken = wtsapi.func(
    'bool __stdcall WTSQueryUserToken(uint32 session, _Out_ void **token)',
  );
  const CreateEnvironmentBlock = userenv.func(
    'bool __stdcall CreateEnvironmentBlock(_Out_ void **environment, void *token, bool inherit)',
  );
  const DestroyEnvironmentBlock = userenv.func('bool __stdcall DestroyEnvironmentBlock(void *environment)');
  const CreateProcessAsUserW = advapi.func(
    'bool __stdcall CreateProcessAsUserW(void *token, str16 application, str16 commandLine, void *processAttributes, void *threadAttributes, bool inheritHandles, uint32 flags, void *environment, str16 directory, STARTUPINFOW *startup, _Out_ PROCESS_INFORMATION *info)',
  );
  const WaitForSingleObject = kernel.func('uint32 __stdcall WaitForSingleObject(void *handle, uint32 ms)');
  const GetExitCodeProcess = kernel.func(
    'bool __stdcall GetExitCodeProcess(void *process, _Out_ uint32 *code)',
  );
  const CloseHandle = kernel.func('bool __stdcall CloseHandle(void *handle)');
  const GetLastError = kernel.func('uint32 __stdcall GetLastError()');

  const queryString = (session: number, infoClass: number): string => {
    const buffer: unknown[] = [null];
    const bytes = [0];
    if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, infoClass, buffer, bytes)) return '';
    try {
      return (koffi.decode(buffer[0], 'str16') as string | null) ?? '';
    } finally {
      WTSFreeMemory(buffer[0]);
    }
  };

  api = {
    enumerate() {
      const sessions: unknown[] = [null];
      const count = [0];
      if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, sessions, count))
        throw new Error(`WTSEnumerateSessionsW failed (${GetLastError() as number})`);
      try {
        const list = koffi.decode(sessions[0], koffi.array(SessionInfo, count[0] ?? 0)) as {
          SessionId: number;
          State: number;
        }[];
        return list.map((s) => ({
          sessionId: s.SessionId,
          state: s.State,
          userName: queryString(s.SessionId, WTSUserName),
          domain: queryString(s.SessionId, WTSDomainName),
        }));
      } finally {
        WTSFreeMemory(sessions[0]);
      }
    },
    startInSession(sessionId, commandLine) {
      const token: unknown[] = [null];
      if (!WTSQueryUserToken(sessionId, token))
        throw new Error(`WTSQueryUserToken(${sessionId}) failed (${GetLastError() as number})`);
      const environment: unknown[] = [null];
      try {
        if (!CreateEnvironmentBlock(environment, token[0], false))
          throw new Error(`CreateEnvironmentBlock failed (${GetLastError() as number})`);
        const info: Record<string, unknown> = {};
        const ok: unknown = CreateProcessAsUserW(
          token[0],
          null,
          commandLine,
          null,
          null,
          false,
          CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW,
          environment[0],
          null,
          { cb: koffi.sizeof(StartupInfo), lpDesktop: 'winsta0\\default' },
          info,
        );
        if (!ok) throw new Error(`CreateProcessAsUserW failed (${GetLastError() as number})`);
        CloseHandle(info.hThread);
        const handle = info.hProcess;
        const exit = new Promise<number>((resolve) => {
          // On koffi's worker thread: the event loop is not blocked while the helper runs.
          WaitForSingleObject.async(handle, INFINITE, () => {
            const code = [0];
            GetExitCodeProcess(handle, code);
            CloseHandle(handle);
            resolve(code[0] ?? 0);
          });
        });
        return { pid: info.dwProcessId as number, exit };
      } finally {
        if (environment[0]) DestroyEnvironmentBlock(environment[0]);
        CloseHandle(token[0]);
      }
    },
  };
  return api;
}

/** The Windows session this process runs in (the tray app says it in its hello). */
export function currentSessionId(): number {
  if (process.platform !== 'win32') throw new Error('Windows sessions exist only on Windows');
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof Koffi;
  const kernel = koffi.load('kernel32.dll');
  const ProcessIdToSessionId = kernel.func(
    'bool __stdcall ProcessIdToSessionId(uint32 pid, _Out_ uint32 *session)',
  );
  const session = [0];
  if (!ProcessIdToSessionId(process.pid, session)) throw new Error('ProcessIdToSessionId failed');
  return session[0] ?? 0;
}

/**
 * Starts the helper (the tray app) in a Windows session, as the session's user. What runs
 * is only a launcher (detachedCommandLine): the service knows the helper by its hello, and
 * asks again if none comes.
 */
export function wtsStarter(
  startInSession = (id: number, line: string) => win32Api().startInSession(id, line),
  systemRoot = process.env.SystemRoot ?? 'C:\\Windows',
): HelperStarter {
  return {
    start(_account: OsAccount, facts: SessionFacts, launch: HelperLaunch): StartedHelper {
      const session = Number(facts.sessionId);
      if (!Number.isInteger(session) || session <= 0)
        throw new Error(`not a user session: ${facts.sessionId}`);
      const events = new EventEmitter();
      const started = startInSession(session, detachedCommandLine(systemRoot, launch.command, launch.args));
      void started.exit.then((code) => events.emit('exit', code, null));
      return Object.assign(events, { launcher: true as const });
    },
  };
}

/** Polls WTS (every 2 s): each signed-in session gets a helper, and the one in front is known. */
export function wtsWatcher(
  enumerate: () => WtsSession[] = () => win32Api().enumerate(),
  intervalMs = 2000,
): SessionWatcher & { last: WtsSession[] } {
  let timer: NodeJS.Timeout | undefined;
  const watcher = {
    last: [] as WtsSession[],
    start(onChange: (sessions: SessionFacts[]) => void) {
      const tick = () => {
        try {
          watcher.last = enumerate();
          onChange(helperSessions(watcher.last));
        } catch {
          // WTS not answering this once: next time
        }
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
  return watcher;
}
