/**
 * The tray app: a thin Electron shell over the Node core (../core). It owns only what
 * needs Electron: the single-instance lock, the tray icon and its menu. Everything else
 * (enrolment, connection, outbox, probes) is the same code the headless agent runs.
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
import { TellFeature } from '../core/tell.js';
import { UiServer } from '../core/ui-server.js';
import { grabDisplays } from '../platform/grab.js';
import { platformProbes } from '../platform/index.js';
import { ElectronOverlay } from './overlay.js';
import { setUpTellTriggers, tellMenuItem } from './tell.js';
import { machineConfig } from './machine-config.js';

const statusText: Record<AgentStatus, string> = {
  starting: 'Starting…',
  enrolling: 'Enrolling this computer…',
  connecting: 'Connecting…',
  online: 'Connected. This computer is monitored by your school.',
  offline: 'Offline. Harbour keeps working and sends reports later.',
  refused: 'This computer is not enrolled. Ask your technician.',
  stopped: 'Stopped',
};

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const config = machineConfig();
  const logger = pino(
    { level: 'info', base: { service: 'harbour-agent' } },
    pino.destination({ dest: path.join(app.getPath('userData'), 'agent.log'), mkdir: true, sync: false }),
  );
  // Pupil-facing pages (the tell cover, the help badge) come from the local UI server.
  const ui = new UiServer({ logger });
  const overlay = new ElectronOverlay((p) => ui.entryUrl(p), logger);
  const tell = new TellFeature({ grab: grabDisplays, overlay, ui });
  await ui.start();
  setUpTellTriggers(tell, (p) => ui.entryUrl(p), logger);
  const tray = new Tray(nativeImage.createFromPath(trayIconPath()));
  tray.setToolTip('Harbour');
  // No Quit item: pupils must not be able to stop the agent.
  const menu = (status: AgentStatus) =>
    Menu.buildFromTemplate([
      tellMenuItem(tell),
      { type: 'separator' },
      { label: `Harbour ${harbourVersion}`, enabled: false },
      { label: statusText[status], enabled: false },
    ]);
  tray.setContextMenu(menu('starting'));

  if (!config.serverUrl) {
    tray.setToolTip('Harbour: no server configured. Ask your technician.');
    logger.error('no server URL configured');
    return;
  }
  const agent = new HarbourAgent(
    {
      serverUrl: config.serverUrl,
      dataDir: path.join(app.getPath('userData'), 'agent'),
      agentVersion: harbourVersion,
      enrolmentToken: config.enrolmentToken,
    },
    { probes: platformProbes(), logger, features: [tell] },
  );
  agent.on('status', (status, detail) => {
    tray.setContextMenu(menu(status));
    tray.setToolTip(`Harbour: ${statusText[status]}${detail ? ` (${detail})` : ''}`);
  });
  app.on('window-all-closed', () => undefined); // a tray app keeps running without windows
  app.on('before-quit', () => void agent.stop());
  await agent.start().catch((error: unknown) => {
    logger.error({ err: error }, 'agent failed to start');
    tray.setToolTip(`Harbour: ${(error as Error).message}`);
  });
}

/** Packaged: resources/tray.png (electron-builder extraResources). From the repo: build/tray.png. */
function trayIconPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'tray.png')
    : fileURLToPath(new URL('../../../build/tray.png', import.meta.url));
}
