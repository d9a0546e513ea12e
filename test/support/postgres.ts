/**
 * A real PostgreSQL, from Debian's package, for tests: a cluster of its own in a temporary
 * directory, databases on it, and a psql-like query for what a DBA would type.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A new, empty database on the cluster at `adminUrl`; its URL. */
export async function createDatabase(adminUrl: string, name = `h_${randomBytes(6).toString('hex')}`) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `sql` on the database at `url` (a test's stand-in for a DBA's psql session). */
export async function psql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Where Debian's PostgreSQL programs are (the newest major version installed). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  throw new Error(
    "PostgreSQL is not installed: the *-pg tests need Debian's postgresql package " +
      '(bash scripts/install-system-deps.sh installs it).',
  );
}

export interface PostgresCluster {
  /** A superuser's URL of the maintenance database `postgres`. */
  adminUrl: string;
  port: number;
  dir: string;
  /** pg_ctl stop: `fast` ends sessions and shuts down cleanly, `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops it and removes its files. */
  destroy(): void;
}

/**
 * A real PostgreSQL cluster of its own: initdb in a temporary directory, listening on
 * loopback on `port` with password (SCRAM) authentication. PostgreSQL refuses to run as
 * root, so under root its programs run as Debian's `postgres` user.
 */
export function startPostgresCluster(
  port: number,
  /** `durable`: fsync on, as a real server runs (the benchmarks); tests throw their data away. */
  options: { durable?: boolean; settings?: string[] } = {},
): PostgresCluster {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    fs.chmodSync(dir, 0o700);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  const run = (program: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]]
      : [path.join(bin, program), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${program} failed: ${r.stderr || r.stdout}`);
  };
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  if (asRoot) execFileSync('chown', ['postgres:postgres', pwfile]);
  run('initdb', [
    '-D',
    data,
    '-U',
    'harbour_admin',
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=400',
    // Test databases are thrown away: no fsync (a crash of Harbour, not of the machine, is what the tests make).
    ...(options.durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    // Diagnostics, e.g. `shared_preload_libraries=pg_stat_statements` to see where its time goes.
    ...(options.settings ?? []).map((s) => `-c ${s}`),
  ].join(' ');
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', serverOptions, '-w', 'start']);
  start();
  const cluster: PostgresCluster = {
    adminUrl: `postgres://harbour_admin:${password}@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    start,
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
