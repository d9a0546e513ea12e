/**
 * Everything an installer writes outside the app's own folder, worked out in one place
 * for every platform: the machine-wide config file, the start-at-logon entry, the
 * browser extension's native messaging host registration and the Chrome and Edge
 * policies that force-install the extension. The NSIS, MSI, deb and pkg scripts all
 * run install-cli.ts, which applies this plan (apply.ts).
 */
import path from 'node:path';
import { nativeHostName } from '../native-host-manifest.js';
import { agentConfigShape, configKeys, type ConfigKey } from '../config/index.js';
import {
  autostartDesktopEntry,
  json,
  launchAgentLabel,
  launchAgentPlist,
  launchDaemonLabel,
  launchDaemonPlist,
  plist,
  systemdUnit,
  systemdUnitName,
} from './templates.js';
import type { InstallPlan, NativeHostManifest, PlannedFile, RegistryEntry, TargetPlatform } from './types.js';

/** The native messaging host's name: what the extension passes to `chrome.runtime.connectNative`. */
export { nativeHostName };

export interface ExtensionRef {
  /** The extension's 32-letter Chrome id. */
  id: string;
  /** Where browsers fetch it and its updates (an update manifest URL). */
  updateUrl: string;
}

export interface InstallOptions {
  platform: TargetPlatform;
  /** Where the app itself is installed (default: the platform's usual place). */
  installDir?: string;
  /** Settings to write to the machine-wide config file; validated, nothing written if any is invalid. */
  settings?: Record<string, unknown>;
  /** The config file as it is now (kept keys are preserved); undefined if there is none. */
  existingConfig?: Record<string, unknown> | undefined;
  /** The extension to force-install and allow to talk to the agent; null to leave browsers alone. */
  extension: ExtensionRef | null;
  /**
   * The native messaging host manifest (from the activity feature). Defaults to
   * `defaultNativeHostManifest`. Its `name` must be `nativeHostName`.
   */
  nativeHostManifest?: NativeHostManifest;
  /** Whether to write browser policies (false when the school manages browsers itself). */
  browserPolicy?: boolean;
  /** %ProgramData% on Windows. */
  programData?: string;
}

export class InstallError extends Error {}

export const defaultInstallDir: Record<TargetPlatform, string> = {
  linux: '/opt/Harbour',
  darwin: '/Applications/Harbour.app',
  win32: 'C:\\Program Files\\Harbour',
};

const p = (platform: TargetPlatform) => (platform === 'win32' ? path.win32 : path.posix);

/** The tray app's executable inside the install directory (electron-builder's layout). */
export function appExecutable(platform: TargetPlatform, installDir: string): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(installDir, 'Harbour.exe');
    case 'darwin':
      return path.posix.join(installDir, 'Contents', 'MacOS', 'Harbour');
    case 'linux':
      return path.posix.join(installDir, 'harbour');
  }
}

/**
 * The `harbour-agent` command inside the install directory (build/bin/harbour-agent): the
 * app's own runtime as Node, running the agent's command line (`service`, `session`).
 */
export function agentCommand(platform: Exclude<TargetPlatform, 'win32'>, installDir: string): string {
  return platform === 'darwin'
    ? path.posix.join(installDir, 'Contents', 'Resources', 'harbour-agent')
    : path.posix.join(installDir, 'resources', 'harbour-agent');
}

/** What the installed machine service runs with: the pupils' screens on (the AUP gate, the help badge). */
export const serviceArgs = ['service', '--aup', 'on', '--help-badge'];

/** The Windows service's name (build/win/harbour-service.xml, the MSI's ServiceInstall, the NSIS include). */
export const windowsServiceName = 'HarbourAgent';

/** The native messaging host executable, shipped inside the install directory. */
export function nativeHostPath(platform: TargetPlatform, installDir: string): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(installDir, 'resources', 'native-host', 'harbour-native-host.exe');
    case 'darwin':
      return path.posix.join(installDir, 'Contents', 'Resources', 'native-host', 'harbour-native-host');
    case 'linux':
      return path.posix.join(installDir, 'resources', 'native-host', 'harbour-native-host');
  }
}

/** Used until the activity feature's manifest builder is plugged in (same shape, same name). */
export function defaultNativeHostManifest(hostPath: string, extensionId: string): NativeHostManifest {
  return {
    name: nativeHostName,
    description: 'Harbour agent: receives what the Harbour browser extension reports',
    path: hostPath,
    type: 'stdio',
    allowed_origins: [`chrome-extension://${extensionId}/`],
  };
}

export function machineDir(platform: TargetPlatform, programData = 'C:\\ProgramData'): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(programData, 'Harbour');
    case 'darwin':
      return '/Library/Application Support/Harbour';
    case 'linux':
      return '/etc/harbour';
  }
}

/** Chrome extension ids are 32 letters a to p. */
const extensionIdPattern = /^[a-p]{32}$/;

/** The machine config file's content: existing keys kept, the given settings validated and set. */
export function configFileContent(
  settings: Record<string, unknown>,
  existing: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...existing };
  const errors: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined || value === '') continue;
    if (!(configKeys as string[]).includes(key)) {
      errors.push(`unknown setting "${key}"`);
      continue;
    }
    const parsed = agentConfigShape[key as ConfigKey].safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else errors.push(`${key} ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
  }
  if (errors.length > 0)
    throw new InstallError(`Invalid settings: ${errors.join('; ')}. Nothing was installed.`);
  return out;
}

export function planInstall(options: InstallOptions): InstallPlan {
  const { platform } = options;
  const installDir = options.installDir ?? defaultInstallDir[platform];
  const join = (...parts: string[]) => p(platform).join(...parts);
  const dir = machineDir(platform, options.programData);
  const executable = appExecutable(platform, installDir);
  const files: PlannedFile[] = [];
  const registry: RegistryEntry[] = [];

  files.push({
    path: join(dir, 'config.json'),
    content: json(configFileContent(options.settings ?? {}, options.existingConfig)),
    // Only the machine service reads it: the server URL and the enrolment token are no
    // pupil's business (root 0600; on Windows an ACL for SYSTEM and Administrators only).
    mode: 0o600,
    private: true,
    purpose: 'machine-wide agent settings (the service only)',
  });

  switch (platform) {
    case 'linux': {
      const command = agentCommand('linux', installDir);
      files.push(
        {
          path: `/etc/systemd/system/${systemdUnitName}`,
          content: systemdUnit([command, ...serviceArgs]),
          mode: 0o644,
          purpose: 'run the machine service (systemd system unit)',
        },
        {
          path: '/etc/xdg/autostart/harbour.desktop',
          content: autostartDesktopEntry(command, ['session']),
          mode: 0o644,
          purpose: 'start the session helper at every user logon',
        },
      );
      break;
    }
    case 'darwin':
      files.push(
        {
          path: `/Library/LaunchDaemons/${launchDaemonLabel}.plist`,
          content: launchDaemonPlist(
            [agentCommand('darwin', installDir), ...serviceArgs],
            '/Library/Logs/harbour-agent-service.log',
          ),
          mode: 0o644,
          purpose: 'run the machine service (LaunchDaemon)',
        },
        {
          path: `/Library/LaunchAgents/${launchAgentLabel}.plist`,
          content: launchAgentPlist(executable),
          mode: 0o644,
          purpose: 'start the session helper (the tray app) at every user logon',
        },
      );
      break;
    case 'win32':
      // The service itself is installed by the MSI (ServiceInstall) or the NSIS installer
      // (WinSW's own install command): the Service Control Manager owns it, not a file.
      registry.push({
        key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
        name: 'Harbour',
        type: 'REG_SZ',
        data: `"${executable}"`,
        purpose: 'start the session helper (the tray app) at every user logon',
      });
      break;
  }

  const extension = options.extension;
  if (extension) {
    if (!extensionIdPattern.test(extension.id)) {
      throw new InstallError(`The extension id must be 32 letters a to p, got "${extension.id}".`);
    }
    try {
      const url = new URL(extension.updateUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    } catch {
      throw new InstallError(
        `The extension update URL must be an http(s) URL, got "${extension.updateUrl}".`,
      );
    }
    const manifest =
      options.nativeHostManifest ??
      defaultNativeHostManifest(nativeHostPath(platform, installDir), extension.id);
    if (manifest.name !== nativeHostName) {
      throw new InstallError(
        `The native messaging host must be named ${nativeHostName}, got "${manifest.name}".`,
      );
    }
    planBrowserIntegration(
      platform,
      dir,
      manifest,
      extension,
      options.browserPolicy !== false,
      files,
      registry,
    );
  }
  return { platform, files, registry, machineDir: dir };
}

function planBrowserIntegration(
  platform: TargetPlatform,
  dir: string,
  manifest: NativeHostManifest,
  extension: ExtensionRef,
  browserPolicy: boolean,
  files: PlannedFile[],
  registry: RegistryEntry[],
): void {
  const hostFile = `${nativeHostName}.json`;
  const forcelistEntry = `${extension.id};${extension.updateUrl}`;
  const host = (where: string, browser: string): PlannedFile => ({
    path: `${where}/${hostFile}`,
    content: json(manifest),
    mode: 0o644,
    purpose: `register the native messaging host with ${browser}`,
  });
  const policyJson = { ExtensionInstallForcelist: [forcelistEntry] };
  switch (platform) {
    case 'linux':
      files.push(
        host('/etc/opt/chrome/native-messaging-hosts', 'Google Chrome'),
        host('/etc/chromium/native-messaging-hosts', 'Chromium'),
        host('/etc/opt/edge/native-messaging-hosts', 'Microsoft Edge'),
      );
      if (browserPolicy) {
        for (const [where, browser] of [
          ['/etc/opt/chrome/policies/managed', 'Google Chrome'],
          ['/etc/chromium/policies/managed', 'Chromium'],
          ['/etc/opt/edge/policies/managed', 'Microsoft Edge'],
        ] as const) {
          files.push({
            path: `${where}/harbour.json`,
            content: json(policyJson),
            mode: 0o644,
            purpose: `force-install the Harbour extension in ${browser}`,
          });
        }
      }
      break;
    case 'darwin':
      files.push(
        host('/Library/Google/Chrome/NativeMessagingHosts', 'Google Chrome'),
        host('/Library/Application Support/Chromium/NativeMessagingHosts', 'Chromium'),
        host('/Library/Microsoft/Edge/NativeMessagingHosts', 'Microsoft Edge'),
      );
      if (browserPolicy) {
        for (const [domain, browser] of [
          ['com.google.Chrome', 'Google Chrome'],
          ['com.microsoft.Edge', 'Microsoft Edge'],
        ] as const) {
          files.push({
            path: `/Library/Managed Preferences/${domain}.plist`,
            content: plist(policyJson),
            mode: 0o644,
            purpose: `force-install the Harbour extension in ${browser}`,
          });
        }
      }
      break;
    case 'win32': {
      const manifestPath = path.win32.join(dir, hostFile);
      files.push({ ...host(dir, 'Chrome and Edge'), path: manifestPath });
      for (const [vendorKey, browser] of [
        ['Google\\Chrome', 'Google Chrome'],
        ['Microsoft\\Edge', 'Microsoft Edge'],
      ] as const) {
        registry.push({
          key: `HKLM\\SOFTWARE\\${vendorKey}\\NativeMessagingHosts\\${nativeHostName}`,
          name: null,
          type: 'REG_SZ',
          data: manifestPath,
          purpose: `register the native messaging host with ${browser}`,
        });
        if (browserPolicy) {
          registry.push({
            key: `HKLM\\SOFTWARE\\Policies\\${vendorKey}\\ExtensionInstallForcelist`,
            name: { listEntryFor: `${extension.id};` },
            type: 'REG_SZ',
            data: forcelistEntry,
            purpose: `force-install the Harbour extension in ${browser}`,
          });
        }
      }
      break;
    }
  }
}
