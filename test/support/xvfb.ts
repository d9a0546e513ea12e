import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { waitFor } from './wait.js';

export interface XDisplay {
  /** e.g. ":97" — pass as DISPLAY to programs that should appear on it. */
  display: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/**
 * A real X display: Xvfb on a free display number, with the openbox window manager
 * (so windows get focus, stacking and full-screen the way a desktop does them).
 */
export async function startXvfb(
  opts: { width?: number; height?: number; windowManager?: boolean } = {},
): Promise<XDisplay> {
  const { width = 1280, height = 800, windowManager = true } = opts;
  let number = 90 + Math.floor(Math.random() * 400);
  while (fs.existsSync(`/tmp/.X11-unix/X${number}`) || fs.existsSync(`/tmp/.X${number}-lock`)) number++;
  const display = `:${number}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: 'ignore',
  });
  process.once('exit', () => xvfb.kill('SIGKILL'));
  await waitFor(() => fs.existsSync(`/tmp/.X11-unix/X${number}`), {
    timeoutMs: 10_000,
    what: `Xvfb on ${display}`,
  });
  const env = { ...process.env, DISPLAY: display };
  let wm: ChildProcess | undefined;
  if (windowManager) {
    wm = spawn('openbox', ['--sm-disable'], { env, stdio: 'ignore' });
    process.once('exit', () => wm?.kill('SIGKILL'));
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    display,
    env,
    stop: async () => {
      if (wm) await stopProcess(wm);
      await stopProcess(xvfb);
    },
  };
}
