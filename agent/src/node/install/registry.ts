/**
 * Windows registry writes for the installer, through reg.exe (present on every Windows
 * since XP), behind an interface so the plan/apply logic is the same everywhere.
 */
import { execFile } from 'node:child_process';
import { parseRegQuery } from '../config/sources.js';
import type { RegistryEntry } from './types.js';

export interface RegistryWriter {
  /** Reads a key's values (name -> data); empty if the key does not exist. */
  values(key: string): Promise<Record<string, unknown>>;
  /** Sets one value; name null is the key's default value. */
  set(key: string, name: string | null, type: RegistryEntry['type'], data: string): Promise<void>;
  /** Deletes one value, or the whole key when name is undefined. Missing is fine. */
  delete(key: string, name?: string | null): Promise<void>;
}

/** Picks the value name for an entry: fixed names as given, list entries reuse or take the first free number. */
export async function entryName(registry: RegistryWriter, entry: RegistryEntry): Promise<string | null> {
  if (entry.name === null || typeof entry.name === 'string') return entry.name;
  const existing = await registry.values(entry.key);
  const prefix = entry.name.listEntryFor;
  for (const [name, data] of Object.entries(existing)) {
    if (typeof data === 'string' && data.startsWith(prefix)) return name;
  }
  let n = 1;
  while (Object.hasOwn(existing, String(n))) n++;
  return String(n);
}

/** reg.exe arguments, built in one place (64-bit view: policies and Run live there for 64-bit apps). */
export const regArgs = {
  query: (key: string) => ['query', key, '/reg:64'],
  add: (key: string, name: string | null, type: string, data: string) => [
    'add',
    key,
    ...(name === null ? ['/ve'] : ['/v', name]),
    '/t',
    type,
    '/d',
    data,
    '/f',
    '/reg:64',
  ],
  delete: (key: string, name?: string | null) => [
    'delete',
    key,
    ...(name === undefined ? [] : name === null ? ['/ve'] : ['/v', name]),
    '/f',
    '/reg:64',
  ],
};

function reg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('reg.exe', args, { windowsHide: true, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

export const regExeWriter: RegistryWriter = {
  async values(key) {
    const result = await reg(regArgs.query(key));
    return result.code === 0 ? parseRegQuery(result.stdout) : {};
  },
  async set(key, name, type, data) {
    const result = await reg(regArgs.add(key, name, type, data));
    if (result.code !== 0) throw new Error(`reg add ${key} failed: ${result.stderr.trim() || result.code}`);
  },
  async delete(key, name) {
    await reg(regArgs.delete(key, name));
  },
};
