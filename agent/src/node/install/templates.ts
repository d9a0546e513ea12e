/** Text formats the installer writes: desktop entries, property lists, quoting. */

/** Quotes one argument of a desktop entry's Exec key (Desktop Entry Specification, "The Exec key"). */
export function desktopExecArg(arg: string): string {
  if (!/[\s"'\\><~|&;$*?#()`]/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** A desktop entry string value: backslashes are themselves escaped in the file (spec, "Possible value types"). */
function desktopValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function autostartDesktopEntry(executable: string, args: string[] = []): string {
  const exec = [executable, ...args].map(desktopExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Harbour',
    "Comment=Harbour e-safety agent: the session helper in this user's session",
    `Exec=${desktopValue(exec)}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    'X-GNOME-AutoRestart=true',
    'X-KDE-autostart-after=panel',
    '',
  ].join('\n');
}

export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

function plistValue(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${xmlEscape(value)}</string>`;
  if (typeof value === 'number') return `${indent}<integer>${Math.trunc(value)}</integer>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value)) {
    return [`${indent}<array>`, ...value.map((v) => plistValue(v, `${indent}  `)), `${indent}</array>`].join(
      '\n',
    );
  }
  return [
    `${indent}<dict>`,
    ...Object.entries(value).flatMap(([k, v]) => [
      `${indent}  <key>${xmlEscape(k)}</key>`,
      plistValue(v, `${indent}  `),
    ]),
    `${indent}</dict>`,
  ].join('\n');
}

/** An XML property list (launchd jobs, managed preferences). */
export function plist(root: { [key: string]: PlistValue }): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plistValue(root, ''),
    '</plist>',
    '',
  ].join('\n');
}

export const launchAgentLabel = 'uk.org.harbour.agent';
export const launchDaemonLabel = 'uk.org.harbour.service';

/**
 * The machine service's LaunchDaemon: launchd runs it as root from boot, and again at once
 * whenever it stops (KeepAlive), whoever is signed in.
 */
export function launchDaemonPlist(programArguments: string[], logFile: string): string {
  return plist({
    Label: launchDaemonLabel,
    ProgramArguments: programArguments,
    RunAtLoad: true,
    KeepAlive: true,
    // launchd would otherwise wait 10 s between starts of a job that exits.
    ThrottleInterval: 1,
    ProcessType: 'Background',
    Umask: 0o077,
    StandardOutPath: logFile,
    StandardErrorPath: logFile,
  });
}

/** A LaunchAgent: launchd starts the tray app in every user's graphical session and restarts it if it stops. */
export function launchAgentPlist(executable: string): string {
  return plist({
    Label: launchAgentLabel,
    ProgramArguments: [executable],
    RunAtLoad: true,
    KeepAlive: true,
    LimitLoadToSessionType: ['Aqua'],
    ProcessType: 'Interactive',
  });
}

/**
 * Quotes one word of a systemd unit's command line (systemd.service(5), "Command lines"):
 * double quotes around anything with a space or quote, backslash escapes inside, and
 * `%` and `$` doubled so systemd neither expands specifiers nor environment variables.
 */
export function systemdExecArg(arg: string): string {
  const literal = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (literal !== '' && !/[\s"'\\;]/.test(literal)) return literal;
  return `"${literal.replace(/(["\\])/g, '\\$1')}"`;
}

export const systemdUnitName = 'harbour-agent.service';

/**
 * The machine service's systemd system unit. KillMode=process: stopping or restarting the
 * service ends the service alone, not the session helpers it started in users' sessions
 * (they hold the pupils' screens, which must stay covered while it is back). Restart=always
 * with a 1 s pause: it comes back whatever stopped it, as long as the unit is enabled.
 */
export function systemdUnit(command: string[]): string {
  return [
    '[Unit]',
    'Description=Harbour machine service (e-safety agent for this computer)',
    'Documentation=https://harbour.example/docs/deployment',
    'After=network-online.target systemd-logind.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${command.map(systemdExecArg).join(' ')}`,
    'Restart=always',
    'RestartSec=1',
    'KillMode=process',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
