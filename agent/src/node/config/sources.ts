/**
 * Where settings come from. Each source reads raw values (unvalidated) and reports
 * anything it could not read as a problem; resolve.ts validates key by key.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from './problems.js';

export interface SourceRead {
  values: Record<string, unknown>;
  problems: ConfigProblem[];
}

export interface ConfigSource {
  /** Shown to technicians: "the command line", "policy (HKLM\\SOFTWARE\\Policies\\Harbour)", a file path. */
  readonly name: string;
  read(): Promise<SourceRead>;
}

/** Values given directly (the command line). */
export function valuesSource(name: string, values: Record<string, unknown>): ConfigSource {
  const present = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  return { name, read: () => Promise.resolve({ values: present, problems: [] }) };
}

/**
 * A JSON file holding one object of settings: the machine-wide config file, or (on
 * Linux and macOS) the policy file a management tool deploys. A missing file is no
 * problem; unreadable files, bad JSON and non-objects are.
 */
export function jsonFileSource(name: string, file: string): ConfigSource {
  return {
    name,
    read() {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return Promise.resolve({ values: {}, problems: [] });
        return Promise.resolve({
          values: {},
          problems: [
            {
              code: 'config.unreadable',
              source: name,
              message: `Cannot read ${name} (${file}): ${(error as Error).message}`,
            },
          ],
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch (error) {
        return Promise.resolve({
          values: {},
          problems: [
            {
              code: 'config.bad_json',
              source: name,
              message: `${name} (${file}) is not valid JSON and was ignored: ${(error as Error).message}`,
            },
          ],
        });
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return Promise.resolve({
          values: {},
          problems: [
            {
              code: 'config.bad_json',
              source: name,
              message: `${name} (${file}) must hold one JSON object of settings; it was ignored.`,
            },
          ],
        });
      }
      return Promise.resolve({ values: json as Record<string, unknown>, problems: [] });
    },
  };
}

export const policyRegistryKey = 'HKLM\\SOFTWARE\\Policies\\Harbour';

/** Runs `reg.exe` and returns its output (behind an interface so tests can give real output). */
export type RegQuery = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export const regExe: RegQuery = (args) =>
  new Promise((resolve) => {
    execFile('reg.exe', args, { windowsHide: true, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

/**
 * Group Policy on Windows: the values under HKLM\SOFTWARE\Policies\Harbour, as the
 * ADMX template (build/policy/harbour.admx) makes Group Policy write them. Strings are
 * REG_SZ, numbers REG_DWORD.
 */
export function registryPolicySource(query: RegQuery = regExe): ConfigSource {
  const name = `policy (${policyRegistryKey})`;
  return {
    name,
    async read() {
      const result = await query(['query', policyRegistryKey, '/reg:64']);
      if (result.code !== 0) {
        // reg.exe says "unable to find the specified registry key" when no policy is set.
        if (/unable to find/i.test(result.stderr + result.stdout)) return { values: {}, problems: [] };
        return {
          values: {},
          problems: [
            {
              code: 'config.unreadable',
              source: name,
              message: `Cannot read ${name}: ${result.stderr.trim() || `reg.exe exited with ${result.code}`}`,
            },
          ],
        };
      }
      return { values: parseRegQuery(result.stdout), problems: [] };
    },
  };
}

/** Parses `reg query <key>` output: `    name    REG_TYPE    data` lines of the key itself. */
export function parseRegQuery(stdout: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (!match) continue;
    const [, name = '', type, data = ''] = match;
    if (type === 'REG_DWORD' || type === 'REG_QWORD') values[name] = Number.parseInt(data, 16);
    else if (type === 'REG_SZ' || type === 'REG_EXPAND_SZ') values[name] = data;
    else values[name] = { unsupportedType: type };
  }
  return values;
}

/** Where the machine-wide files live on each platform, under `root` (normally `/`). */
export function machinePaths(platform: NodeJS.Platform, root = '/', env: NodeJS.ProcessEnv = process.env) {
  if (platform === 'win32') {
    const programData = env.ProgramData ?? 'C:\\ProgramData';
    if (root === '/') {
      const dir = path.win32.join(programData, 'Harbour');
      return { configFile: path.win32.join(dir, 'config.json'), policyFile: null, dir };
    }
    const dir = path.join(root, 'ProgramData', 'Harbour');
    return { configFile: path.join(dir, 'config.json'), policyFile: null, dir };
  }
  const dir =
    platform === 'darwin'
      ? path.join(root, 'Library', 'Application Support', 'Harbour')
      : path.join(root, 'etc', 'harbour');
  return { configFile: path.join(dir, 'config.json'), policyFile: path.join(dir, 'policy.json'), dir };
}

/**
 * The machine-wide sources in precedence order: policy (registry on Windows, a policy
 * file elsewhere), then the config file. `root` moves the files (tests, staging).
 */
export function machineSources(
  platform: NodeJS.Platform = process.platform,
  root = '/',
  registry: RegQuery = regExe,
): ConfigSource[] {
  const paths = machinePaths(platform, root);
  const policy =
    platform === 'win32' || !paths.policyFile
      ? registryPolicySource(registry)
      : jsonFileSource(`policy (${paths.policyFile})`, paths.policyFile);
  return [policy, jsonFileSource(`config file (${paths.configFile})`, paths.configFile)];
}
