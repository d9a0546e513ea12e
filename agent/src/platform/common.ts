import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OsUser } from '@harbour/shared';

/** Runs a command and returns its trimmed stdout, or null if it fails or times out. */
export function run(cmd: string, args: string[], timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : stdout.trim());
    });
  });
}

/** The account the agent process runs as: the agent starts in each user's session at logon. */
export function processUser(domain?: string): OsUser {
  const info = os.userInfo();
  return domain ? { username: info.username, domain } : { username: info.username };
}

export function cleanSerial(raw: string | null | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  // Placeholder values firmware vendors leave in place are not serial numbers.
  if (/^(to be filled.*|default string|system serial number|none|0+|not specified)$/i.test(value))
    return null;
  return value.slice(0, 120);
}

/** Whether `command` is an executable on PATH. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      try {
        fs.accessSync(path.join(dir, command + ext), fs.constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}
