/**
 * The upgrade from per-user agents (issue 12 item 7). Before the machine service, every
 * user's first logon enrolled the computer again and kept a credential in that user's
 * data folder, so one computer could be several devices on the server. On its first
 * start the service adopts one of those credentials (the newest enrolled with this
 * server), so the computer keeps its device record and its history; the others are
 * kept, root-only, until the server has retired them into the adopted device
 * (`POST /api/agent/merge`, which proves possession of each one), and then forgotten.
 * Every per-user copy is removed: a pupil's folder holds no credential any more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from 'pino';
import {
  credentialsSchema,
  loadCredentials,
  saveCredentials,
  type Credentials,
} from '../core/credentials.js';

export interface LegacyFound {
  dir: string;
  credentials: Credentials;
}

const pendingFile = 'legacy-devices.json';
const pendingSchema = z.array(z.object({ deviceId: z.string(), credential: z.string() }));

/** Home folders of the accounts in /etc/passwd, and whatever is under /home (directory users). */
export function candidateHomes(root = '/'): string[] {
  const homes = new Set<string>();
  try {
    for (const line of fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8').split('\n')) {
      const home = line.split(':')[5];
      if (home && home !== '/' && !home.startsWith('/nonexistent')) homes.add(home);
    }
  } catch {
    // no passwd file to read
  }
  try {
    for (const name of fs.readdirSync(path.join(root, 'home'))) homes.add(path.posix.join('/home', name));
  } catch {
    // no /home
  }
  return [...homes].sort();
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

/** The valid per-user credentials for `serverUrl` in `dirs`, newest enrolment first. */
export function findLegacy(dirs: string[], serverUrl: string, logger: Logger): LegacyFound[] {
  const found: LegacyFound[] = [];
  for (const dir of dirs) {
    try {
      const stat = fs.lstatSync(path.join(dir, 'device.json'));
      if (!stat.isFile()) continue;
      const credentials = loadCredentials(dir);
      if (credentials && origin(credentials.serverUrl) === origin(serverUrl))
        found.push({ dir, credentials });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.warn({ dir, err: (error as Error).message }, 'upgrade: an old credential could not be read');
    }
  }
  return found.sort((a, b) => b.credentials.enrolledAt.localeCompare(a.credentials.enrolledAt));
}

/**
 * Adopts the newest per-user credential if the service has none yet, and keeps the rest to
 * be retired. Returns the adopted device id (or null) and how many wait to be merged.
 */
export function adoptLegacy(
  dataDir: string,
  found: LegacyFound[],
  logger: Logger,
): { adopted: string | null; pending: number } {
  const own = loadCredentials(dataDir);
  const [newest] = found;
  let adopted: string | null = null;
  if (!own && newest) {
    saveCredentials(dataDir, credentialsSchema.parse(newest.credentials));
    adopted = newest.credentials.deviceId;
    logger.info(
      { deviceId: adopted, from: newest.dir },
      'upgrade: adopted the credential of a per-user agent',
    );
  }
  const keep = own?.deviceId ?? adopted;
  const extras = found.filter((f) => f.credentials.deviceId !== keep);
  const pending = [
    ...readPending(dataDir),
    ...extras.map((f) => ({ deviceId: f.credentials.deviceId, credential: f.credentials.credential })),
  ];
  const unique = [...new Map(pending.map((p) => [p.deviceId, p])).values()];
  writePending(dataDir, unique);
  // No pupil's folder keeps a credential: the adopted one is the service's now, the others wait root-only.
  for (const f of found) fs.rmSync(path.join(f.dir, 'device.json'), { force: true });
  return { adopted, pending: unique.length };
}

export function readPending(dataDir: string): z.infer<typeof pendingSchema> {
  try {
    const parsed = pendingSchema.safeParse(
      JSON.parse(fs.readFileSync(path.join(dataDir, pendingFile), 'utf8')),
    );
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

function writePending(dataDir: string, pending: z.infer<typeof pendingSchema>): void {
  const file = path.join(dataDir, pendingFile);
  if (pending.length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(pending), { mode: 0o600 });
}

/** Asks the server to retire the other per-user devices into this one; forgets those it took. */
export async function mergeLegacy(
  dataDir: string,
  credentials: Credentials,
  logger: Logger,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const pending = readPending(dataDir);
  if (pending.length === 0) return;
  const response = await fetchImpl(new URL('/api/agent/merge', credentials.serverUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Device ${credentials.deviceId}:${credentials.credential}`,
    },
    body: JSON.stringify({ devices: pending }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`the server refused the merge: HTTP ${response.status}`);
  const body = (await response.json()) as { merged?: string[]; refused?: string[] };
  const done = new Set([...(body.merged ?? []), ...(body.refused ?? [])]);
  writePending(
    dataDir,
    pending.filter((p) => !done.has(p.deviceId)),
  );
  logger.info(
    { merged: body.merged?.length ?? 0, refused: body.refused?.length ?? 0 },
    'upgrade: old device records retired',
  );
}
