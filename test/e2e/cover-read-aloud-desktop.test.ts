/**
 * The tell cover's speaker button for real, on Xvfb + openbox: the built server (making the
 * cover's words with espeak-ng), a real agent process with its help badge, and the pupil's
 * keyboard and mouse through XTEST (xdotool). The overlay's page is not reachable from here
 * (its DevTools channel is a pipe only the agent holds), so what the pupil would hear is
 * observed where a pupil hears it: the sound card. Chromium on a desktop without PulseAudio
 * plays through ALSA; the agent's environment points ALSA's default device at a small reader
 * that drains it at real-time speed and notes every block of samples that is not silence.
 * Screen captures prove the desktop (magenta) and the window behind (teal) never show.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '@harbour/shared';
import { ApiClient } from '../support/api.js';
import { tempDir } from '../support/paths.js';
import { AgentProcess, ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { centreOf, colourShare, XDisplay, type Capture, type Rgb } from '../support/xdisplay.js';

const desktop: Rgb = [255, 0, 255];
const otherWindow: Rgb = [0, 200, 200];
const coverColour: Rgb = [234, 244, 239]; // the cover's background (#eaf4ef)
const badgeColour: Rgb = [255, 183, 3]; // the help badge (#ffb703)
const speakerReady: Rgb = [29, 79, 145]; // .read-aloud-button (#1d4f91)
const speakerOffBorder: Rgb = [108, 117, 125]; // .read-aloud-off's border (#6c757d)
const focusRing: Rgb = [255, 191, 71]; // :focus-visible (#ffbf47)
const password = 'a long enough password';

let x: XDisplay;
/** What the window behind the cover was typed: a key that gets past the cover lands here. */
let typedBehind: string;

/** The sound card the agent's Chromium plays into: ALSA's default device, drained in real time. */
function soundCard(): { env: NodeJS.ProcessEnv; blocks: () => number } {
  const dir = tempDir('alsa');
  const heard = path.join(dir, 'heard.txt');
  const reader = path.join(dir, 'reader.py');
  // Reads what Chromium writes at about real-time speed (48 kHz, 2 channels, up to 4 bytes a
  // sample), so playback takes as long as on a real card, and notes each block that is not silence.
  fs.writeFileSync(
    reader,
    [
      'import sys, time',
      'while True:',
      '    b = sys.stdin.buffer.read(8192)',
      '    if not b:',
      '        break',
      '    if b.count(0) != len(b):',
      `        with open(${JSON.stringify(heard)}, 'a') as f:`,
      "            f.write('sound\\n')",
      '    time.sleep(len(b) / 384000)',
      '',
    ].join('\n'),
  );
  const conf = path.join(dir, 'asound.conf');
  fs.writeFileSync(
    conf,
    `</usr/share/alsa/alsa.conf>\npcm.!default { type file slave.pcm "null" file "|exec python3 ${reader}" format "raw" }\n`,
  );
  return {
    env: { ...x.env, ALSA_CONFIG_PATH: conf },
    blocks: () => (fs.existsSync(heard) ? fs.readFileSync(heard, 'utf8').split('\n').length - 1 : 0),
  };
}

/** Within 8 of `colour`. */
function near(shot: Capture, i: number, colour: Rgb): boolean {
  return (
    Math.abs((shot.rgba[i] ?? 0) - colour[0]) <= 8 &&
    Math.abs((shot.rgba[i + 1] ?? 0) - colour[1]) <= 8 &&
    Math.abs((shot.rgba[i + 2] ?? 0) - colour[2]) <= 8
  );
}

/**
 * The box drawn by a border (or focus ring) of `colour` in the top `rows` of the screen: its
 * top and bottom edges are the rows with a long run of that colour (text anti-aliased near the
 * colour never makes one), its width the longest run.
 */
function borderBox(shot: Capture, colour: Rgb, rows = shot.height): { width: number; height: number } | null {
  let top = -1;
  let bottom = -1;
  let width = 0;
  for (let y = 0; y < Math.min(rows, shot.height); y++) {
    let run = 0;
    let longest = 0;
    for (let px = 0; px < shot.width; px++) {
      run = near(shot, (y * shot.width + px) * 4, colour) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    if (longest >= 120) {
      if (top < 0) top = y;
      bottom = y;
      width = Math.max(width, longest);
    }
  }
  return top < 0 ? null : { width, height: bottom - top + 1 };
}

/** Nothing of the desktop or the window behind, and the cover filling the screen. */
function covered(shot = x.capture()): boolean {
  return (
    colourShare(shot, desktop) === 0 &&
    colourShare(shot, otherWindow) === 0 &&
    colourShare(shot, coverColour, 6) > 0.5
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** After a key: three captures over a second, each with no pixel of what the cover hides. */
async function stillCovered(what: string): Promise<void> {
  const typed = fs.existsSync(typedBehind) ? fs.readFileSync(typedBehind, 'utf8') : '';
  if (typed !== '')
    throw new Error(`after ${what}, the window behind the cover was typed: ${JSON.stringify(typed)}`);
  for (let i = 0; i < 3; i++) {
    await pause(350);
    const shot = x.capture();
    if (!covered(shot)) {
      x.snapshot(`cover-read-aloud-uncovered-${what.replace(/\W+/g, '-')}`);
      throw new Error(`the cover did not hold after ${what}`);
    }
  }
}

/** A school with a DSL, a room and one enrolled computer running the agent on the X display. */
async function school(name: string, serverEnv: Record<string, string>, agentEnv: NodeJS.ProcessEnv) {
  const server = await ServerProcess.start(tempDir(`${name}-server`), {
    HARBOUR_ADMIN_EMAIL: 'admin@school.test',
    HARBOUR_ADMIN_PASSWORD: password,
    ...serverEnv,
  });
  const admin = new ApiClient(server.url);
  await admin.login('admin@school.test', password);
  const made = await admin.json('POST', '/api/users', {
    email: 'dsl@school.test',
    displayName: 'Mrs Lead',
    role: 'dsl',
    password,
    temporaryPassword: false,
  });
  expect(made.status).toBe(201);
  const dsl = new ApiClient(server.url);
  await dsl.login('dsl@school.test', password);
  await dsl.enrolSecondFactor();
  const room = await admin.createRoom('Year 2 Oak');
  const { token } = await admin.createToken(room.id);
  const agent = new AgentProcess({
    server: server.url,
    dataDir: tempDir(`${name}-agent`),
    token,
    name: 'OAK-PC-02',
    extra: ['--help-badge'],
    env: agentEnv,
  });
  await waitFor(
    async () =>
      (await dsl.json<{ devices: { online: boolean }[] }>('GET', '/api/devices')).body.devices.some(
        (d) => d.online,
      ),
    { timeoutMs: 30_000, what: `the agent online\n${agent.output}` },
  );
  return { server, dsl, agent };
}

/** The pupil presses the help badge (XTEST) and the cover comes. */
async function raiseCover(agent: AgentProcess): Promise<void> {
  const at = await waitFor(() => centreOf(x.capture(), badgeColour), {
    timeoutMs: 60_000,
    what: `the help badge\n${agent.output.slice(-2000)}`,
  });
  await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
  await waitFor(() => covered(), { timeoutMs: 30_000, intervalMs: 100, what: 'the cover' });
}

async function stop(s: { server: ServerProcess; agent: AgentProcess } | undefined): Promise<void> {
  await s?.agent.kill('SIGTERM');
  await s?.agent.exited();
  await s?.server.stop();
}

beforeAll(async () => {
  x = await XDisplay.start('1024x700');
  await x.run('xsetroot', ['-solid', '#ff00ff']);
  // The window the pupil had open: a terminal writing every line typed into it to a file.
  typedBehind = path.join(tempDir('behind'), 'typed.txt');
  x.launch('xterm', [
    '-bg',
    '#00c8c8',
    '-fg',
    '#00c8c8',
    '-geometry',
    '90x28+150+120',
    '-e',
    'sh',
    '-c',
    `stty -icanon; exec cat > ${typedBehind}`,
  ]);
  await waitFor(() => colourShare(x.capture(), otherWindow) > 0.2, {
    timeoutMs: 15_000,
    what: 'the teal window',
  });
  // The check can fail: keys typed into the window behind (before any cover) reach the file.
  const at = centreOf(x.capture(), otherWindow)!;
  await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
  await waitFor(
    async () => {
      await x.run('xdotool', ['key', 'h', 'i']);
      return fs.existsSync(typedBehind) && fs.readFileSync(typedBehind, 'utf8').includes('hi');
    },
    { timeoutMs: 15_000, what: 'keys typed into the window behind' },
  );
  fs.truncateSync(typedBehind);
});

afterAll(async () => {
  await x?.stop();
});

// The keys a curious or upset pupil tries: to close, switch, leave full screen, reach the
// address bar, the desktop's menu, the X server's "zap", a text console, and mashing the button.
const sweep = [
  'Escape',
  'alt+F4',
  'alt+Tab',
  'ctrl+w',
  'ctrl+l',
  'F11',
  'super',
  'ctrl+alt+BackSpace',
  'ctrl+alt+Delete',
  'ctrl+alt+F1',
  'ctrl+q',
  'alt+Left',
  'Return Return Return Return Return',
  'space space space space space',
];

describe('the cover reads itself aloud on a real X display', () => {
  let s: Awaited<ReturnType<typeof school>> | undefined;
  let card: ReturnType<typeof soundCard>;

  beforeAll(async () => {
    card = soundCard();
    s = await school('cover-voice', {}, card.env);
  }, 120_000);

  afterAll(() => stop(s));

  it('Tab reaches the speaker button; Enter plays the cover’s words through the sound card', async () => {
    await raiseCover(s!.agent);
    // The server's audio reaches the page: the button turns from "getting ready" to its colour.
    await waitFor(() => centreOf(x.capture(), speakerReady), {
      timeoutMs: 60_000,
      what: `the speaker button ready\n${s!.agent.output.slice(-2000)}`,
    });
    x.snapshot('cover-read-aloud-ready');
    expect(card.blocks()).toBe(0); // nothing plays until the pupil asks
    expect(colourShare(x.capture(), focusRing, 8)).toBe(0);
    await x.run('xdotool', ['key', 'Tab']);
    await waitFor(() => colourShare(x.capture(), focusRing, 8) > 0, { what: 'the focus ring on a control' });
    x.snapshot('cover-read-aloud-focused');
    // The ring is on the speaker button: it is drawn round the button's blue.
    const ring = borderBox(x.capture(), focusRing, 200)!;
    const button = borderBox(x.capture(), speakerReady, 200)!;
    expect(Math.abs(ring.width - button.width)).toBeLessThan(30);
    await x.run('xdotool', ['key', 'Return']);
    await waitFor(() => card.blocks() > 5, {
      timeoutMs: 20_000,
      what: 'the cover’s words on the sound card',
    });
    // It plays to its end and stops there: the card goes quiet.
    let last = -1;
    await waitFor(
      async () => {
        const now = card.blocks();
        const quiet = now === last;
        last = now;
        if (!quiet) await pause(1500);
        return quiet;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'the reading to end' },
    );
    await stillCovered('the reading');
  }, 180_000);

  it('a click through X plays it again', async () => {
    const before = card.blocks();
    const at = centreOf(x.capture(), speakerReady)!;
    await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
    await waitFor(() => card.blocks() > before + 5, { timeoutMs: 20_000, what: 'the words again' });
    await stillCovered('the click');
  });

  it('with the button focused and playing, no key gets past the cover', async () => {
    for (const keys of sweep) {
      // Focus and sound back on the speaker button before each key: click it (plays, or stops
      // if it was still playing: then click again).
      const at = await waitFor(() => centreOf(x.capture(), speakerReady), { what: 'the speaker button' });
      const before = card.blocks();
      await x.run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1']);
      await pause(600);
      if (card.blocks() <= before + 1) await x.run('xdotool', ['click', '1']);
      await x.run('xdotool', ['key', '--delay', '80', ...keys.split(' ')]);
      await stillCovered(keys);
    }
    x.snapshot('cover-read-aloud-after-keys');
    // Still the cover with its button: no key lifted it or broke the page.
    expect(centreOf(x.capture(), speakerReady)).not.toBeNull();
  }, 240_000);

  it('the adults’ way still lifts it, and the captures see the desktop again (the check can fail)', async () => {
    const { body } = await s!.dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents');
    expect(body.incidents).toHaveLength(1);
    const res = await s!.dsl.json('POST', `/api/tell/${body.incidents[0]!.id}/release`, {});
    expect(res.status).toBe(200);
    await waitFor(() => colourShare(x.capture(), otherWindow) > 0.2, {
      timeoutMs: 30_000,
      what: 'the teal window after the release',
    });
    expect(covered()).toBe(false);
  });
});

describe('when the server has no speech engine', () => {
  let s: Awaited<ReturnType<typeof school>> | undefined;
  let card: ReturnType<typeof soundCard>;

  beforeAll(async () => {
    card = soundCard();
    // espeak-ng is found on PATH: a PATH without it is a server without a speech engine.
    s = await school('cover-mute', { PATH: tempDir('no-speech-engine') }, card.env);
  }, 120_000);

  afterAll(() => stop(s));

  it('the button says reading aloud is unavailable, pressing it does nothing, and the cover holds', async () => {
    await raiseCover(s!.agent);
    // No OCR here: the words are told apart by the size of the grey button at the top of the
    // cover. "Getting the voice ready…" is about 370 px wide at 1024 px; the sentence that says
    // reading aloud is not available and to ask a grown-up fills its 30rem (about 600 px).
    const box = await waitFor(
      () => {
        const b = borderBox(x.capture(), speakerOffBorder, 200);
        return b && b.width > 480 ? b : null;
      },
      {
        timeoutMs: 60_000,
        what: `the speaker button saying it is unavailable\n${s!.agent.output.slice(-2000)}`,
      },
    );
    x.snapshot('cover-read-aloud-unavailable');
    expect(box.height).toBeGreaterThan(55);
    expect(centreOf(x.capture(), speakerReady)).toBeNull();
    // Still in the Tab order (a pupil who reaches it hears why from a screen reader), and inert.
    await x.run('xdotool', ['key', 'Tab']);
    await waitFor(() => colourShare(x.capture(), focusRing, 8) > 0, { what: 'the focus ring' });
    for (const keys of ['Return', 'space', 'Escape', 'alt+F4', 'alt+Tab', 'ctrl+w', 'super']) {
      await x.run('xdotool', ['key', keys]);
      await stillCovered(`${keys} on the unavailable button`);
    }
    expect(card.blocks()).toBe(0);
  }, 180_000);
});
