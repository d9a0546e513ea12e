/**
 * Registers Harbour's native messaging host with a browser: writes the host manifest
 * (and, on Linux and macOS, a small launcher script it points to). Installers call
 * `installNativeHost`; on Windows they then set the registry value it returns.
 *
 * Where browsers look (checked against Chromium's source, chrome_paths.cc: the per-user
 * directory is `<user data dir>/NativeMessagingHosts`, so a custom --user-data-dir moves it):
 *   Linux   Chrome   ~/.config/google-chrome/NativeMessagingHosts   /etc/opt/chrome/native-messaging-hosts
 *           Chromium ~/.config/chromium/NativeMessagingHosts        /etc/chromium/native-messaging-hosts
 *           Edge     ~/.config/microsoft-edge/NativeMessagingHosts  /etc/opt/edge/native-messaging-hosts
 *           Firefox  ~/.mozilla/native-messaging-hosts              /usr/lib/mozilla/native-messaging-hosts
 *   macOS   Chrome   ~/Library/Application Support/Google/Chrome/NativeMessagingHosts   /Library/Google/Chrome/NativeMessagingHosts
 *           Chromium ~/Library/Application Support/Chromium/NativeMessagingHosts        /Library/Application Support/Chromium/NativeMessagingHosts
 *           Edge     ~/Library/Application Support/Microsoft Edge/NativeMessagingHosts  /Library/Microsoft/Edge/NativeMessagingHosts
 *           Firefox  ~/Library/Application Support/Mozilla/NativeMessagingHosts         /Library/Application Support/Mozilla/NativeMessagingHosts
 *   Windows the manifest anywhere; registry HKLM or HKCU \Software\Google\Chrome\NativeMessagingHosts\<name>,
 *           \Software\Microsoft\Edge\NativeMessagingHosts\<name>, \Software\Mozilla\NativeMessagingHosts\<name>
 *           (default value = the manifest's full path)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const nativeHostName = 'uk.harbour.agent';
/** The extension's ID, fixed by the `key` in extension/manifest.json (a test checks they agree). */
export const harbourExtensionId = 'aaekoehfaglnhjaefgafdeomcneiloee';
/** The Firefox add-on ID in extension/manifest.firefox.json. */
export const harbourFirefoxAddonId = 'extension@harbour.school';

export type Browser = 'chrome' | 'chromium' | 'edge' | 'firefox';
export type Scope = 'user' | 'system';

/** The directory a browser reads host manifests from on Linux or macOS (Windows uses the registry). */
export function nativeHostManifestDir(
  browser: Browser,
  scope: Scope,
  platform: NodeJS.Platform = process.platform,
  home = os.homedir(),
): string {
  const table: Record<'linux' | 'darwin', Record<Browser, Record<Scope, string>>> = {
    linux: {
      chrome: {
        user: `${home}/.config/google-chrome/NativeMessagingHosts`,
        system: '/etc/opt/chrome/native-messaging-hosts',
      },
      chromium: {
        user: `${home}/.config/chromium/NativeMessagingHosts`,
        system: '/etc/chromium/native-messaging-hosts',
      },
      edge: {
        user: `${home}/.config/microsoft-edge/NativeMessagingHosts`,
        system: '/etc/opt/edge/native-messaging-hosts',
      },
      firefox: {
        user: `${home}/.mozilla/native-messaging-hosts`,
        system: '/usr/lib/mozilla/native-messaging-hosts',
      },
    },
    darwin: {
      chrome: {
        user: `${home}/Library/Application Support/Google/Chrome/NativeMessagingHosts`,
        system: '/Library/Google/Chrome/NativeMessagingHosts',
      },
      chromium: {
        user: `${home}/Library/Application Support/Chromium/NativeMessagingHosts`,
        system: '/Library/Application Support/Chromium/NativeMessagingHosts',
      },
      edge: {
        user: `${home}/Library/Application Support/Microsoft Edge/NativeMessagingHosts`,
        system: '/Library/Microsoft/Edge/NativeMessagingHosts',
      },
      firefox: {
        user: `${home}/Library/Application Support/Mozilla/NativeMessagingHosts`,
        system: '/Library/Application Support/Mozilla/NativeMessagingHosts',
      },
    },
  };
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new Error('On Windows the manifest can live anywhere; register it with windowsRegistryKey()');
  }
  return table[platform][browser][scope];
}

/** The registry key (its default value = the manifest path) on Windows. */
export function windowsRegistryKey(browser: Browser, scope: Scope): string {
  const root = scope === 'system' ? 'HKEY_LOCAL_MACHINE' : 'HKEY_CURRENT_USER';
  const vendor = {
    chrome: 'Google\\Chrome',
    chromium: 'Chromium',
    edge: 'Microsoft\\Edge',
    firefox: 'Mozilla',
  }[browser];
  return `${root}\\Software\\${vendor}\\NativeMessagingHosts\\${nativeHostName}`;
}

/** The host manifest's contents. Chromium browsers name allowed extensions by origin; Firefox by add-on ID. */
export function nativeHostManifest(
  browser: Browser,
  hostPath: string,
  ids: { extensionIds?: string[]; firefoxAddonIds?: string[] } = {},
): Record<string, unknown> {
  const base = {
    name: nativeHostName,
    description: 'Harbour: tells the Harbour agent which website is open',
    path: hostPath,
    type: 'stdio',
  };
  if (browser === 'firefox')
    return { ...base, allowed_extensions: ids.firefoxAddonIds ?? [harbourFirefoxAddonId] };
  return {
    ...base,
    allowed_origins: (ids.extensionIds ?? [harbourExtensionId]).map((id) => `chrome-extension://${id}/`),
  };
}

export interface InstallOptions {
  browser: Browser;
  /** Where to write the manifest (see nativeHostManifestDir; any directory on Windows). */
  manifestDir: string;
  /** The built host script (agent/dist/node/native-host.js). */
  hostScript: string;
  /** The Node (or Electron-as-Node) executable to run it with. */
  nodePath?: string;
  extensionIds?: string[];
  firefoxAddonIds?: string[];
}

/**
 * Writes `<manifestDir>/uk.harbour.agent.json` and a launcher beside it (`harbour-native-host`,
 * or `.cmd` on Windows) that runs the host script. Returns both paths.
 */
export function installNativeHost(options: InstallOptions): { manifestPath: string; launcherPath: string } {
  const { browser, manifestDir, hostScript, nodePath = process.execPath } = options;
  fs.mkdirSync(manifestDir, { recursive: true });
  const windows = process.platform === 'win32';
  const launcherPath = path.join(manifestDir, windows ? 'harbour-native-host.cmd' : 'harbour-native-host');
  const launcher = windows
    ? `@echo off\r\n"${nodePath}" "${hostScript}" %*\r\n`
    : `#!/bin/sh\nexec '${nodePath.replace(/'/g, "'\\''")}' '${hostScript.replace(/'/g, "'\\''")}' "$@"\n`;
  fs.writeFileSync(launcherPath, launcher, { mode: 0o755 });
  const manifestPath = path.join(manifestDir, `${nativeHostName}.json`);
  const manifest = nativeHostManifest(browser, launcherPath, options);
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
  return { manifestPath, launcherPath };
}
