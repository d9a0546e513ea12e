/**
 * The tray app's triggers for "turn the screen off and tell": a small always-on-top badge
 * the pupil can drag aside but not close, a big tray menu item, and a global keyboard
 * shortcut. All three call the same TellFeature.tell() in the core.
 *
 * Type-checked against Electron's definitions; Electron cannot run in Harbour's development
 * environment, so the same pages and core are proved with Chromium on Xvfb (test/e2e/tell-desktop.test.ts).
 */
import { BrowserWindow, globalShortcut, screen, type MenuItemConstructorOptions } from 'electron';
import type { Logger } from 'pino';
import type { OverlayUrl } from '../core/overlay.js';
import type { TellFeature } from '../core/tell.js';

/** Ctrl+Alt+H (Cmd+Alt+H on a Mac): "help". */
export const tellShortcut = 'CommandOrControl+Alt+H';

export function tellMenuItem(tell: TellFeature): MenuItemConstructorOptions {
  return { label: '🛟  Help! Hide my screen and tell a grown-up', click: () => void tell.tell('tray') };
}

export function setUpTellTriggers(
  tell: TellFeature,
  url: OverlayUrl,
  logger: Logger,
): { badge: BrowserWindow } {
  if (!globalShortcut.register(tellShortcut, () => void tell.tell('shortcut'))) {
    logger.warn({ accelerator: tellShortcut }, 'tell: the keyboard shortcut is taken by another program');
  }
  const size = 112;
  const area = screen.getPrimaryDisplay().workArea;
  const open = (): BrowserWindow => {
    const badge = new BrowserWindow({
      x: area.x + area.width - size - 16,
      y: area.y + area.height - size - 16,
      width: size,
      height: size,
      title: 'Harbour help',
      frame: false,
      transparent: false,
      resizable: false,
      minimizable: false,
      maximizable: false,
      closable: false,
      movable: true,
      alwaysOnTop: true,
      skipTaskbar: true,
      // Never the keyboard focus: what the pupil was using stays the active window (the report
      // names it, not "Harbour help"), and a click on the badge still reaches it.
      focusable: false,
      webPreferences: { contextIsolation: true, nodeIntegration: false, sandbox: true, devTools: false },
    });
    badge.setAlwaysOnTop(true, 'floating');
    badge.setVisibleOnAllWorkspaces(true);
    // The pupil can drag it aside (the page marks itself draggable) but not close it.
    badge.on('close', (event) => event.preventDefault());
    badge.webContents.on('render-process-gone', () => void badge.loadURL(url('/badge')));
    void badge.loadURL(url('/badge'));
    return badge;
  };
  return { badge: open() };
}
