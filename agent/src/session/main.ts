/* eslint-disable no-console -- a command-line program: its errors and help go to the terminal */
/**
 * `harbour-agent session [--socket <path>]`: the session helper, started in every
 * graphical session at logon (the XDG autostart entry) and again by the machine service
 * whenever it stops while its display is still there. It runs the session's features —
 * the screens (AUP gate, tell cover, help badge, eyes-on-me, messages), the foreground
 * probe, screenshots, the browser extension's bridge — through the one composition
 * (node/compose.ts), on top of the service's outbox and connection (session/link.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { UiServer } from '../core/ui-server.js';
import { ChromiumBadge } from '../node/chromium-badge.js';
import { ChromiumOverlay } from '../node/chromium-overlay.js';
import { composeFeatures, nodeShellProbes } from '../node/compose.js';
import { defaultSocketPath } from '../service/doors.js';
import { displayGoneExitCode } from '../service/service.js';
import { displayAlive } from '../service/x11.js';
import { FeatureHost, LinkedHealth } from './host.js';
import { remoteContext, ServiceLink } from './link.js';

const usage = `Usage: harbour-agent session [--socket <path>] [--log-level <level>]

Runs Harbour in this graphical session (the pupils' screens, the active window, screenshots),
talking to the machine service on this computer.

  --socket <path>      the service's socket (default ${defaultSocketPath})
  --log-level <level>  fatal, error, warn, info, debug (default info)
  --help               show this help`;

/** The user's own folder for caches (the AUP text shown offline): never the service's data. */
function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'harbour-agent');
}

export async function runSession(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string', default: defaultSocketPath },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`harbour-agent session: ${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const logger = pino({ level: values['log-level'], base: { service: 'harbour-session' } });
  const env = process.env;
  const display = env.DISPLAY ?? null;
  if (process.platform === 'linux' && !(await displayAlive(display))) {
    logger.error({ display }, 'session: no X display to run in');
    process.exit(displayGoneExitCode);
  }

  const link = new ServiceLink({
    socketPath: path.resolve(values.socket),
    facts: {
      display,
      xauthority: env.XAUTHORITY ?? null,
      runtimeDir: env.XDG_RUNTIME_DIR ?? null,
      sessionId: env.XDG_SESSION_ID ?? null,
    },
    logger,
  });
  link.on('refused', (what, why) => logger.warn({ what, why }, 'session: the service refused'));
  const welcome = await link.start();
  logger.info(
    { user: welcome.user.username, deviceId: welcome.device.deviceId },
    'session: connected to the service',
  );

  const dataDir = cacheDir(env);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const context = remoteContext(link, welcome, { logger, dataDir });
  const ui = new UiServer({ logger });
  const extraArgs = ['--disable-gpu'];
  const composition = composeFeatures(
    {
      overlay: new ChromiumOverlay({ url: (p) => ui.entryUrl(p), logger, extraArgs }),
      badge: new ChromiumBadge({ url: (p) => ui.entryUrl(p), logger, extraArgs }),
      probes: nodeShellProbes(),
    },
    {
      ui,
      health: new LinkedHealth(link),
      aup: welcome.features.aup,
      help: welcome.features.helpBadge,
      activity: welcome.features.activity,
    },
  );
  const host = new FeatureHost(composition.features, context, logger);

  let leaving = false;
  const leave = (code: number) => {
    if (leaving) return;
    leaving = true;
    void composition
      .closeWindows()
      .then(() => host.stop())
      .then(() => ui.stop())
      .finally(() => {
        link.close();
        process.exit(code);
      });
  };
  process.once('SIGINT', () => leave(0));
  process.once('SIGTERM', () => leave(0));

  await composition.open();
  await host.start();
  link.on('online', (online) => {
    if (online) host.connected();
  });
  if (link.online) host.connected();
  logger.info('session: running');

  // The session is over when its display is: then there is nothing to cover and nobody to tell.
  const watch = setInterval(() => {
    void displayAlive(display).then((alive) => {
      if (alive || leaving) return;
      clearInterval(watch);
      logger.info({ display }, 'session: the display has gone; leaving');
      leave(displayGoneExitCode);
    });
  }, 2000);
}
