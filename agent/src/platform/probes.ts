import type { OsUser } from '@harbour/shared';

/** What the agent asks of the operating system. One implementation per platform. */
export interface PlatformProbes {
  /** Facts about this computer, reported at enrolment. */
  deviceInfo(): Promise<DeviceInfo>;
  /** The user signed in to the interactive session the agent runs in, or null at the logon screen. */
  currentUser(): Promise<OsUser | null>;
}

export interface DeviceInfo {
  hostname: string;
  /** e.g. "Windows 11 (10.0.22631)", "Linux 6.1.0 (x64)" */
  os: string;
  /** Hardware serial number, or null where the OS does not tell an unprivileged user. */
  serial: string | null;
}
