#!/usr/bin/env node
/**
 * Headless Harbour agent: the same core the tray app runs, without Electron.
 *
 *   npm run agent -- --server http://harbour.school.local:8080 --enroll <token> --data-dir ./agent-data
 *
 * The first start enrols with the token and stores the device credential in the data
 * directory; later starts reuse it (the token is then ignored).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import pino from 'pino';
import { harbourVersion } from '@harbour/shared';
import { HarbourAgent } from './core/agent.js';
import { CorruptCredentialsError } from './core/credentials.js';
import { EnrolmentRefused } from './core/enrol.js';
import { TellFeature } from './core/tell.js';
import { UiServer } from './core/ui-server.js';
import { ChromiumBadge } from './node/chromium-badge.js';
import { ChromiumOverlay } from './node/chromium-overlay.js';
import { grabDisplays } from './platform/grab.js';
import { platformProbes } from './platform/index.js';

const usage = `Usage: harbour-agent --server <url> [--enroll <token>] [--data-dir <dir>] [options]

  --server <url>          the Harbour server, e.g. http://harbour.school.local:8080
  --enroll <token>        enrolment token from the dashboard (first start only)
  --data-dir <dir>        where the credential and outbox live (default ./harbour-agent-data)
  --name <name>           device name to report instead of the hostname
  --heartbeat <seconds>   heartbeat interval (default 30)
  --log-level <level>     fatal, error, warn, info, debug (default info)
  --pupil-ui chromium     show pupil pages (the help badge and the tell cover) with Chromium
                          windows on this desktop (Linux; needs a graphical session)
  --chromium <path>       the Chromium to use (default /usr/bin/chromium)
  --help                  show this help`;

function fail(message: string, code = 2): never {
  console.error(`harbour-agent: ${message}`);
  process.exit(code);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        server: { type: 'string' },
        enroll: { type: 'string' },
        'data-dir': { type: 'string', default: './harbour-agent-data' },
        name: { type: 'string' },
        heartbeat: { type: 'string', default: '30' },
        'log-level': { type: 'string', default: 'info' },
        'pupil-ui': { type: 'string' },
        chromium: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!values.server) fail(`--server is required\n\n${usage}`);
  let serverUrl: string;
  try {
    const url = new URL(values.server);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    serverUrl = url.origin;
  } catch {
    fail(`--server must be an http:// or https:// URL, got "${values.server}"`);
  }
  const heartbeatSeconds = Number(values.heartbeat);
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1 || heartbeatSeconds > 3600) {
    fail('--heartbeat must be a whole number of seconds between 1 and 3600');
  }
  const level = values['log-level'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    fail(`--log-level must be one of fatal, error, warn, info, debug, trace, silent`);
  }

  if (values['pupil-ui'] !== undefined && values['pupil-ui'] !== 'chromium') {
    fail('--pupil-ui must be "chromium"');
  }
  const logger = pino({ level, base: { service: 'harbour-agent' } });
  const pupilUi = values['pupil-ui'] ? chromiumPupilUi(logger, values.chromium) : undefined;
  const agent = new HarbourAgent(
    {
      serverUrl,
      dataDir: path.resolve(values['data-dir']),
      agentVersion: harbourVersion,
      enrolmentToken: values.enroll,
      deviceName: values.name,
      heartbeatSeconds,
    },
    { probes: platformProbes(), logger, features: pupilUi ? [pupilUi.tell] : [] },
  );
  agent.on('status', (status, detail) => {
    logger.info({ status, detail }, 'agent status');
    if (status === 'refused') {
      console.error(
        `harbour-agent: ${detail ?? 'the server refused this device'}. Enrol it again with a new token.`,
      );
      void agent.stop().then(() => process.exit(3));
    }
  });

  const shutdown = () =>
    void agent
      .stop()
      .then(() => pupilUi?.stop())
      .then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  (pupilUi ? pupilUi.start() : Promise.resolve())
    .then(() => agent.start())
    .then(
      (credentials) =>
        logger.info({ deviceId: credentials.deviceId, server: credentials.serverUrl }, 'agent running'),
      (error: unknown) => {
        if (error instanceof EnrolmentRefused || error instanceof CorruptCredentialsError)
          fail(error.message, 3);
        logger.fatal({ err: error }, 'agent failed to start');
        process.exit(1);
      },
    );
}

/** The pupil pages on a Linux desktop: the local UI server, a Chromium cover, the help badge, and tell. */
function chromiumPupilUi(logger: pino.Logger, executable: string | undefined) {
  const ui = new UiServer({ logger });
  const url = (p: string) => ui.entryUrl(p);
  const extraArgs = (process.env.HARBOUR_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);
  const overlay = new ChromiumOverlay({ url, logger, extraArgs, ...(executable ? { executable } : {}) });
  const badge = new ChromiumBadge({ url, logger, extraArgs, ...(executable ? { executable } : {}) });
  const tell = new TellFeature({ grab: grabDisplays, overlay, ui });
  return {
    tell,
    start: async () => {
      await ui.start();
      await badge.show();
    },
    stop: async () => {
      await badge.hide();
      await overlay.hide();
      await ui.stop();
    },
  };
}

main();
