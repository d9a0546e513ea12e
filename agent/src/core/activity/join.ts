import {
  activityLimits,
  cleanText,
  domainOf,
  type ActivitySettings,
  type ActivityWindow,
  type BrowserTabMessage,
} from '@harbour/shared';
import type { ForegroundWindow } from '../../platform/foreground.js';

const browserNames = /chrom|msedge|\bedge\b|firefox|brave|opera|vivaldi|safari/i;

/** Whether a foreground window belongs to a web browser. */
export function isBrowser(w: ForegroundWindow): boolean {
  return browserNames.test(w.app) || browserNames.test(w.exePath ?? '');
}

/** A URL safe to report: cleaned, bounded, or null. */
function cleanUrl(url: string | null): string | null {
  const u = cleanText(url, activityLimits.url + 1);
  if (!u || u.length > activityLimits.url || /\s/.test(u) || !URL.canParse(u)) return null;
  return u;
}

export interface Joined {
  /** What is reported in the timeline (private windows per the school's setting). */
  report: ActivityWindow;
  /** What watch lists are matched against: always the real page. */
  real: { url: string | null; domain: string | null; title: string | null };
}

/**
 * Joins the foreground window with the browser extension's active tab: the application
 * from the OS, the tab's URL and title from the extension when the browser is in front.
 */
export function joinWindow(
  w: ForegroundWindow,
  tab: BrowserTabMessage | null,
  settings: ActivitySettings,
): Joined {
  const app = cleanText(w.app, activityLimits.app) ?? 'Unknown application';
  const exePath = cleanText(w.exePath, activityLimits.exePath);
  let title = cleanText(w.title, activityLimits.title);
  let url = cleanUrl(w.url);
  let incognito = false;
  if (tab && isBrowser(w)) {
    url = cleanUrl(tab.url);
    title = cleanText(tab.title, activityLimits.title) ?? title;
    incognito = tab.incognito;
  }
  const domain = domainOf(url);
  const real = { url, domain, title };
  const hide = incognito && settings.privateWindows === 'domainOnly';
  return {
    report: {
      app,
      title: hide ? null : title,
      exePath,
      url: hide ? null : url,
      domain,
      private: incognito,
    },
    real,
  };
}
