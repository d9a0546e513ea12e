import { activeWindow } from 'get-windows';
import { run } from './common.js';
import type { ForegroundProbe } from './foreground.js';

/**
 * macOS: get-windows reads the window and, for Safari and Chromium browsers, the URL
 * (it needs the Accessibility and Screen Recording permissions). Idle time from the HID
 * system's HIDIdleTime. Lock detection is not implemented yet. Not yet tried on a real Mac.
 */
export function darwinForeground(): ForegroundProbe {
  return {
    async activeWindow() {
      const w = await activeWindow({ accessibilityPermission: false, screenRecordingPermission: false });
      if (!w) return null;
      const url = 'url' in w && typeof w.url === 'string' ? w.url : null;
      return {
        app: w.owner.name || 'Unknown application',
        title: w.title || null,
        exePath: w.owner.path || null,
        pid: w.owner.processId || null,
        url,
      };
    },
    async idleSeconds() {
      const out = await run('ioreg', ['-c', 'IOHIDSystem', '-d', '4']);
      const ns = /"HIDIdleTime" = (\d+)/.exec(out ?? '')?.[1];
      return ns === undefined ? null : Number(ns) / 1e9;
    },
    locked: () => Promise.resolve(false),
    problems: async () =>
      (await activeWindow({ accessibilityPermission: false, screenRecordingPermission: false }))
        ? []
        : [
            {
              code: 'activity.macos-permissions',
              message:
                'Grant Harbour the Accessibility and Screen Recording permissions (System Settings → Privacy & Security) so it can read window titles.',
            },
          ],
  };
}
