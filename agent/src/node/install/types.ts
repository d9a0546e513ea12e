export type TargetPlatform = 'linux' | 'darwin' | 'win32';

/**
 * A Chrome/Edge native messaging host manifest. The activity feature owns its content
 * (agent/src/node/native-host-manifest.ts builds it); the installer only writes it and
 * registers it. See https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging
 */
export interface NativeHostManifest {
  name: string;
  description: string;
  /** Absolute path of the host executable, inside the install directory. */
  path: string;
  type: 'stdio';
  allowed_origins: string[];
}

export interface PlannedFile {
  /** Absolute path on the target machine (Windows paths with backslashes). */
  path: string;
  content: string;
  /** POSIX permission bits (ignored on Windows). */
  mode: number;
  /**
   * Readable only by the machine's administrators: root-owned 0600 on Linux and macOS, an
   * ACL for SYSTEM and Administrators alone on Windows (set before anything is written).
   */
  private?: boolean;
  /** Why it is there, for logs and docs. */
  purpose: string;
}

export interface RegistryEntry {
  /** e.g. HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run */
  key: string;
  /**
   * The value's name; null is the key's default value. `{ listEntryFor }` is a
   * numbered entry of a Chrome list policy: the installer reuses the entry that
   * already holds this extension or takes the first free number.
   */
  name: string | null | { listEntryFor: string };
  type: 'REG_SZ' | 'REG_DWORD';
  data: string;
  purpose: string;
}

export interface InstallPlan {
  platform: TargetPlatform;
  files: PlannedFile[];
  registry: RegistryEntry[];
  /** The machine-wide folder the install record is kept in. */
  machineDir: string;
}
