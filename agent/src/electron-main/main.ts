/**
 * The tray app: a thin Electron shell over the Node core (../core). It owns only what
 * needs Electron: the single-instance lock, the tray icon and its menu. Everything else
 * (settings, enrolment, connection, outbox, probes, health) is the same code the
 * headless agent runs.
 *
 * The installers start it at every user's logon (machine-wide Run key, XDG autostart
 * entry, LaunchAgent: agent/src/node/install). There is no Quit item: a pupil cannot
 * stop it from the tray.
 *
 * Electron's binary cannot be downloaded in Harbour's development environment, so this
 * file is type-checked against Electron's definitions but not run in CI.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, Menu, Tray, nativeImage } from 'electron';
import pino from 'pino';
import { harbourVersion } from '@harbour/shared';
import { HarbourAgent, type AgentStatus } from '../core/agent.js';
import { HealthReporter } from '../node/health-feature.js';
import { readServerCa } from '../node/server-ca.js';
import { agentV8Flags } from '../node/node-flags.js';
import { noServerText, statusText, trayTooltip } from '../node/status-text.js';
import { platformProbes } from '../platform/index.js';
import { machineConfig } from './machine-config.js';
import { UiServer } from '../core/ui-server.js';
import { ElectronOverlay } from './overlay.js';
import type { TellFeature } from '../core/tell.js';
import { composeFeatures, nodeShellProbes } from '../node/compose.js';
import { setUpTellTriggers, tellMenuItem } from './tell.js';

/** How often the tray app looks again for a server URL when none is configured yet. */
const configRetryMs = 60_000;

// The agent's V8 memory settings (node-flags.ts), before Electron starts V8's isolates.
app.commandLine.appendSwitch('js-flags', agentV8Flags.join(' '));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const logger = pino(
    { level: 'info', base: { service: 'harbour-agent' } },
    pino.destination({ dest: path.join(app.getPath('userData'), 'agent.log'), mkdir: true, sync: false }),
  );
  const tray = new Tray(nativeImage.createFromPath(trayIconPath()));
  tray.setToolTip('Harbour');
  // "Turn the screen off and tell" (set up once the settings are known; its item leads the menu).
  const tellRef: { current?: TellFeature } = {};
  // No Quit item: pupils must not be able to stop the agent.
  const menu = (status: AgentStatus) =>
    Menu.buildFromTemplate([
      ...(tellRef.current ? [tellMenuItem(tellRef.current), { type: 'separator' as const }] : []),
      { label: `Harbour ${harbourVersion}`, enabled: false },
      { label: statusText[status], enabled: false },
    ]);
  tray.setContextMenu(menu('starting'));
  app.on('window-all-closed', () => undefined); // a tray app keeps running without windows

  // Settings problems never stop the agent: it runs on what is valid. With no server
  // URL at all it waits, looking again every minute, until policy or the file sets one.
  let config = await machineConfig(app.getPath('userData'));
  for (const problem of config.problems)
    logger.warn({ code: problem.code, source: problem.source }, problem.message);
  while (!config.values.serverUrl) {
    tray.setToolTip(trayTooltip('starting', undefined, config.problems) + `\n${noServerText}`);
    logger.error('no server URL configured; looking again in a minute');
    await new Promise((r) => setTimeout(r, configRetryMs));
    config = await machineConfig(app.getPath('userData'));
  }
  logger.level = config.values.logLevel;

  const probes = platformProbes();
  const health = new HealthReporter(
    config.problems.map((p) => ({ code: p.code, message: p.message })),
    probes,
  );
  // Pupil screens: pages from the local UI server, full screen on every display, through the
  // one composition every shell uses (node/compose.ts): supervision included.
  const ui = new UiServer({ logger });
  const composition = composeFeatures(
    {
      overlay: new ElectronOverlay((p) => ui.entryUrl(p), logger),
      // The badge, the tray item and the shortcut are the tray app's own triggers.
      badge: null,
      registerTriggers: (tell) => {
        tellRef.current = tell;
        setUpTellTriggers(tell, (p) => ui.entryUrl(p), logger);
        tray.setContextMenu(menu('starting'));
      },
      probes: nodeShellProbes(),
    },
    // The tray and the shortcut are always there: keep the cover's windows ready, hidden.
    { ui, health, aup: true, help: true, activity: true },
  );
  await composition.open();
  const agent = new HarbourAgent(
    {
      serverUrl: config.values.serverUrl,
      dataDir: config.values.dataDir,
      agentVersion: harbourVersion,
      enrolmentToken: config.values.enrolmentToken,
      deviceName: config.values.deviceName,
      heartbeatSeconds: config.values.heartbeatSeconds,
      serverCa: readServerCa(config.values.serverCaFile, (message) => {
        throw new Error(message);
      }),
    },
    { probes, logger, features: [health, ...composition.features] },
  );
  agent.on('status', (status, detail) => {
    tray.setContextMenu(menu(status));
    tray.setToolTip(trayTooltip(status, detail, config.problems));
  });
  app.on('before-quit', () => void agent.stop().then(() => ui.stop()));
  await agent.start().catch((error: unknown) => {
    logger.error({ err: error }, 'agent failed to start');
    tray.setToolTip(trayTooltip('refused', (error as Error).message, config.problems));
  });
}

/** Packaged: resources/tray.png (electron-builder extraResources). From the repo: build/tray.png. */
function trayIconPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'tray.png')
    : fileURLToPath(new URL('../../../build/tray.png', import.meta.url));
}
