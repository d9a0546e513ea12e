/**
 * A real Redis for tests of several server nodes: Debian's redis-server, started by the
 * test on a free port with a temporary directory and nothing saved. No Redis installed is
 * a failure with a clear message (scripts/install-system-deps.sh installs it), never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { tempDir } from './paths.js';
import { freePort } from './processes.js';
import { waitFor } from './wait.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: a crash, or SIGTERM). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: nothing was saved). */
  start(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

export async function startRedis(): Promise<TestRedis> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(
      'redis-server is not installed: the multi-node tests need it (run scripts/install-system-deps.sh, or apt-get install redis-server)',
    );
  }
  const port = await freePort();
  const dir = tempDir('redis');
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--daemonize',
        'no',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    proc = p;
    process.once('exit', () => p.kill('SIGKILL'));
    await waitFor(
      async () => {
        if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}`);
        return ping(port);
      },
      { timeoutMs: 10_000, what: 'redis-server to answer PING' },
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop(signal = 'SIGTERM') {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((resolve) => p.once('exit', resolve));
      p.kill(signal);
      await gone;
    },
  };
}

/**
 * A TCP forwarder in front of the nodes, as a load balancer would be: new connections go to
 * the current target; `target` changes where the next ones go.
 */
export async function tcpProxy(
  targetPort: number,
): Promise<{ url: string; target(port: number): void; close(): void }> {
  let current = targetPort;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(current, '127.0.0.1');
    open.add(client).add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    target(p) {
      current = p;
    },
    close() {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}
