import net from 'node:net';

/** The Unix socket of a local X display (":3" or ":3.0" → /tmp/.X11-unix/X3); null for others. */
export function displaySocket(display: string | null): string | null {
  const match = display ? /^(?:unix)?:(\d{1,5})(?:\.\d+)?$/.exec(display) : null;
  return match ? `/tmp/.X11-unix/X${match[1]}` : null;
}

/**
 * Whether a local X display is still there: its server accepts a connection on its socket.
 * Cheap (no process spawned), so a session helper can watch its display and the service
 * can tell a killed helper (display still up: restart it) from a session that ended.
 */
export function displayAlive(display: string | null, timeoutMs = 1000): Promise<boolean> {
  const socketPath = displaySocket(display);
  if (!socketPath) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
