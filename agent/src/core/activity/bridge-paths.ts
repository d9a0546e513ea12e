import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Where the running agent publishes its browser bridge: a per-user directory only that
 * user can enter (0700), holding `bridge.json` (0600) with the socket path and this
 * session's secret. `HARBOUR_BRIDGE_DIR` overrides it (tests, unusual installs).
 */
export function bridgeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HARBOUR_BRIDGE_DIR) return env.HARBOUR_BRIDGE_DIR;
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'Harbour', 'bridge');
  }
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'harbour');
  return path.join(os.tmpdir(), `harbour-${os.userInfo().uid}`);
}

export const bridgeInfoSchema = z.strictObject({
  socketPath: z.string().min(1).max(1024),
  secret: z.string().min(32).max(128),
  pid: z.number().int(),
});
export type BridgeInfo = z.infer<typeof bridgeInfoSchema>;

export const bridgeInfoFile = (dir: string) => path.join(dir, 'bridge.json');

/** Creates the directory (0700) or, if it exists, insists it is ours and private. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return; // %LOCALAPPDATA% is already per-user
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || stat.isSymbolicLink()) throw new Error(`${dir} is not a directory`);
  if (stat.uid !== os.userInfo().uid) throw new Error(`${dir} belongs to another user`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

export function readBridgeInfo(dir: string): BridgeInfo | null {
  try {
    const parsed = bridgeInfoSchema.safeParse(JSON.parse(fs.readFileSync(bridgeInfoFile(dir), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
