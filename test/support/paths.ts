import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const serverMain = path.join(repoRoot, 'dashboard/dist/server/main.js');
export const agentCli = path.join(repoRoot, 'agent/dist/cli.js');
export const webRoot = path.join(repoRoot, 'dashboard/dist/web');

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `harbour-${prefix}-`));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
