import fs from 'node:fs';

/**
 * The machine-wide settings the installer writes. The technician-deployment issue adds
 * Group Policy (registry) and command-line precedence on top; this reads the file only.
 */
export interface MachineConfig {
  serverUrl?: string;
  enrolmentToken?: string;
}

const locations: Partial<Record<NodeJS.Platform, string>> = {
  win32: `${process.env.ProgramData ?? 'C:\\ProgramData'}\\Harbour\\config.json`,
  darwin: '/Library/Application Support/Harbour/config.json',
  linux: '/etc/harbour/config.json',
};

export function machineConfig(): MachineConfig {
  const file = locations[process.platform] ?? locations.linux;
  try {
    const json = JSON.parse(fs.readFileSync(file ?? '', 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof json.serverUrl === 'string' && { serverUrl: json.serverUrl }),
      ...(typeof json.enrolmentToken === 'string' && { enrolmentToken: json.enrolmentToken }),
    };
  } catch {
    return {};
  }
}
