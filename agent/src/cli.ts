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
import { agentConfigShape, loadAgentConfig, machinePaths, type ConfigKey } from './node/config/index.js';
import { HealthReporter } from './node/health-feature.js';
import { ScreenArbiter } from './core/screens.js';
import { SupervisionFeature } from './core/supervision.js';
import { OverlayScreenControls } from './core/teacher-screens.js';
import { UiServer } from './core/ui-server.js';
import { AupFeature } from './core/aup/feature.js';
import { platformSession } from './platform/session.js';
import { ChromiumOverlay } from './node/chromium-overlay.js';
import { primaryThumbnail } from './platform/thumbnail.js';
import { noServerText, trayTooltip } from './node/status-text.js';
import { platformProbes } from './platform/index.js';
import { TellFeature } from './core/tell.js';
import { X11Desktop } from './platform/x11/desktop.js';
import { X11Badge } from './platform/x11/badge.js';
import { X11HelpShortcut } from './platform/x11/hotkey.js';
import { grabDisplays } from './platform/grab.js';
import { ActivityFeature } from './core/activity/feature.js';
import { captureDisplays } from './platform/capture.js';
import { foregroundProbe } from './platform/foreground.js';

const usage = `Usage: harbour-agent [--server <url>] [--enroll <token>] [options]

Settings not given here come from policy, then the machine-wide config file, then
defaults (see docs/agent-configuration.md).

  --server <url>          the Harbour server, e.g. http://harbour.school.local:8080
  --enroll <token>        enrolment token from the dashboard (first start only)
  --data-dir <dir>        where the credential and outbox live (default ./harbour-agent-data)
  --name <name>           device name to report instead of the hostname
  --heartbeat <seconds>   heartbeat interval (default 30)
  --log-level <level>     fatal, error, warn, info, debug (default info)
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

/** Command-line flag for each setting. */
const flags: Record<ConfigKey, string> = {
  serverUrl: 'server',
  enrolmentToken: 'enroll',
  dataDir: 'data-dir',
  deviceName: 'name',
  heartbeatSeconds: 'heartbeat',
  logLevel: 'log-level',
};

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        server: { type: 'string' },
        enroll: { type: 'string' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        heartbeat: { type: 'string' },
        'log-level': { type: 'string' },
        root: { type: 'string', default: '/' },
        'help-badge': { type: 'boolean', default: false },
        aup: { type: 'string', default: 'off' },
        activity: { type: 'string', default: 'on' },
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

  // What was typed on the command line is checked strictly: a mistake here is refused at once.
  const commandLine: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(flags) as [ConfigKey, string][]) {
    const raw = values[flag as keyof typeof values];
    if (typeof raw !== 'string' || (raw === '' && key === 'serverUrl')) continue;
    const value = key === 'heartbeatSeconds' && /^\d+$/.test(raw) ? Number(raw) : raw;
    const parsed = agentConfigShape[key].safeParse(value);
    if (!parsed.success) fail(`--${flag} ${parsed.error.issues[0]?.message ?? 'is not valid'}, got "${raw}"`);
    commandLine[key] = parsed.data;
  }

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
  const ui = new UiServer({ logger });
  const hasScreens = process.platform === 'linux' && Boolean(process.env.DISPLAY);
  // One X connection for the session: screens, badge, Ctrl+Alt+H and the foreground probe.
  const desktop = hasScreens ? new X11Desktop(logger.child({ part: 'x11' })) : null;
  const help = (trigger: 'badge' | 'shortcut') =>
    void tell
      ?.tell(trigger)
      .catch((error: Error) => logger.error({ err: error, trigger }, 'help: the report failed'));
  const overlay = desktop
    ? new ChromiumOverlay({
        url: (p) => ui.entryUrl(p),
        logger,
        desktop,
        extraArgs: ['--disable-gpu'],
        onHelpShortcut: () => help('shortcut'),
      })
    : null;
  const arbiter = overlay ? new ScreenArbiter(overlay) : null;
  const teacherScreens = arbiter
    ? new OverlayScreenControls({ teacher: arbiter.lane('teacher'), message: arbiter.lane('message') }, ui)
    : null;
  const supervision = new SupervisionFeature({
    // Thumbnails need a screen: on Linux, only when there is an X display.
    thumbnail: process.platform !== 'linux' || process.env.DISPLAY ? primaryThumbnail : undefined,
    screens: teacherScreens,
  });

  // "Turn the screen off and tell": its cover has the top lane; the badge is opt-in here.
  // One foreground-window probe, shared by activity reporting and tell (the window at the click).
  const foreground = foregroundProbe(process.platform, { desktop: desktop ?? undefined });
  const tell = arbiter
    ? new TellFeature({
        grab: grabDisplays,
        overlay: arbiter.lane('tell'),
        ui,
        activeWindow: foreground,
        // Only the badge lets a pupil press "help" here: keep the cover ready only then.
        prepareCover: Boolean(values['help-badge']),
      })
    : null;
  const badge =
    tell && desktop && values['help-badge']
      ? new X11Badge({ desktop, logger, onPress: () => help('badge') })
      : null;
  const shortcut = tell && desktop ? new X11HelpShortcut(desktop, () => help('shortcut'), logger) : null;
  if (values.aup !== 'on' && values.aup !== 'off') fail('--aup must be on or off');
  if (values.aup === 'on' && !arbiter)
    fail('--aup on needs a screen: run it in a graphical session (DISPLAY)');
  const aup =
    arbiter && values.aup === 'on'
      ? new AupFeature({ ui, overlay: arbiter.lane('aup'), session: platformSession() })
      : null;

  const probes = platformProbes();
  const health = new HealthReporter(
    config.problems.map((p) => ({ code: p.code, message: p.message })),
    probes,
  );
  if (values.activity !== 'on' && values.activity !== 'off') fail('--activity must be on or off');
  const activity =
    values.activity === 'on'
      ? new ActivityFeature({
          probe: foreground,
          capture: captureDisplays,
          bridgeDir: values['bridge-dir'] ? path.resolve(values['bridge-dir']) : undefined,
          health,
        })
      : null;
  const agent = new HarbourAgent(
    {
      serverUrl: settings.serverUrl,
      dataDir: path.resolve(settings.dataDir),
      agentVersion: harbourVersion,
      enrolmentToken: settings.enrolmentToken,
      deviceName: settings.deviceName,
      heartbeatSeconds: settings.heartbeatSeconds,
    },
    {
      probes,
      logger,
      features: [
        health,
        supervision,
        ...(activity ? [activity] : []),
        ...(aup ? [aup] : []),
        ...(tell ? [tell] : []),
      ],
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
    void Promise.all([badge?.hide(), overlay?.close()])
      .then(() => agent.stop())
      .then(() => ui.stop())
      .then(() => process.exit(0));
  // A promise nobody waited on must not end the agent (and with it the pupil's cover).
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  ui.start()
    .then(() => Promise.all([badge?.show(), shortcut?.start()]))
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

void main();
