/**
 * The foreground-window probe over one X connection (issue 15 item 5), on a real X display
 * (Xvfb + openbox): a window switch or a title change is known at once from X events, titles
 * arrive intact whatever their characters ("=" included, which get-windows' xprop parsing
 * blanked), idle time comes from MIT-SCREEN-SAVER, and no program is started to find out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X11Desktop } from '../../agent/src/platform/x11/desktop.js';
import { linuxForeground } from '../../agent/src/platform/foreground-linux.js';
import { X11Foreground } from '../../agent/src/platform/x11/foreground.js';
import { waitFor } from '../support/wait.js';
import { XDisplay } from '../support/xdisplay.js';

let x: XDisplay;
let desktop: X11Desktop;
let probe: X11Foreground;
const windows: string[] = [];

/** This process's child processes, from /proc (a probe that spawns would show here). */
function children(): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid)
        out.push(fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // gone
    }
  }
  return out;
}

beforeAll(async () => {
  x = await XDisplay.start('800x600');
  for (const [i, colour] of ['#223344', '#443322'].entries()) {
    x.launch('xmessage', ['-bg', colour, '-geometry', `300x200+${50 + i * 350}+50`, `window ${i}`]);
    const id = await waitFor(
      async () =>
        (await x.run('xdotool', ['search', '--name', `^xmessage$`]).catch(() => ''))
          .split('\n')
          .filter(Boolean)[i],
      { timeoutMs: 15_000, what: `xmessage ${i}` },
    );
    windows.push(id);
  }
  desktop = new X11Desktop(pino({ level: 'silent' }), x.display);
  probe = new X11Foreground({ desktop });
});

afterAll(async () => {
  probe?.close();
  desktop?.close();
  await x?.stop();
});

describe('the X11 foreground probe', () => {
  it('knows the active window, and a switch the moment it happens', async () => {
    await x.run('xdotool', ['windowactivate', '--sync', windows[0]!]);
    await waitFor(async () => (await probe.activeWindow())?.app === 'Xmessage', { what: 'the first window' });
    let changes = 0;
    const off = probe.onChange(() => changes++);
    const started = performance.now();
    await x.run('xdotool', ['windowactivate', '--sync', windows[1]!]);
    await waitFor(() => changes > 0, { timeoutMs: 5000, intervalMs: 1, what: 'the change event' });
    console.log(
      `x11 foreground: switch to event ${Math.round(probe.lastChangeAt - started)} ms (xdotool included)`,
    );
    expect(await probe.activeWindow()).toMatchObject({ app: 'Xmessage', title: 'xmessage' });
    off();
  });

  it('reads titles with any character intact: "=", quotes, Welsh, emoji, and follows a title change', async () => {
    // WM_NAME (Latin-1), as xdotool and older toolkits set it.
    const latin = 'maths = fun; a="b" é \\ end=';
    let changes = 0;
    const off = probe.onChange(() => changes++);
    await x.run('xdotool', ['set_window', '--name', latin, windows[1]!]);
    await waitFor(() => changes > 0, { timeoutMs: 5000, intervalMs: 5, what: 'the title change event' });
    await waitFor(async () => (await probe.activeWindow())?.title === latin, {
      timeoutMs: 5000,
      what: `the title ${latin}`,
    });
    // _NET_WM_NAME (UTF-8), as GTK, Qt and browsers set it; an application stands in here.
    const utf8 = 'Year 4 = Romans ŵ ŷ 🌊 "quoted" =';
    const conn = await desktop.connection();
    const [name, type] = await Promise.all([conn.atom('_NET_WM_NAME'), conn.atom('UTF8_STRING')]);
    conn.X.ChangeProperty(0, Number(windows[1]), name, type, 8, Buffer.from(utf8, 'utf8'));
    await waitFor(async () => (await probe.activeWindow())?.title === utf8, {
      timeoutMs: 5000,
      what: `the title ${utf8}`,
    });
    off();
  });

  it('reports idle time from the X server, reset by input', async () => {
    await new Promise((r) => setTimeout(r, 1200));
    const idle = await probe.idleSeconds();
    expect(idle).toBeGreaterThanOrEqual(1);
    await x.run('xdotool', ['mousemove', '10', '10', 'mousemove', '20', '20']);
    expect(await probe.idleSeconds()).toBeLessThan(1);
  });

  it('starts no program to answer: 200 questions, no child process', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      await Promise.all([probe.activeWindow(), probe.idleSeconds(), probe.locked()]);
      if (i % 2 === 0) await x.run('xdotool', ['windowactivate', windows[i % 4 === 0 ? 0 : 1]!]);
      for (const c of children()) if (!/xdotool|Xvfb|openbox|xmessage/.test(c)) seen.add(c);
    }
    expect([...seen]).toEqual([]);
  });

  it('asks logind whether the session is locked only once the display has gone quiet', async () => {
    let asked = 0;
    const quiet = new X11Foreground({
      desktop,
      locked: () => {
        asked++;
        return Promise.resolve(true);
      },
      lockedEveryMs: 1000,
    });
    try {
      // Someone is working: input within the last second, so logind is not asked.
      for (let i = 0; i < 10; i++) {
        await x.run('xdotool', ['mousemove', String(30 + i), '30']);
        expect(await quiet.locked()).toBe(false);
      }
      expect(asked).toBe(0);
      // The display goes quiet (a lock screen takes the input): now logind is asked.
      await new Promise((r) => setTimeout(r, 1300));
      expect(await quiet.locked()).toBe(true);
      expect(asked).toBe(1);
      // Input again: unlocked, and no more questions.
      await x.run('xdotool', ['mousemove', '60', '60']);
      expect(await quiet.locked()).toBe(false);
      expect(asked).toBe(1);
    } finally {
      quiet.close();
    }
  });

  it('in a logind session (XDG_SESSION_ID set) starts no program while the display is in use', async () => {
    // loginctl on the PATH is a script that notes each start: a start that ends before
    // /proc could be read is still seen.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-loginctl-'));
    const starts = path.join(dir, 'starts');
    fs.writeFileSync(path.join(dir, 'loginctl'), `#!/bin/sh\necho "$@" >> '${starts}'\necho no\n`, {
      mode: 0o755,
    });
    const pathBefore = process.env.PATH;
    process.env.PATH = `${dir}:${pathBefore}`;
    const inSession = linuxForeground({ DISPLAY: x.display, XDG_SESSION_ID: '7' }, desktop);
    try {
      for (let i = 0; i < 60; i++) {
        await x.run('xdotool', ['mousemove', String(40 + (i % 20)), '40']);
        await Promise.all([inSession.activeWindow(), inSession.idleSeconds(), inSession.locked()]);
      }
      expect(fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8') : '').toBe('');
    } finally {
      process.env.PATH = pathBefore;
      inSession.close?.();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a window that is not managed (override-redirect, like Harbour’s screens) is never the active one', async () => {
    const before = await probe.activeWindow();
    // xdotool cannot make one; an override-redirect window of our own connection stands in.
    const conn = await desktop.connection();
    const wid = conn.X.AllocID();
    conn.X.CreateWindow(wid, conn.root, 0, 0, 200, 200, 0, 0, 1, 0, {
      overrideRedirect: true,
      backgroundPixel: 0,
    });
    conn.X.MapWindow(wid);
    await conn.X.sync();
    await new Promise((r) => setTimeout(r, 300));
    expect(await probe.activeWindow()).toEqual(before);
    conn.X.DestroyWindow(wid);
  });
});
