/**
 * Harbour's browser extension (Manifest V3 service worker). It tells the Harbour agent
 * on this computer which tab is in front: its URL, its title and whether the window is
 * private, whenever the tab, the page, or a single-page app's address changes. It talks
 * only to Harbour's native messaging host, which the agent's installer registers for this
 * extension's ID alone. It reads nothing inside pages.
 */
const hostName = 'uk.harbour.agent';
/** The same limits the agent applies; longer values are cut here so nothing is dropped. */
const maxUrl = 8192;
const maxTitle = 4096;

type BrowserKind = 'chrome' | 'edge' | 'chromium' | 'firefox' | 'other';

function browserKind(): BrowserKind {
  const ua = navigator.userAgent;
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Edg\//.test(ua)) return 'edge';
  const data = (navigator as WorkerNavigator & { userAgentData?: { brands: { brand: string }[] } })
    .userAgentData;
  const brands = data?.brands ?? [];
  if (brands.some((b) => b.brand === 'Google Chrome')) return 'chrome';
  if (/Chrom(e|ium)\//.test(ua)) return 'chromium';
  return 'other';
}

const browser = browserKind();
/** The last report said no window of this browser that the extension can see has focus. */
let unfocused = false;
let port: chrome.runtime.Port | null = null;
let lastSent = '';

function connect(): void {
  if (port) return;
  try {
    port = chrome.runtime.connectNative(hostName);
  } catch {
    port = null;
    setTimeout(connect, 5000);
    return;
  }
  port.onDisconnect.addListener(() => {
    // The host is missing or stopped; try again (the agent may be starting).
    port = null;
    lastSent = '';
    setTimeout(connect, 5000);
  });
  port.postMessage({ type: 'hello', browser, extensionVersion: chrome.runtime.getManifest().version });
  void report();
}

function send(message: Record<string, unknown>): void {
  const key = JSON.stringify({ ...message, at: 0 });
  if (key === lastSent) return;
  lastSent = key;
  if (!port) connect();
  try {
    port?.postMessage(message);
  } catch {
    port = null;
  }
}

const cut = (text: string | undefined, max: number) =>
  text === undefined || text === '' ? null : text.slice(0, max);

/** Sends the active tab of the focused window (or "no browser window has focus"). */
async function report(): Promise<void> {
  let focusedWindow: chrome.windows.Window | undefined;
  try {
    focusedWindow = await chrome.windows.getLastFocused({ populate: false });
  } catch {
    focusedWindow = undefined;
  }
  if (!focusedWindow?.focused || focusedWindow.id === undefined) {
    unfocused = true;
    send({ type: 'tab', browser, focused: false, url: null, title: null, incognito: false, at: Date.now() });
    return;
  }
  unfocused = false;
  const [tab] = await chrome.tabs.query({ active: true, windowId: focusedWindow.id });
  if (!tab) return;
  send({
    type: 'tab',
    browser,
    focused: true,
    url: cut(tab.url ?? tab.pendingUrl, maxUrl),
    title: cut(tab.title, maxTitle),
    incognito: tab.incognito,
    at: Date.now(),
  });
}

const soon = () => void report();

chrome.tabs.onActivated.addListener(soon);
chrome.tabs.onUpdated.addListener((_id, change, tab) => {
  if (tab.active && (change.url !== undefined || change.title !== undefined || change.status === 'complete'))
    soon();
});
chrome.windows.onFocusChanged.addListener(soon);
// Single-page apps change the address with history.pushState: no load, but a new page to the pupil.
chrome.webNavigation.onHistoryStateUpdated.addListener((details) => {
  if (details.frameId === 0) soon();
});
chrome.webNavigation.onReferenceFragmentUpdated.addListener((details) => {
  if (details.frameId === 0) soon();
});
// Some window managers give a browser window back its focus without Chromium firing
// onFocusChanged (after another program's full-screen window, such as Harbour's own cover,
// went away). While the last report said "not focused", look again every 2 s, so the agent
// is not left thinking the pupil is in a window the extension cannot see.
setInterval(() => {
  if (unfocused) void report();
}, 2000);
chrome.runtime.onStartup.addListener(connect);
chrome.runtime.onInstalled.addListener(connect);
connect();
