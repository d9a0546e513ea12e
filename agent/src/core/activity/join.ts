import {
  activityLimits,
  cleanText,
  domainOf,
  normaliseWords,
  type ActivitySettings,
  type ActivityWindow,
  type BrowserTabMessage,
  type NotMonitoredReason,
} from '@harbour/shared';
import type { ForegroundWindow } from '../../platform/foreground.js';

const browserNames = /chrom|msedge|\bedge\b|firefox|brave|opera|vivaldi|safari/i;

/** Whether a foreground window belongs to a web browser. */
export function isBrowser(w: ForegroundWindow): boolean {
  return browserNames.test(w.app) || browserNames.test(w.exePath ?? '');
}

type Kind = BrowserTabMessage['browser'];

/** Which of the extension's browser kinds a window's application could be. */
function kindsOf(w: ForegroundWindow): Kind[] {
  const name = `${w.app} ${w.exePath ?? ''}`;
  if (/firefox/i.test(name)) return ['firefox'];
  if (/msedge|\bedge\b/i.test(name)) return ['edge'];
  if (/chrom/i.test(name)) return ['chrome', 'chromium'];
  return ['other'];
}

/** A URL safe to report: cleaned, bounded, or null. */
function cleanUrl(url: string | null): string | null {
  const u = cleanText(url, activityLimits.url + 1);
  if (!u || u.length > activityLimits.url || /\s/.test(u) || !URL.canParse(u)) return null;
  return u;
}

/** One browser the extension reports from (one native host connection). */
export interface BrowserSource {
  /** The processes above the native host (the browser's own is among them); [] if unknown. */
  pids: readonly number[];
  /** From the extension's hello or its last tab message; null until either arrives. */
  kind: Kind | null;
  /** The extension's last report of the focused window's active tab (focused or not). */
  tab: BrowserTabMessage | null;
}

export interface Joined {
  /** What is reported in the timeline (private windows per the school's setting). */
  report: ActivityWindow;
  /** What watch lists are matched against: always the real page, as far as it is known. */
  real: { url: string | null; domain: string | null; title: string | null };
  /** What is not monitored in this window, and why; null when all of it is. */
  reason: NotMonitoredReason | null;
}

export interface JoinContext {
  browsers: readonly BrowserSource[];
  settings: ActivitySettings;
  /** Whether a process is Harbour's own (this agent or a program it started: covers, badge). */
  own: (pid: number) => boolean;
  /**
   * false: if the browser's report and the window disagree, wait (the other side is about to
   * catch up: the window switched before the extension said so, or the other way round).
   * true: the wait is over; disagreement means the extension cannot see this window.
   */
  settled: boolean;
}

/** The answer: a joined window, or "wait a moment, the two sides have not caught up". */
export type Resolution = { settling: true } | { settling: false; joined: Joined };

/**
 * Whether the window's title (as the OS shows it, e.g. "Fractions - Chromium") belongs to the
 * tab the extension reports. Browsers put the page's title first and their own name after.
 */
export function titleAgrees(windowTitle: string | null, tabTitle: string | null): boolean {
  if (!windowTitle || !tabTitle) return true;
  const tab = normaliseWords(tabTitle);
  if (tab === '') return true;
  return ` ${normaliseWords(windowTitle)} `.includes(` ${tab} `);
}

const plain = (w: ForegroundWindow) => ({
  app: cleanText(w.app, activityLimits.app) ?? 'Unknown application',
  exePath: cleanText(w.exePath, activityLimits.exePath),
  title: cleanText(w.title, activityLimits.title),
});

function withoutPage(w: ForegroundWindow, reason: NotMonitoredReason, keepTitle: boolean): Joined {
  const { app, exePath, title } = plain(w);
  return {
    report: {
      app,
      title: keepTitle ? title : null,
      exePath,
      url: null,
      domain: null,
      private: reason === 'private_window',
    },
    // A concern in a window the extension cannot see is still a concern: match the OS title.
    real: { url: null, domain: null, title },
    reason,
  };
}

function withTab(w: ForegroundWindow, tab: BrowserTabMessage, settings: ActivitySettings): Joined {
  const { app, exePath, title: osTitle } = plain(w);
  const url = cleanUrl(tab.url);
  const title = cleanText(tab.title, activityLimits.title) ?? osTitle;
  const domain = domainOf(url);
  const hide = tab.incognito && settings.privateWindows === 'domainOnly';
  return {
    report: {
      app,
      title: hide ? null : title,
      exePath,
      url: hide ? null : url,
      domain,
      private: tab.incognito,
    },
    real: { url, domain, title },
    reason: null,
  };
}

/** Harbour's own screens: recorded as such, never with a page, never matched. */
export const harbourScreen: Joined = {
  report: { app: 'Harbour', title: null, exePath: null, url: null, domain: null, private: false },
  real: { url: null, domain: null, title: null },
  reason: 'harbour_screen',
};

/**
 * The window and the tab as one fact (issue 15 item 1). A tab's URL is attached to the
 * foreground window only when the extension says that tab is active in the browser's
 * *focused* window, the window belongs to that browser (its process is the one above the
 * extension's native host, where both are known; else the browser's kind), and the window's
 * title is the tab's. Harbour's own windows are never monitored. A browser window the
 * extension cannot see (a private window it is not allowed in) is "private window (not
 * monitored)", never the last page the extension saw; a browser without the extension is
 * its window title without an address.
 */
export function resolveWindow(w: ForegroundWindow, ctx: JoinContext): Resolution {
  if (w.pid !== undefined && w.pid !== null && ctx.own(w.pid))
    return { settling: false, joined: harbourScreen };
  if (!isBrowser(w)) {
    const { app, exePath, title } = plain(w);
    // macOS reports a browser's URL itself; elsewhere only the extension does.
    const url = cleanUrl(w.url);
    const domain = domainOf(url);
    return {
      settling: false,
      joined: {
        report: { app, title, exePath, url, domain, private: false },
        real: { url, domain, title },
        reason: null,
      },
    };
  }
  if (w.url) {
    // The OS itself knows the address (macOS): no extension needed, nothing to disagree with.
    const { app, exePath, title } = plain(w);
    const url = cleanUrl(w.url);
    const domain = domainOf(url);
    return {
      settling: false,
      joined: {
        report: { app, title, exePath, url, domain, private: false },
        real: { url, domain, title },
        reason: null,
      },
    };
  }
  const pid = w.pid ?? null;
  const byPid = pid === null ? [] : ctx.browsers.filter((b) => b.pids.includes(pid));
  let candidates: readonly BrowserSource[];
  if (byPid.length > 0) candidates = byPid;
  else if (pid !== null && ctx.browsers.every((b) => b.pids.length > 0)) candidates = [];
  else {
    const kinds = kindsOf(w);
    candidates = ctx.browsers.filter((b) => b.kind === null || kinds.includes(b.kind));
  }
  if (candidates.length === 0) {
    return { settling: false, joined: withoutPage(w, 'extension_missing', true) };
  }
  const match = candidates.find((b) => b.tab?.focused && titleAgrees(w.title, b.tab.title));
  if (match?.tab) return { settling: false, joined: withTab(w, match.tab, ctx.settings) };
  if (!ctx.settled) return { settling: true };
  return { settling: false, joined: withoutPage(w, 'private_window', false) };
}
