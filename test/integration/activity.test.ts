import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityInterval, Flag, Watchlist } from '@harbour/shared';
import { ActivityFeature } from '../../agent/src/core/activity/feature.js';
import { readBridgeInfo } from '../../agent/src/core/activity/bridge-paths.js';
import { HealthReporter } from '../../agent/src/node/health-feature.js';
import { HarbourAgent } from '../../agent/src/core/agent.js';
import { captureDisplays } from '../../agent/src/platform/capture.js';
import { foregroundProbe, type ForegroundProbe } from '../../agent/src/platform/foreground.js';
import { linuxForeground } from '../../agent/src/platform/foreground-linux.js';
import { platformProbes } from '../../agent/src/platform/index.js';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { readEvidence } from '../../dashboard/src/server/features/evidence/index.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { repoRoot, tempDir } from '../support/paths.js';
import { decodePng, distinctColours } from '../support/png.js';
import { connected, dashboardSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';
import { XDisplay } from '../support/xdisplay.js';

// The agent's activity feature against a real X display (Xvfb + openbox, real xterm windows),
// the real server on a real database file, and the real browser bridge and native host.

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let admin: ApiClient;
let roomId: string;
let x: XDisplay;
const agents: HarbourAgent[] = [];
const windows: ChildProcess[] = [];
const savedDisplay = process.env.DISPLAY;

function openXterm(title: string): ChildProcess {
  const proc = spawn('xterm', ['-T', title, '-geometry', '80x24+10+10', '-e', 'sleep 600'], {
    env: x.env,
    stdio: 'ignore',
  });
  windows.push(proc);
  return proc;
}

function xdotool(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('xdotool', args, { env: x.env }, (error, stdout) =>
      error ? reject(new Error(error.message)) : resolve(stdout),
    ),
  );
}

function xprop(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('xprop', args, { env: x.env }, (error, stdout) =>
      error ? reject(new Error(error.message)) : resolve(stdout),
    ),
  );
}

async function activate(title: string): Promise<void> {
  await waitFor(async () => (await xdotool('search', '--name', title)).trim() !== '', {
    what: `window "${title}"`,
  }).catch(() => undefined);
  const ids = (await xdotool('search', '--name', title)).trim().split('\n');
  await xdotool('windowactivate', '--sync', ids[0] ?? '');
}

async function startAgent(options: { name: string; probe?: ForegroundProbe; bridgeDir?: string }) {
  const { token } = await admin.createToken(roomId);
  // Health goes to the server the way the real agent sends it: through its HealthReporter.
  const health = new HealthReporter();
  const feature = new ActivityFeature({
    probe: options.probe ?? foregroundProbe(),
    capture: captureDisplays,
    bridgeDir: options.bridgeDir ?? tempDir('bridge'),
    health,
    // This test process is the agent and also starts the pupil's windows (xterms); a real
    // agent never starts a pupil's programs, so only what it starts counts as Harbour's own
    // (test/e2e/activity.test.ts checks that with a real agent process and its covers).
    ownProcess: () => false,
  });
  const agent = new HarbourAgent(
    {
      serverUrl: harbour.url,
      dataDir: tempDir('agent'),
      agentVersion: '0.1.0',
      enrolmentToken: token,
      deviceName: options.name,
    },
    { probes: platformProbes(), logger: pino({ level: 'silent' }), features: [health, feature] },
  );
  agents.push(agent);
  const { deviceId } = await agent.start();
  return { agent, feature, deviceId };
}

const dayRange = () => {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 3600_000).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
};

async function timeline(deviceId: string): Promise<ActivityInterval[]> {
  const res = await admin.json<{ intervals: ActivityInterval[] }>(
    'GET',
    `/api/activity?deviceId=${deviceId}&${dayRange()}`,
  );
  expect(res.status).toBe(200);
  return res.body.intervals;
}

async function flagsOf(deviceId: string): Promise<Flag[]> {
  const res = await admin.json<{ flags: Flag[] }>('GET', `/api/flags?deviceId=${deviceId}`);
  return res.body.flags;
}

beforeAll(async () => {
  x = await XDisplay.start();
  process.env.DISPLAY = x.display;
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  admin = clients.admin;
  roomId = (await admin.createRoom('Year 6 Ash')).id;
  // The teacher supervises this room (a teacher reads only the activity of rooms they supervise).
  const teacher = await clients.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
  expect(
    (await admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [teacher.body.user.id] })).status,
  ).toBe(200);
  // Monitor at all hours (the default is the school day) and sample every second.
  const settings = await admin.json('PUT', '/api/activity/settings', {
    sampleSeconds: 1,
    idleSeconds: 3600,
    privateWindows: 'domainOnly',
    retentionDays: 30,
    schedule: null,
  });
  expect(settings.status).toBe(200);
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  for (const w of windows) w.kill('SIGKILL');
  await harbour?.close();
  await x?.stop();
  process.env.DISPLAY = savedDisplay;
});

describe('the active window on a real X display', () => {
  it('reports the foreground application and title, and only changes, live to a watching teacher', async () => {
    openXterm('Harbour spelling practice');
    openXterm('Harbour maths practice');
    // Both windows must be up before choosing one: a window that maps later takes the focus.
    await activate('Harbour maths practice');
    await activate('Harbour spelling practice');
    const { deviceId } = await startAgent({ name: 'ASH-01' });

    const dash = await connected(dashboardSocket(harbour.url, clients.teacher.cookieHeader));
    const seen: string[] = [];
    dash.on('activity:changes', ({ changes }) => {
      for (const a of changes) if (a.deviceId === deviceId && a.title) seen.push(a.title);
    });
    const watched = await dash.emitWithAck('activity:watch', { roomId });
    expect(watched.ok).toBe(true);

    await waitFor(
      async () => (await timeline(deviceId)).some((i) => i.title === 'Harbour spelling practice'),
      {
        what: 'the first window in the timeline',
      },
    );
    await activate('Harbour maths practice');
    await waitFor(() => seen.includes('Harbour maths practice'), {
      what: 'the live push of the switch',
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 2500)); // several samples of the same window

    const intervals = (await timeline(deviceId)).filter((i) => i.state === 'active');
    const titles = intervals.map((i) => i.title);
    expect(titles).toEqual(['Harbour spelling practice', 'Harbour maths practice']);
    expect(intervals[0]).toMatchObject({ app: 'XTerm', url: null, domain: null });
    expect(intervals[0]?.end).toBe(intervals[1]?.start);
    expect(intervals[1]?.end).toBeNull();
    dash.close();
  });

  it('reads of the timeline are audited', async () => {
    const { deviceId } = await startAgent({ name: 'ASH-02' });
    await timeline(deviceId);
    const after = await harbour.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'activity.read')
      .where('subject', '=', deviceId)
      .execute();
    expect(after).toHaveLength(1);
    expect(after[0]?.actor).toBe(
      (
        await harbour.db
          .selectFrom('users')
          .select('id')
          .where('email', '=', 'admin@school.test')
          .executeTakeFirstOrThrow()
      ).id,
    );
  });

  it('sends nothing about windows while the screen is locked', async () => {
    // The real probe, except that the lock screen is up (Xvfb has no lock screen to show).
    const real = foregroundProbe();
    let locked = false;
    const probe: ForegroundProbe = { ...real, locked: () => Promise.resolve(locked) };
    openXterm('Harbour secret diary');
    await activate('Harbour secret diary');
    const { deviceId } = await startAgent({ name: 'ASH-03', probe });
    await waitFor(async () => (await timeline(deviceId)).some((i) => i.title === 'Harbour secret diary'));
    locked = true;
    await waitFor(async () => (await timeline(deviceId)).at(-1)?.state === 'locked', { what: 'locked' });
    const last = (await timeline(deviceId)).at(-1);
    expect(last).toMatchObject({ state: 'locked', app: null, title: null, url: null, domain: null });
    const events = await harbour.db
      .selectFrom('agent_events')
      .select('body')
      .where('device_id', '=', deviceId)
      .where('type', '=', 'activity.changed')
      .execute();
    const lockedBodies = events.map((e) => JSON.parse(e.body) as { state: string; window: unknown });
    for (const b of lockedBodies.filter((b) => b.state === 'locked')) expect(b.window).toBeNull();
  });

  it('reports missing prerequisites as a device health problem, and clears them when fixed', async () => {
    // An X display that cannot be reached (the probe reads X events over its own connection).
    const broken = linuxForeground({ ...process.env, DISPLAY: ':987' });
    const { deviceId } = await startAgent({ name: 'ASH-04', probe: broken });
    const health = await waitFor(async () => {
      const res = await clients.technician.json<{ problems: { code: string; message: string }[] }>(
        'GET',
        `/api/device-health?deviceId=${deviceId}`,
      );
      return res.body.problems.length > 0 ? res.body.problems : undefined;
    });
    expect(health.map((p) => p.code)).toEqual(expect.arrayContaining(['activity.no-display']));
    expect(health.find((p) => p.code === 'activity.no-display')?.message).toMatch(/cannot be reached/);
    // Teachers do not see technical health data.
    expect((await clients.teacher.request('GET', '/api/device-health')).status).toBe(403);
  });
});

describe('who may read it', () => {
  it('a teacher reads the timeline of the rooms they supervise only; unassigned, the same device shows them nothing', async () => {
    const [device] = await admin.devices(roomId);
    expect(device).toBeDefined();
    const url = `/api/activity?deviceId=${device!.id}&${dayRange()}`;
    const teacherSees = async () =>
      (await clients.teacher.json<{ intervals: ActivityInterval[] }>('GET', url)).body.intervals.length;
    const adminSees = (await admin.json<{ intervals: ActivityInterval[] }>('GET', url)).body.intervals.length;
    expect(adminSees).toBeGreaterThan(0);
    expect(await teacherSees()).toBe(adminSees);

    const me = await clients.teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
    expect((await admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [] })).status).toBe(200);
    try {
      expect(await teacherSees()).toBe(0);
      const dash = await connected(dashboardSocket(harbour.url, clients.teacher.cookieHeader));
      try {
        expect(await dash.emitWithAck('activity:watch', { roomId })).toMatchObject({
          ok: false,
          error: { code: 'forbidden' },
        });
      } finally {
        dash.close();
      }
    } finally {
      await admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [me.body.user.id] });
    }
  });
});

describe('watch lists on the agent', () => {
  it('a watched title raises one flag, at once, with a real capture of the screen', async () => {
    // The agents of earlier tests watch the same display as the same OS user: to the server
    // that is one pupil on several computers, whose repeat hits join one flag (issue 15 item 2).
    // This test is about one computer, so it is the only one running.
    for (const running of agents.splice(0)) await running.stop();
    const entry = await admin.json<{ id: string }>('POST', '/api/watchlists/entries', {
      kind: 'keyword',
      pattern: 'Volcano Danger',
      category: 'violence',
      severity: 'high',
    });
    expect(entry.status).toBe(201);
    openXterm('Harbour homework');
    await activate('Harbour homework');
    const { deviceId } = await startAgent({ name: 'ASH-05' });
    const dash = await connected(dashboardSocket(harbour.url, clients.teacher.cookieHeader));
    await dash.emitWithAck('activity:watch', { roomId });
    const live = new Promise<Flag>((resolve) =>
      dash.on('flag:raised', (f) => {
        if (f.deviceId === deviceId) resolve(f);
      }),
    );
    await waitFor(async () => (await timeline(deviceId)).length > 0);

    openXterm('All about volcano-danger zones');
    await activate('All about volcano-danger zones');
    const flag = await live;
    expect(flag).toMatchObject({
      category: 'violence',
      severity: 'high',
      where: 'title',
      app: 'XTerm',
      title: 'All about volcano-danger zones',
      hostname: 'ASH-05',
    });
    expect(flag.evidence.length).toBeGreaterThan(0);
    const shot = await readEvidence(harbour.db, harbour.evidenceDir, flag.evidence[0]?.sha256 ?? '');
    expect(shot?.mime).toBe('image/png');
    const image = decodePng(shot?.bytes ?? Buffer.alloc(0));
    expect(image.width).toBe(1280);
    expect(distinctColours(image)).toBeGreaterThan(2); // not a blank capture

    // Staying on the page does not flood: still one flag after several samples.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await flagsOf(deviceId)).toHaveLength(1);
    // Leaving and coming back is a new visit, but the same concern: an occurrence of the
    // first flag, with its own screenshot, not a second flag (issue 15 item 2).
    await activate('Harbour homework');
    await waitFor(async () => (await timeline(deviceId)).at(-1)?.title === 'Harbour homework');
    await activate('All about volcano-danger zones');
    // Not a speed check (the benchmark measures that): on a loaded machine the capture and
    // its upload before the flag can take a while.
    await waitFor(async () => (await flagsOf(deviceId))[0]?.occurrences === 2, {
      timeoutMs: 90_000,
      what: 'the second visit joined to the first flag',
    });
    expect(await flagsOf(deviceId)).toHaveLength(1);
    const one = await admin.json<Flag>('GET', `/api/flags/${flag.id}`);
    expect(one.body.repeats).toHaveLength(1);
    expect(one.body.repeats?.[0]?.evidence.length).toBeGreaterThan(0);
    dash.close();
  }, 180_000);

  it('a technician cannot watch a room’s activity or flags', async () => {
    const dash = await connected(dashboardSocket(harbour.url, clients.technician.cookieHeader));
    const result = await dash.emitWithAck('activity:watch', { roomId });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    dash.close();
  });
});

describe('the browser bridge', () => {
  it('joins the browser extension’s tab to the foreground window, through the real native host', async () => {
    const bridgeDir = tempDir('bridge');
    // A foreground window that is a browser: xterm with a browser's class name stands in for its title bar.
    const browserWindow = spawn(
      'xterm',
      ['-class', 'Chromium', '-T', 'Chromium', '-geometry', '80x24+40+40', '-e', 'sleep 600'],
      { env: x.env, stdio: 'ignore' },
    );
    windows.push(browserWindow);
    await activate('Chromium');
    const { deviceId } = await startAgent({ name: 'ASH-06', bridgeDir });

    const host = spawn(process.execPath, [path.join(repoRoot, 'agent/dist/node/native-host.js')], {
      env: { ...process.env, HARBOUR_BRIDGE_DIR: bridgeDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    windows.push(host);
    // The browser starts the native host, so the browser's process owns the window: make the
    // stand-in window this test process's (the host's parent) as Chromium's would be.
    const windowId = (await xdotool('search', '--class', 'Chromium')).trim().split('\n')[0] ?? '';
    await xprop('-id', windowId, '-f', '_NET_WM_PID', '32c', '-set', '_NET_WM_PID', String(process.pid));
    await xdotool('set_window', '--name', 'Volcanoes - KS2 Geography - Chromium', windowId);
    const frame = (message: unknown) => {
      const body = Buffer.from(JSON.stringify(message));
      const header = Buffer.alloc(4);
      header.writeUInt32LE(body.length);
      return Buffer.concat([header, body]);
    };
    host.stdin.write(frame({ type: 'hello', browser: 'chromium', extensionVersion: '0.1.0' }));
    host.stdin.write(
      frame({
        type: 'tab',
        browser: 'chromium',
        focused: true,
        url: 'https://www.bbc.co.uk/bitesize/topics/volcanoes',
        title: 'Volcanoes - KS2 Geography',
        incognito: false,
        at: Date.now(),
      }),
    );
    const found = await waitFor(
      async () =>
        (await timeline(deviceId)).find((i) => i.url === 'https://www.bbc.co.uk/bitesize/topics/volcanoes'),
      { what: 'the tab in the timeline' },
    );
    expect(found).toMatchObject({ app: 'Chromium', title: 'Volcanoes - KS2 Geography', domain: 'bbc.co.uk' });

    // A private window: the domain only, as the school's setting says.
    await xdotool('set_window', '--name', 'Private page - Chromium', windowId);
    host.stdin.write(
      frame({
        type: 'tab',
        browser: 'chromium',
        focused: true,
        url: 'https://www.example.org/private-page',
        title: 'Private page',
        incognito: true,
        at: Date.now(),
      }),
    );
    const hidden = await waitFor(async () =>
      (await timeline(deviceId)).find((i) => i.domain === 'example.org'),
    );
    expect(hidden).toMatchObject({ url: null, title: null, private: true });
    host.kill();
  });

  it('other local programs cannot inject: no secret, a wrong secret or bad messages are refused', async () => {
    const bridgeDir = tempDir('bridge');
    await startAgent({ name: 'ASH-07', bridgeDir });
    const info = readBridgeInfo(bridgeDir);
    expect(info).not.toBeNull();
    const { mode } = await import('node:fs').then((fs) => fs.statSync(path.join(bridgeDir, 'bridge.json')));
    expect(mode & 0o077).toBe(0);

    const closedAfter = (lines: string[]) =>
      new Promise<boolean>((resolve) => {
        const s = net.createConnection(info?.socketPath ?? '');
        s.on('connect', () => {
          for (const l of lines) s.write(`${l}\n`);
        });
        s.on('close', () => resolve(true));
        s.on('error', () => resolve(true));
        setTimeout(() => {
          s.destroy();
          resolve(false);
        }, 2000);
      });
    const tab = JSON.stringify({
      type: 'tab',
      browser: 'chrome',
      focused: true,
      url: 'https://evil.example/',
      title: 'x',
      incognito: false,
      at: Date.now(),
    });
    expect(await closedAfter([tab])).toBe(true);
    expect(await closedAfter([JSON.stringify({ type: 'auth', secret: 'x'.repeat(43) }), tab])).toBe(true);
  });
});

describe('bad input from agents', () => {
  const window = {
    app: 'Chromium',
    title: 'Maths',
    exePath: null,
    url: 'https://example.org/',
    domain: 'example.org',
    private: false,
  };

  async function rawDevice() {
    const { token } = await admin.createToken(roomId);
    const enrolled = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
      token,
      hostname: 'RAW-01',
      os: 'Linux test',
      serial: null,
      agentVersion: '0.1.0',
    });
    const { agentSocket } = await import('../support/sockets.js');
    const { deviceId, credential } = enrolled.body;
    const socket = await connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' }));
    return { socket, deviceId: enrolled.body.deviceId };
  }

  // Times no device can have seen (the future, before 2000) are kept at the time they
  // arrived, with a health warning: test/security/device-data.test.ts (issue 14).
  const cases: [string, Record<string, unknown>, string?][] = [
    ['an impossible date', { occurredAt: '2025-02-30T10:00:00.000Z' }],
    ['an oversized title', { body: { window: { ...window, title: 'x'.repeat(1001) } } }, 'title'],
    [
      'an oversized URL',
      { body: { window: { ...window, url: `https://example.org/${'a'.repeat(2100)}` } } },
      'url',
    ],
    ['an unknown field', { body: { extra: 1 } }],
    ['a forged device id in the body', { body: { deviceId: randomUUID() } }],
    ['window contents while locked', { body: { state: 'locked' } }, 'window'],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}, clearly, and stores nothing`, async () => {
      const { socket, deviceId } = await rawDevice();
      const event = {
        id: randomUUID(),
        occurredAt: new Date().toISOString(),
        ...change,
        body: {
          type: 'activity.changed',
          state: 'active',
          user: { username: 'pupil1' },
          window,
          ...(change.body ?? {}),
        },
      };
      const result = await socket.emitWithAck('agent:event', event as never);
      expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
      if (message && !result.ok) expect(JSON.stringify(result.error)).toMatch(new RegExp(message));
      expect(
        await harbour.db
          .selectFrom('agent_events')
          .select('event_id')
          .where('device_id', '=', deviceId)
          .execute(),
      ).toHaveLength(0);
      expect(
        await harbour.db
          .selectFrom('activity_intervals')
          .select('id')
          .where('device_id', '=', deviceId)
          .execute(),
      ).toHaveLength(0);
      socket.close();
    });
  }

  it('a flag whose screenshot was never uploaded is not stored (the agent retries later)', async () => {
    const { socket, deviceId } = await rawDevice();
    const event = {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      body: {
        type: 'activity.flag',
        user: null,
        window,
        match: {
          entryId: randomUUID(),
          kind: 'domain',
          pattern: 'example.org',
          category: 'games',
          severity: 'low',
          where: 'domain',
          matched: 'example.org',
        },
        evidence: [{ sha256: 'a'.repeat(64), mime: 'image/png', bytes: 100 }],
      },
    };
    const result = await socket.emitWithAck('agent:event', event as never);
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await flagsOf(deviceId)).toHaveLength(0);
    socket.close();
  });

  it('timeline queries with a forged device id or a backwards range are refused clearly', async () => {
    const unknown = await admin.json('GET', `/api/activity?deviceId=${randomUUID()}&${dayRange()}`);
    expect(unknown).toMatchObject({ status: 404, body: { error: { message: 'Device not found' } } });
    const backwards = await admin.json(
      'GET',
      `/api/activity?deviceId=${randomUUID()}&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z`,
    );
    expect(backwards).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    const neither = await admin.json('GET', `/api/activity?${dayRange()}`);
    expect(neither).toMatchObject({ status: 400 });
  });
});

describe('watch-list CSV', () => {
  it('a file with malformed rows reports each by line number and imports nothing', async () => {
    const before = await admin.json<Watchlist>('GET', '/api/watchlists');
    const csv = [
      'kind,pattern,category,severity,note',
      'domain,good-site.example,games,low,',
      'domain,not a domain,games,low,',
      'keyword,casino,gambling,extreme,',
      'website,x.example,games,low,',
      'keyword,card games,nonsense,low,',
      'domain,good-site.example,games,low,again',
    ].join('\n');
    const res = await admin.json<{ error: { message: string; issues: { path: string }[] } }>(
      'POST',
      '/api/watchlists/import',
      { csv },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/5 rows have problems; nothing was imported/);
    expect([...new Set(res.body.error.issues.map((i) => i.path))]).toEqual([
      'line 3',
      'line 4',
      'line 5',
      'line 6',
      'line 7',
    ]);
    const after = await admin.json<Watchlist>('GET', '/api/watchlists');
    expect(after.body).toEqual(before.body);
  });

  it('a file with a wrong header or broken quoting is refused as a whole', async () => {
    const header = await admin.json('POST', '/api/watchlists/import', { csv: 'type,pattern\nx,y' });
    expect(header).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'line 1' }] } } });
    const quoting = await admin.json('POST', '/api/watchlists/import', {
      csv: 'kind,pattern,category,severity\nkeyword,"unclosed,games,low',
    });
    expect(quoting).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });

  it('exports, and imports its own export unchanged; hostile text stays text', async () => {
    const hostile = await admin.json<{ id: string }>('POST', '/api/watchlists/entries', {
      kind: 'keyword',
      pattern: 'drop table pupils',
      category: 'adult',
      severity: 'low',
      note: '=HYPERLINK("http://evil.example") <script>alert(1)</script>',
    });
    expect(hostile.status).toBe(201);
    const exported = await admin.request('GET', '/api/watchlists/export');
    expect(exported.headers.get('content-type')).toMatch(/text\/csv/);
    const csv = await exported.text();
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"") <script>alert(1)</script>"`);
    const before = await admin.json<Watchlist>('GET', '/api/watchlists');
    const again = await admin.json<{ added: number; updated: number; removed: number }>(
      'POST',
      '/api/watchlists/import',
      {
        csv,
        replace: true,
      },
    );
    expect(again.body).toEqual({ added: 0, updated: before.body.entries.length, removed: 0 });
    const after = await admin.json<Watchlist>('GET', '/api/watchlists');
    const note = after.body.entries.find((e) => e.id === hostile.body.id)?.note;
    expect(note).toBe('=HYPERLINK("http://evil.example") <script>alert(1)</script>');
  });

  it('ships a starter list in every category', async () => {
    const { body } = await admin.json<Watchlist>('GET', '/api/watchlists');
    const categories = new Set(body.entries.map((e) => e.category));
    expect([...categories].sort()).toEqual([
      'adult',
      'extremism',
      'gambling',
      'games',
      'self_harm',
      'social',
      'violence',
    ]);
  });
});

describe('retention', () => {
  it('purges closed intervals older than the retention period, keeping newer ones', async () => {
    const { deviceId } = await startAgent({ name: 'ASH-08' });
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const older = new Date(Date.now() - 41 * 86_400_000).toISOString();
    await harbour.db
      .insertInto('activity_intervals')
      .values({
        device_id: deviceId,
        room_id: roomId,
        username: 'pupil',
        state: 'active',
        app: 'Old',
        title: null,
        url: null,
        domain: null,
        exe_path: null,
        private: 0,
        started_at: older,
        ended_at: old,
      })
      .execute();
    const { purgeOldActivity } = await import('../../dashboard/src/server/features/activity/index.js');
    expect(await purgeOldActivity(harbour.db)).toBeGreaterThanOrEqual(1);
    const left = await harbour.db
      .selectFrom('activity_intervals')
      .select('app')
      .where('device_id', '=', deviceId)
      .execute();
    expect(left.map((r) => r.app)).not.toContain('Old');
  });
});
