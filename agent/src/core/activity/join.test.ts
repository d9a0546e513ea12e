import { describe, expect, it } from 'vitest';
import { defaultActivitySettings, type BrowserTabMessage } from '@harbour/shared';
import { Flagger } from './flagger.js';
import { isBrowser, joinWindow } from './join.js';

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

describe('joining the window and the tab', () => {
  it('knows browsers by name or path', () => {
    expect(isBrowser(chromium)).toBe(true);
    expect(isBrowser({ app: 'msedge.exe', title: null, exePath: null, url: null })).toBe(true);
    expect(isBrowser({ app: 'XTerm', title: null, exePath: '/usr/bin/xterm', url: null })).toBe(false);
  });

  it('takes the URL and title from the tab when the browser is in front', () => {
    const { report } = joinWindow(chromium, tab(), defaultActivitySettings);
    expect(report).toMatchObject({
      app: 'Chromium',
      title: 'Times tables',
      url: 'https://www.example.org/times-tables',
      domain: 'example.org',
      private: false,
    });
  });

  it('ignores the tab when another application is in front', () => {
    const { report } = joinWindow(
      { app: 'XTerm', title: 'bash', exePath: null, url: null },
      tab(),
      defaultActivitySettings,
    );
    expect(report).toMatchObject({ app: 'XTerm', title: 'bash', url: null, domain: null });
  });

  it('reports a private window by domain only, unless the school says otherwise, but matches the real page', () => {
    const hidden = joinWindow(chromium, tab({ incognito: true }), defaultActivitySettings);
    expect(hidden.report).toMatchObject({ url: null, title: null, domain: 'example.org', private: true });
    expect(hidden.real.url).toBe('https://www.example.org/times-tables');
    const normal = joinWindow(chromium, tab({ incognito: true }), {
      ...defaultActivitySettings,
      privateWindows: 'normal',
    });
    expect(normal.report.url).toBe('https://www.example.org/times-tables');
  });

  it('drops URLs it cannot report and cleans hostile titles', () => {
    const { report } = joinWindow(
      chromium,
      tab({ url: `https://example.org/${'a'.repeat(5000)}`, title: 'Evil\u202Etxt.exe\u0000' }),
      defaultActivitySettings,
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
