/**
 * Applies an install plan to a machine (or to a staging root), and undoes it. What was
 * written is kept in an install record beside the config file, so uninstalling removes
 * exactly that: the files, the registry values, and the folders the install created.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultFileSecurity, type FileSecurity } from './acl.js';
import { entryName, regExeWriter, type RegistryWriter } from './registry.js';
import { machineDir } from './plan.js';
import type { InstallPlan, TargetPlatform } from './types.js';

export interface InstallRecord {
  version: 1;
  platform: TargetPlatform;
  installedAt: string;
  files: string[];
  /** Folders that did not exist before, deepest last. */
  createdDirs: string[];
  registry: { key: string; name: string | null; wholeKey: boolean }[];
}

export const recordFileName = 'install-record.json';

/** Where a target-machine path lands under `root` ("/" is the machine itself). */
export function localPath(root: string, targetPath: string): string {
  if (root === '/' || root === '') return targetPath;
  const relative = targetPath.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/');
  return path.join(root, relative);
}

function ensureDir(dir: string, created: string[]): void {
  if (fs.existsSync(dir)) return;
  ensureDir(path.dirname(dir), created);
  fs.mkdirSync(dir, { mode: 0o755 });
  created.push(dir);
}

async function writeAtomically(
  file: string,
  content: string,
  mode: number,
  restrict?: FileSecurity,
): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  fs.rmSync(temp, { force: true });
  // Created empty (and, for a private file, made private) before any content goes in.
  fs.closeSync(fs.openSync(temp, 'wx', mode));
  fs.chmodSync(temp, mode);
  if (restrict) {
    try {
      if (process.getuid?.() === 0) fs.chownSync(temp, 0, 0);
      await restrict.restrict(temp);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }
  const fd = fs.openSync(temp, 'r+');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // A rename keeps the file's own permissions and ACL (same folder, same volume).
  fs.renameSync(temp, file);
}

/** The install record kept in a machine-wide folder (given as a target-machine path). */
export function readRecord(root: string, machineFolder: string): InstallRecord | undefined {
  const file = localPath(root, path.join(machineFolder, recordFileName));
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}

export async function applyInstall(
  root: string,
  plan: InstallPlan,
  registry: RegistryWriter = regExeWriter,
  now = new Date(),
  security: FileSecurity = defaultFileSecurity(),
): Promise<InstallRecord> {
  const previous = readRecord(root, plan.machineDir);
  const created: string[] = [...(previous?.createdDirs ?? [])];
  const files: string[] = [];
  for (const file of plan.files) {
    const target = localPath(root, file.path);
    ensureDir(path.dirname(target), created);
    await writeAtomically(target, file.content, file.mode, file.private ? security : undefined);
    files.push(target);
  }
  // A file the previous install wrote that this plan no longer wants (e.g. browser policy turned off).
  for (const old of previous?.files ?? []) {
    if (!files.includes(old)) fs.rmSync(old, { force: true });
  }
  const written: InstallRecord['registry'] = [];
  for (const entry of plan.registry) {
    const name = await entryName(registry, entry);
    await registry.set(entry.key, name, entry.type, entry.data);
    written.push({ key: entry.key, name, wholeKey: entry.name === null });
  }
  const record: InstallRecord = {
    version: 1,
    platform: plan.platform,
    installedAt: now.toISOString(),
    files,
    createdDirs: created,
    registry: written,
  };
  const recordFile = localPath(root, path.join(plan.machineDir, recordFileName));
  ensureDir(path.dirname(recordFile), created);
  await writeAtomically(recordFile, `${JSON.stringify(record, null, 2)}\n`, 0o644);
  return record;
}

export interface UninstallResult {
  removedFiles: string[];
  removedRegistry: InstallRecord['registry'];
  removedDirs: string[];
  hadRecord: boolean;
}

/**
 * Removes what the install wrote. `purge` also removes the machine-wide folder with
 * anything else in it (e.g. a config file a technician edited by hand).
 */
export async function uninstall(
  root: string,
  platform: TargetPlatform,
  options: { registry?: RegistryWriter; purge?: boolean; programData?: string } = {},
): Promise<UninstallResult> {
  const registry = options.registry ?? regExeWriter;
  const record = readRecord(root, machineDir(platform, options.programData));
  const dir = localPath(root, machineDir(platform, options.programData));
  const result: UninstallResult = {
    removedFiles: [],
    removedRegistry: [],
    removedDirs: [],
    hadRecord: !!record,
  };
  if (record) {
    for (const file of record.files) {
      if (fs.existsSync(file)) result.removedFiles.push(file);
      fs.rmSync(file, { force: true });
    }
    for (const entry of record.registry) {
      await registry.delete(entry.key, entry.wholeKey ? undefined : entry.name);
      result.removedRegistry.push(entry);
    }
    fs.rmSync(path.join(dir, recordFileName), { force: true });
  }
  if (options.purge) fs.rmSync(dir, { recursive: true, force: true });
  for (const created of [...(record?.createdDirs ?? [])].reverse()) {
    try {
      fs.rmdirSync(created); // only if empty: never someone else's files
      result.removedDirs.push(created);
    } catch {
      // not empty or already gone
    }
  }
  return result;
}
