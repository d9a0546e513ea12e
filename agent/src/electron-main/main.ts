/**
 * The tray app: on Windows and macOS, the session helper (issue 12) in every user's
 * session. It owns only what needs Electron: the single-instance lock, the tray icon and
 * its menu, the pupils' screens as Electron windows. It holds no device credential and no
 * outbox: it reaches the machine service (the Windows service HarbourAgent, the macOS
 * LaunchDaemon) through its user's door (session/platform.ts), and the features run on
 * the service's connection through the one composition every shell uses (node/compose.ts).
 *
 * The installers start it at every user's logon (the machine-wide Run value, the
 * LaunchAgent), and the service starts it again in a session where it stopped. There is no
 * Quit item: a pupil cannot stop it from the tray.
 *
 * Electron's binary cannot be downloaded in Harbour's development environment, so this
 * file is type-checked against Electron's definitions but not run in CI.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, Menu, Tray, nativeImage, powerMonitor } from 'electron';
import pino from 'pino';
import { harbourVersion } from '@harbour/shared';
import type { AgentStatus } from '../core/agent.js';
import { agentV8Flags } from '../node/node-flags.js';
import { statusText, trayTooltip } from '../node/status-text.js';
import { withPowerMonitor } from '../platform/power-idle.js';
import { UiServer } from '../core/ui-server.js';
import { ElectronOverlay } from './overlay.js';
import type { TellFeature } from '../core/tell.js';
import { composeFeatures, nodeShellProbes } from '../node/compose.js';
import { FeatureHost, LinkedHealth } from '../session/host.js';
import { remoteContext, ServiceLink } from '../session/link.js';
import { doorOpener, serviceSocketPath, sessionFacts } from '../session/platform.js';
import { setUpTellTriggers, tellMenuItem } from './tell.js';

// The agent's V8 memory settings (node-flags.ts), before Electron starts V8's isolates.
app.commandLine.appendSwitch('js-flags', agentV8Flags.join(' '));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  const logger = pino(
    { level: 'info', base: { service: 'harbour-session' } },
    pino.destination({ dest: path.join(app.getPath('userData'), 'session.log'), mkdir: true, sync: false }),
  );
  const tray = new Tray(nativeImage.createFromPath(trayIconPath()));
  tray.setToolTip('Harbour');
  // "Turn the screen off and tell" (set up once the service has answered; its item leads the menu).
  const tellRef: { current?: TellFeature } = {};
  let status: AgentStatus = 'starting';
  // No Quit item: pupils must not be able to stop the helper.
  const menu = () =>
    Menu.buildFromTemplate([
      ...(tellRef.current ? [tellMenuItem(tellRef.current), { type: 'separator' as const }] : []),
      { label: `Harbour ${harbourVersion}`, enabled: false },
      { label: statusText[status], enabled: false },
    ]);
  const show = (next: AgentStatus) => {
    status = next;
    tray.setContextMenu(menu());
    tray.setToolTip(trayTooltip(status));
  };
  show('starting');
  app.on('window-all-closed', () => undefined); // a tray app keeps running without windows

  // The machine service holds the settings, the credential and the connection; until it
  // answers (starting at boot, being upgraded) the helper waits, trying again every few seconds.
  const link = new ServiceLink({
    socketPath: serviceSocketPath(),
    facts: sessionFacts(),
    logger,
    open: doorOpener(),
  });
  link.on('refused', (what, why) => logger.warn({ what, why }, 'session: the service refused'));
  link.on('online', (online) => show(online ? 'online' : 'offline'));
  const welcome = await link.start();
  logger.info({ user: welcome.user.username }, 'session: connected to the service');

  // Pupil screens: pages from the local UI server, full screen on every display, through the
  // one composition every shell uses (node/compose.ts): supervision included.
  const ui = new UiServer({ logger });
  const overlay = new ElectronOverlay((p) => ui.entryUrl(p), logger);
  const nodeProbes = nodeShellProbes();
  const composition = composeFeatures(
    {
      overlay,
      // The badge, the tray item and the shortcut are the tray app's own triggers.
      badge: null,
      registerTriggers: (tell) => {
        tellRef.current = tell;
        setUpTellTriggers(tell, (p) => ui.entryUrl(p), logger);
        tray.setContextMenu(menu());
      },
      // Idle and lock from powerMonitor; after an unlock (Ctrl+Alt+Del → Lock) a cover comes back on top.
      probes: {
        ...nodeProbes,
        foreground: withPowerMonitor(nodeProbes.foreground, powerMonitor, (locked) => {
          if (!locked) overlay.recover();
        }),
      },
    },
    // The tray and the shortcut are always there: keep the cover's windows ready, hidden.
    {
      ui,
      health: new LinkedHealth(link),
      aup: welcome.features.aup,
      help: true,
      activity: welcome.features.activity,
    },
  );
  const context = remoteContext(link, welcome, {
    logger,
    dataDir: path.join(app.getPath('userData'), 'session'),
  });
  const host = new FeatureHost(composition.features, context, logger);
  await composition.open();
  await host.start();
  link.on('online', (online) => {
    if (online) host.connected();
  });
  if (link.online) host.connected();
  show(link.online ? 'online' : 'offline');
  app.on('before-quit', () => {
    void composition
      .closeWindows()
      .then(() => host.stop())
      .then(() => ui.stop())
      .finally(() => link.close());
  });
}

/** Packaged: resources/tray.png (electron-builder extraResources). From the repo: build/tray.png. */
function trayIconPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'tray.png')
    : fileURLToPath(new URL('../../../build/tray.png', import.meta.url));
}
