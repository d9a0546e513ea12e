#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1
/**
 * Headless Harbour agent: the same core the tray app runs, without Electron.
 *
 *   npm run agent -- --server http://harbour.school.local:8080 --enroll <token> --data-dir ./agent-data
 *
 * Settings come from the command line, then policy, then the machine-wide config file,
 * then defaults (docs/agent-configuration.md), exactly as for the tray app. The first
 * start enrols with the token and stores the device credential in the data directory;
 * later starts reuse it (the token is then ignored).
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { harbourVersion } from '@harbour/shared';
import { HarbourAgent } from './core/agent.js';
import { CorruptCredentialsError } from './core/credentials.js';
import { EnrolmentRefused } from './core/enrol.js';
import { loadAgentConfig, machinePaths } from './node/config/index.js';
import { HealthReporter } from './node/health-feature.js';
import { UiServer } from './core/ui-server.js';
import { noServerText, trayTooltip } from './node/status-text.js';
import { platformProbes } from './platform/index.js';
import { composeFeatures, nodeShellProbes } from './node/compose.js';
import { x11ShellParts } from './node/x11-shell.js';
import { readServerCa } from './node/server-ca.js';
import { settingsFromCommandLine, sharedOptions, takeEnrolmentSecret } from './node/command-line.js';

const usage = `Usage: harbour-agent [--server <url>] [--enroll <token>] [options]

Settings not given here come from policy, then the machine-wide config file, then
defaults (see docs/agent-configuration.md).

  --server <url>          the Harbour server, e.g. http://harbour.school.local:8080
  --enroll <token>        enrolment token from the dashboard (first start only). Other local
                          users can read a command line: prefer --enroll-file, or --enroll -
                          to read it from standard input
  --enroll-file <file>    read the enrolment token from a file only you can read (chmod 600)
  --data-dir <dir>        where the credential and outbox live (default ./harbour-agent-data)
  --name <name>           device name to report instead of the hostname
  --heartbeat <seconds>   heartbeat interval (default 30)
  --log-level <level>     fatal, error, warn, info, debug (default info)
  --ca-file <file>        the school's own CA certificate (PEM), if the server's HTTPS
                          certificate comes from it
  --root <dir>            look for the machine-wide policy and config files under <dir>
                          instead of / (staging and tests)
  --help-badge            show the pupils' "help" badge (turn the screen off and tell) on
                          this desktop (Linux with an X display)
  --activity <on|off>     report the active window and website (default on)
  --bridge-dir <dir>      where the browser extension's host finds this agent (default per user)
  --aup <on|off>          show the acceptable use policy at logon, full screen (needs the screen
                          overlay: Linux with an X display); default off, for servers and tests
  --help                  show this help`;

function fail(message: string, code = 2): never {
  console.error(`harbour-agent: ${message}`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        ...sharedOptions,
        'bridge-dir': { type: 'string' },
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
  // Before anything slow: the token must not stay readable in /proc/<pid>/cmdline.
  try {
    await takeEnrolmentSecret(values);
  } catch (error) {
    fail((error as Error).message);
  }

  // What was typed on the command line is checked strictly: a mistake here is refused at once
  // (an empty --server means "not given", so that wrappers can pass their variable through).
  const commandLine = settingsFromCommandLine(values, fail, (key) => key !== 'serverUrl');

  const root = path.resolve(values.root);
  const config = await loadAgentConfig({
    commandLine,
    root,
    defaults: { dataDir: path.resolve('./harbour-agent-data'), deviceName: undefined },
  });
  const settings = config.values;
  const logger = pino({ level: settings.logLevel, base: { service: 'harbour-agent' } });
  for (const problem of config.problems) {
    logger.warn({ code: problem.code, source: problem.source, key: problem.key }, problem.message);
  }
  logger.info({ origin: config.origin }, 'settings loaded');

  if (!settings.serverUrl) {
    const where = machinePaths(process.platform, root);
    logger.error({ text: noServerText }, 'no server URL configured');
    fail(`--server is required (or set serverUrl by policy or in ${where.configFile})`);
  }

  // Pupil-facing screens: the local UI server's pages, full screen through the overlay.
  // The headless agent shows them with Chromium in kiosk mode where there is an X display;
  // without one it has no screens (and says so to the teacher by not acknowledging).
  if (values.aup !== 'on' && values.aup !== 'off') fail('--aup must be on or off');
  if (values.activity !== 'on' && values.activity !== 'off') fail('--activity must be on or off');
  const hasScreens = process.platform === 'linux' && Boolean(process.env.DISPLAY);
  if (values.aup === 'on' && !hasScreens)
    fail('--aup on needs a screen: run it in a graphical session (DISPLAY)');
  const ui = new UiServer({ logger });
  // One X connection for the session: screens, badge, Ctrl+Alt+H and the foreground probe.
  const x11 = hasScreens ? x11ShellParts(ui, logger, { extraArgs: ['--disable-gpu'] }) : null;
  const probes = platformProbes();
  const health = new HealthReporter(
    config.problems.map((p) => ({ code: p.code, message: p.message })),
    probes,
  );
  // The same composition the session helper and the tray app use (node/compose.ts).
  const composition = composeFeatures(
    {
      overlay: x11?.overlay ?? null,
      badge: x11?.badge ?? null,
      registerTriggers: x11?.registerTriggers,
      probes: nodeShellProbes(process.env, x11?.desktop),
    },
    {
      ui,
      health,
      aup: values.aup === 'on',
      // Only the badge lets a pupil press "help" here: keep the cover ready only then.
      help: Boolean(values['help-badge']),
      activity: values.activity === 'on',
      bridgeDir: values['bridge-dir'] ? path.resolve(values['bridge-dir']) : undefined,
    },
  );
  const agent = new HarbourAgent(
    {
      serverUrl: settings.serverUrl,
      dataDir: path.resolve(settings.dataDir),
      agentVersion: harbourVersion,
      enrolmentToken: settings.enrolmentToken,
      deviceName: settings.deviceName,
      heartbeatSeconds: settings.heartbeatSeconds,
      serverCa: readServerCa(settings.serverCaFile, fail),
      aupGate: values.aup === 'on',
    },
    {
      probes,
      logger,
      features: [health, ...composition.features],
    },
  );
  agent.on('status', (status, detail) => {
    logger.info({ status, detail, text: trayTooltip(status, detail, config.problems) }, 'agent status');
    if (status === 'refused') {
      console.error(
        `harbour-agent: ${detail ?? 'the server refused this device'}. Enrol it again with a new token.`,
      );
      void agent.stop().then(() => process.exit(3));
    }
  });

  // The windows go first (the prepared ones too, so none is started again as features stop).
  const shutdown = () =>
    void composition
      .closeWindows()
      .then(() => agent.stop())
      .then(() => ui.stop())
      .then(() => process.exit(0));
  // A promise nobody waited on must not end the agent (and with it the pupil's cover).
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  composition
    .open()
    .then(() => agent.start())
    .then(
      (credentials) =>
        logger.info(
          { deviceId: credentials.deviceId, server: credentials.serverUrl, host: os.hostname() },
          'agent running',
        ),
      (error: unknown) => {
        if (error instanceof EnrolmentRefused || error instanceof CorruptCredentialsError) {
          logger.error({ text: trayTooltip('refused', error.message, config.problems) }, error.message);
          fail(error.message, 3);
        }
        logger.fatal({ err: error }, 'agent failed to start');
        process.exit(1);
      },
    );
}

// Subcommands: the machine service and the session helper (issue 12); anything else is the
// single-process agent (a try-out on one desktop, and the tests).
const [command, ...rest] = process.argv.slice(2);
if (command === 'service') void import('./service/main.js').then((m) => m.runService(rest));
else if (command === 'session') void import('./session/main.js').then((m) => m.runSession(rest));
else void main();
