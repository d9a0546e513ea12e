import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { colourShare, XDisplay, type Rgb } from '../support/xdisplay.js';

// The AUP gate for real: the built server, a real agent process (`--overlay chromium`) on
// Xvfb + openbox, and screen captures. The desktop is magenta and a teal window is open
// before the agent starts; until "I agree" neither colour may appear anywhere on screen,
// whatever the keyboard and mouse do. After it, the desktop is back.

const desktop: Rgb = [255, 0, 255];
const otherWindow: Rgb = [0, 200, 200];
const aupBackground: Rgb = [238, 246, 251];

const adminEmail = 'head@school.test';
const password = 'a long enough password';

let x: XDisplay;
let server: ServerProcess;
let admin: ApiClient;
let agent: AgentProcess | undefined;
const savedDisplay = process.env.DISPLAY;

beforeAll(async () => {
  x = await XDisplay.start('1024x768');
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  x.launch('xmessage', ['-bg', '#00c8c8', '-geometry', '700x500+150+120', 'A window the pupil opened first']);
  await waitFor(() => colourShare(x.capture(), otherWindow) > 0.2, {
    timeoutMs: 15_000,
    what: 'the teal window',
  });
  server = await ServerProcess.start(tempDir('aup-gate-server'), {
    HARBOUR_ADMIN_EMAIL: adminEmail,
    HARBOUR_ADMIN_PASSWORD: password,
  });
  admin = new ApiClient(server.url);
  await admin.login(adminEmail, password);
});

afterAll(async () => {
  await agent?.kill('SIGTERM');
  await server?.stop();
  await x?.stop();
  if (savedDisplay === undefined) delete process.env.DISPLAY;
  else process.env.DISPLAY = savedDisplay;
});

const onlyAup = () => {
  const shot = x.capture();
  return (
    colourShare(shot, aupBackground, 6) > 0.3 &&
    colourShare(shot, desktop) === 0 &&
    colourShare(shot, otherWindow) === 0
  );
};
const waitAupOnly = (what: string) => waitFor(onlyAup, { timeoutMs: 30_000, intervalMs: 250, what });
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('the AUP gate on a real X display', () => {
  it('covers the screen at logon with nothing else visible', async () => {
    const room = await admin.createRoom('Year 6 Ash');
    const { token } = await admin.createToken(room.id);
    // The agent process (and the Chromium it starts) runs on the test's X display.
    process.env.DISPLAY = x.display;
    agent = new AgentProcess({
      server: server.url,
      token,
      dataDir: tempDir('aup-gate-agent'),
      name: 'ASH-PC-01',
      extra: ['--aup', 'on'],
    });
    await waitAupOnly('the AUP to cover the screen');
    x.snapshot('aup-gate-shown');
  });

  it('Escape, Alt+F4, Alt+Tab and Ctrl+W do not get past it', async () => {
    for (const key of ['Escape', 'alt+F4', 'alt+Tab', 'ctrl+w']) {
      await x.run('xdotool', ['key', key]);
      await settle();
      await waitAupOnly(`the AUP after ${key}`);
    }
  });

  it('clicking elsewhere does not get past it', async () => {
    await x.run('xdotool', ['mousemove', '3', '3', 'click', '1', 'mousemove', '1020', '760', 'click', '3']);
    await settle();
    await waitAupOnly('the AUP after clicks');
  });

  it('closing the kiosk window does not get past it', async () => {
    await x.run('xdotool', ['getactivewindow', 'windowkill']);
    await settle();
    await waitAupOnly('the AUP after its window was killed');
    x.snapshot('aup-gate-after-bypass-attempts');
  });

  it('keys pressed around the speaker button ("Read it to me") do not get past it', async () => {
    // From the heading, Tab reaches the speaker button; Enter and Space play or stop the reading
    // (or, where it is unavailable, do nothing); then the keys a curious pupil tries next.
    await settle();
    await x.run('xdotool', ['mousemove', '100', '125', 'click', '1']);
    await settle();
    await x.run('xdotool', ['key', 'Tab', 'Return']);
    await settle();
    await waitAupOnly('the AUP after pressing the speaker button');
    for (const key of ['space', 'shift+Tab', 'Escape', 'alt+F4', 'ctrl+w', 'alt+Left', 'F11', 'super']) {
      await x.run('xdotool', ['key', key]);
      await settle();
      await waitAupOnly(`the AUP after ${key} beside the speaker button`);
    }
    x.snapshot('aup-gate-speaker-keys');
  });

  it('"I agree", with the keyboard alone, gives the desktop back and lands in the register', async () => {
    // The page starts at its heading: Tab to "Read it to me", Tab to "I agree", Enter. The clicks
    // above moved the focus to the page's body (the language buttons come first from there):
    // a click on the heading puts it back where a pupil who never clicked has it.
    await settle();
    await x.run('xdotool', ['mousemove', '100', '125', 'click', '1']);
    await settle();
    await x.run('xdotool', ['key', 'Tab', 'Tab', 'Return']);
    await waitFor(
      () => {
        const shot = x.capture();
        return colourShare(shot, desktop) > 0.05 && colourShare(shot, aupBackground, 6) < 0.01;
      },
      { timeoutMs: 20_000, what: 'the desktop after "I agree"' },
    );
    x.snapshot('aup-gate-after-agree');
    const rows = await waitFor(async () => {
      const { body } = await admin.json<{
        entries: { username: string; decision: string; version: number }[];
      }>('GET', '/api/aup/register');
      return body.entries.length > 0 ? body.entries : null;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ username: os.userInfo().username, decision: 'accepted', version: 1 });
    // And it stays away: the same user is not asked again.
    await settle();
    expect(colourShare(x.capture(), aupBackground, 6)).toBeLessThan(0.01);
  });
});
