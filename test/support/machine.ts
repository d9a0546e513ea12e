/**
 * The machine service and its session helpers started the way the installed units start them
 * (the built `agent/dist/cli.js` with the agent's node flags): the service as this process's
 * user (root in CI), each helper as a real OS user through `runuser`, on that user's display.
 * Shared by the machine-service tests and the machine benchmark, so that all of them measure
 * and test the same command lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { agentNodeFlags } from '../../agent/src/node/node-flags.js';
import { agentCli } from './paths.js';

type Output = (chunk: string) => void;

function pipeOutput(child: ChildProcess, onOutput: Output): ChildProcess {
  child.stdout?.on('data', (d: Buffer) => onOutput(d.toString()));
  child.stderr?.on('data', (d: Buffer) => onOutput(d.toString()));
  return child;
}

/** A run directory every local user may enter (as /run/harbour is), and the service's socket path in it. */
export function machineRunDir(): { runDir: string; socket: string } {
  const runDir = fs.mkdtempSync('/tmp/harbour-run-');
  fs.chmodSync(runDir, 0o755);
  return { runDir, socket: path.join(runDir, 'service.sock') };
}

export interface MachineServiceOptions {
  serverUrl: string;
  /** A file holding the enrolment token (mode 0600), as the installer writes it; none for a computer already enrolled (or upgraded). */
  tokenFile?: string;
  dataDir: string;
  socket: string;
  /** Further options after the common ones, e.g. `['--aup', 'on', '--activity', 'off']`. */
  args?: readonly string[];
  onOutput: Output;
}

export function spawnMachineService(options: MachineServiceOptions): ChildProcess {
  const args = [
    ...agentNodeFlags,
    agentCli,
    'service',
    '--server',
    options.serverUrl,
    ...(options.tokenFile ? ['--enroll-file', options.tokenFile] : []),
    '--data-dir',
    options.dataDir,
    '--socket',
    options.socket,
    ...(options.args ?? []),
  ];
  return pipeOutput(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }), options.onOutput);
}

export interface SessionHelperOptions {
  user: string;
  /** The X display of the user's session, e.g. `:99`. */
  display: string;
  socket: string;
  /** Extra environment, as `NAME=value`, set before node starts. */
  env?: readonly string[];
  onOutput: Output;
}

/** A session helper as `user` (through runuser, so the service sees that user's uid at its door). */
export function spawnSessionHelper(options: SessionHelperOptions): ChildProcess {
  const args = [
    '-u',
    options.user,
    '--',
    'env',
    `DISPLAY=${options.display}`,
    `HOME=/home/${options.user}`,
    ...(options.env ?? []),
    process.execPath,
    ...agentNodeFlags,
    agentCli,
    'session',
    '--socket',
    options.socket,
  ];
  return pipeOutput(spawn('runuser', args, { stdio: ['ignore', 'pipe', 'pipe'] }), options.onOutput);
}
