import { describe, expect, it } from 'vitest';
import { defaultActivitySettings, type BrowserTabMessage } from '@harbour/shared';
import { Flagger } from './flagger.js';
import {
  isBrowser,
  resolveWindow,
  titleAgrees,
  type BrowserSource,
  type JoinContext,
  type Joined,
  type Resolution,
} from './join.js';

const chromium = {
  app: 'Chromium',
  title: 'Maths - Chromium',
  exePath: '/usr/lib/chromium/chromium',
  url: null,
};
const tab = (over: Partial<BrowserTabMessage> = {}): BrowserTabMessage => ({
  type: 'tab',
  browser: 'chromium',
  focused: true,
  url: 'https://www.example.org/times-tables',
  title: 'Times tables',
  incognito: false,
  at: Date.now(),
  ...over,
});

const browserPid = 4242;
const source = (over: Partial<BrowserSource> = {}): BrowserSource => ({
  pids: [browserPid],
  kind: 'chromium',
  tab: tab(),
  ...over,
});
const ctx = (over: Partial<JoinContext> = {}): JoinContext => ({
  browsers: [source()],
  settings: defaultActivitySettings,
  own: () => false,
  settled: false,
  ...over,
});
const chromiumWindow = (title: string, pid: number | null = browserPid) => ({ ...chromium, title, pid });
const joined = (r: Resolution): Joined => {
  if (r.settling) throw new Error('still settling');
  return r.joined;
};

describe('joining the window and the tab', () => {
  it('knows browsers by name or path', () => {
    expect(isBrowser(chromium)).toBe(true);
    expect(isBrowser({ app: 'msedge.exe', title: null, exePath: null, url: null })).toBe(true);
    expect(isBrowser({ app: 'XTerm', title: null, exePath: '/usr/bin/xterm', url: null })).toBe(false);
  });

  it('takes the URL and title from the tab when the browser that reported it is in front, focused, on that tab', () => {
    const { report, reason } = joined(resolveWindow(chromiumWindow('Times tables - Chromium'), ctx()));
    expect(reason).toBeNull();
    expect(report).toMatchObject({
      app: 'Chromium',
      title: 'Times tables',
      url: 'https://www.example.org/times-tables',
      domain: 'example.org',
      private: false,
    });
  });

  it('ignores the tab when another application is in front', () => {
    const { report } = joined(
      resolveWindow({ app: 'XTerm', title: 'bash', exePath: null, url: null, pid: 7 }, ctx()),
    );
    expect(report).toMatchObject({ app: 'XTerm', title: 'bash', url: null, domain: null });
  });

  it('never attaches a page to Harbour’s own windows (a cover is Chromium too)', () => {
    const cover = { app: 'Chromium', title: 'Times tables - Chromium', exePath: null, url: null, pid: 99 };
    const r = joined(resolveWindow(cover, ctx({ own: (pid) => pid === 99 })));
    expect(r.reason).toBe('harbour_screen');
    expect(r.report).toMatchObject({ app: 'Harbour', title: null, url: null, domain: null });
    expect(r.real).toEqual({ url: null, domain: null, title: null });
  });

  it('never attaches a tab to another browser process’s window (another profile, a kiosk)', () => {
    const other = chromiumWindow('Times tables - Chromium', 5000);
    const r = joined(resolveWindow(other, ctx()));
    expect(r.reason).toBe('extension_missing');
    expect(r.report.url).toBeNull();
    expect(r.report.title).toBe('Times tables - Chromium');
  });

  it('waits, then says "private window", when the browser says none of its windows it can see has focus', () => {
    const unfocused = source({ tab: tab({ focused: false, url: null, title: null }) });
    const incognito = chromiumWindow('Secret page - Chromium');
    expect(resolveWindow(incognito, ctx({ browsers: [unfocused] })).settling).toBe(true);
    const r = joined(resolveWindow(incognito, ctx({ browsers: [unfocused], settled: true })));
    expect(r.reason).toBe('private_window');
    expect(r.report).toMatchObject({ app: 'Chromium', title: null, url: null, domain: null, private: true });
    // Watch lists still see the window's own title: a concern in a private window is a concern.
    expect(r.real.title).toBe('Secret page - Chromium');
  });

  it('never takes a stale tab for a window whose title is another page (focus moved, the extension did not say)', () => {
    const w = chromiumWindow('Secret page - Chromium');
    expect(resolveWindow(w, ctx()).settling).toBe(true);
    const r = joined(resolveWindow(w, ctx({ settled: true })));
    expect(r.reason).toBe('private_window');
    expect(r.report.url).toBeNull();
  });

  it('matches by kind when the probe cannot tell the window’s process', () => {
    const noPid = chromiumWindow('Times tables - Chromium', null);
    expect(joined(resolveWindow(noPid, ctx())).report.url).toBe('https://www.example.org/times-tables');
    const firefox = { app: 'Firefox', title: 'Times tables — Mozilla Firefox', exePath: null, url: null };
    expect(joined(resolveWindow(firefox, ctx())).reason).toBe('extension_missing');
  });

  it('a browser without the extension keeps its window title and says the address is not known', () => {
    const r = joined(resolveWindow(chromiumWindow('Maths - Chromium'), ctx({ browsers: [] })));
    expect(r.reason).toBe('extension_missing');
    expect(r.report).toMatchObject({ title: 'Maths - Chromium', url: null });
  });

  it('agrees titles by words, so browsers’ own suffixes and odd characters do not matter', () => {
    expect(titleAgrees('Sums = fun! – Google Chrome', 'Sums = fun!')).toBe(true);
    expect(titleAgrees('Page and 3 more pages - Profile 1 - Microsoft Edge', 'Page')).toBe(true);
    expect(titleAgrees('Secret page - Chromium', 'Times tables')).toBe(false);
    expect(titleAgrees('lesson.test/part-2 - Chromium', null)).toBe(true);
  });

  it('reports a private window by domain only, unless the school says otherwise, but matches the real page', () => {
    const incognito = source({ tab: tab({ incognito: true }) });
    const w = chromiumWindow('Times tables - Chromium');
    const hidden = joined(resolveWindow(w, ctx({ browsers: [incognito] })));
    expect(hidden.report).toMatchObject({ url: null, title: null, domain: 'example.org', private: true });
    expect(hidden.reason).toBeNull();
    expect(hidden.real.url).toBe('https://www.example.org/times-tables');
    const normal = joined(
      resolveWindow(w, {
        ...ctx({ browsers: [incognito] }),
        settings: { ...defaultActivitySettings, privateWindows: 'normal' },
      }),
    );
    expect(normal.report.url).toBe('https://www.example.org/times-tables');
  });

  it('drops URLs it cannot report and cleans hostile titles', () => {
    const hostile = source({
      tab: tab({ url: `https://example.org/${'a'.repeat(5000)}`, title: 'Evil\u202Etxt.exe\u0000' }),
    });
    const { report } = joined(
      resolveWindow(chromiumWindow('Evil txt.exe - Chromium'), ctx({ browsers: [hostile] })),
    );
    expect(report.url).toBeNull();
    expect(report.title).toBe('Evil txt.exe');
  });
});

describe('one flag per page visit', () => {
  const entry = {
    id: '7d0f2b7e-8f1e-4c47-9a7e-4b9b8e1f2a31',
    kind: 'domain' as const,
    pattern: 'casino.example',
    category: 'gambling' as const,
    severity: 'medium' as const,
  };
  const page = { url: 'https://casino.example/slots', domain: 'casino.example', title: 'Slots' };

  it('flags a visit once, and again after leaving and coming back', () => {
    const flagger = new Flagger();
    flagger.setEntries([entry]);
    expect(flagger.check('Chromium', page)).not.toBeNull();
    for (let i = 0; i < 5; i++) expect(flagger.check('Chromium', page)).toBeNull();
    expect(
      flagger.check('Chromium', { url: 'https://example.org/', domain: 'example.org', title: 'x' }),
    ).toBeNull();
    expect(flagger.check('Chromium', page)).not.toBeNull();
  });

  it('a new page on the same watched site is a new visit', () => {
    const flagger = new Flagger();
    flagger.setEntries([entry]);
    expect(flagger.check('Chromium', page)).not.toBeNull();
    expect(flagger.check('Chromium', { ...page, url: 'https://casino.example/poker' })).not.toBeNull();
  });
});
