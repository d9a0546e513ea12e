import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { agentNodeFlags } from '../../agent/src/node/node-flags.js';
import { serverNodeFlags } from '../../dashboard/src/server/node-flags.js';
import { databaseUrlFor } from './database.js';
import { agentCli, serverMain } from './paths.js';
import { waitFor } from './wait.js';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Tracked {
  proc: ChildProcess;
  output: string[];
}

function track(proc: ChildProcess): Tracked {
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  process.once('exit', () => proc.kill('SIGKILL'));
  return { proc, output };
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

/** The real server, started as `npm start` runs it (node, its flags, dashboard/dist/server/main.js). */
export class ServerProcess {
  private current: Tracked | undefined;
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = new ServerProcess(await freePort(), dataDir, env);
    await server.start();
    return server;
  }

  get output(): string {
    return this.current?.output.join('') ?? '';
  }

  async start(): Promise<void> {
    const databaseUrl = this.env.DATABASE_URL ?? (await databaseUrlFor(this.dataDir));
    const proc = spawn(process.execPath, [...serverNodeFlags, serverMain], {
      env: {
        ...process.env,
        ...(databaseUrl && { DATABASE_URL: databaseUrl }),
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        LOG_LEVEL: 'warn',
        HARBOUR_LOGIN_RATE_LIMIT: '1000',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.current = track(proc);
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`server exited: ${this.output}`);
        const r = await fetch(`${this.url}/api/health`);
        return r.ok;
      },
      { timeoutMs: 20_000, what: 'the server to answer /api/health' },
    );
  }

  /** Stops the server; SIGKILL simulates a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.current?.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited(proc);
  }

  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }
}

/** A real headless agent process (node agent/dist/cli.js). */
export class AgentProcess {
  private readonly tracked: Tracked;

  constructor(args: {
    server: string;
    dataDir: string;
    token?: string;
    name?: string;
    extra?: string[];
    /** e.g. an X display's environment, for agents that show or capture screens. */
    env?: NodeJS.ProcessEnv;
    /** Node/V8 flags before the script (default: the agent's own, as the harbour-agent command has them). */
    nodeFlags?: string[];
  }) {
    const argv = [
      ...(args.nodeFlags ?? agentNodeFlags),
      agentCli,
      '--server',
      args.server,
      '--data-dir',
      args.dataDir,
      '--log-level',
      'info',
    ];
    if (args.token) argv.push('--enroll', args.token);
    if (args.name) argv.push('--name', args.name);
    argv.push(...(args.extra ?? []));
    this.tracked = track(
      spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: args.env ?? process.env }),
    );
  }

  get proc(): ChildProcess {
    return this.tracked.proc;
  }

  get output(): string {
    return this.tracked.output.join('');
  }

  exited(): Promise<number | null> {
    return exited(this.tracked.proc);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.tracked.proc.exitCode !== null || this.tracked.proc.signalCode !== null) return;
    this.tracked.proc.kill(signal);
    await this.exited();
  }
}
