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
    'Comment=Harbour e-safety agent for school computers',
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

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
