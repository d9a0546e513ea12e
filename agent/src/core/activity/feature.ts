import {
  agentActivityConfigSchema,
  defaultActivitySettings,
  formatOsUser,
  parseWith,
  withinSchedule,
  type ActivityChanged,
  type ActivitySettings,
  type AgentActivityConfig,
  type BrowserMessage,
  type EvidenceRef,
  type HealthProblem,
  type NotMonitoredReason,
  type WatchMatch,
} from '@harbour/shared';
import type { DisplayCapture } from '../../platform/capture.js';
import type { ForegroundProbe } from '../../platform/foreground.js';
import type { AgentContext, AgentFeature, HealthSink } from '../feature.js';
import { BrowserBridge } from './bridge.js';
import { bridgeDir } from './bridge-paths.js';
import { Flagger } from './flagger.js';
import { IdleBound } from './idle.js';
import { harbourScreen, resolveWindow, type BrowserSource, type Joined } from './join.js';
import { ownProcessCheck } from './own-process.js';

export interface ActivityFeatureOptions {
  probe: ForegroundProbe;
  /** Captures every display (platform/capture.ts); evidence for flags. */
  capture: () => Promise<DisplayCapture[]>;
  /** Where the browser bridge is published; default per user (bridge-paths.ts). */
  bridgeDir?: string;
  /** false: no browser bridge (tests of the window probe alone). */
  bridge?: boolean;
  /** Where missing prerequisites are reported (the agent's HealthReporter). */
  health: HealthSink;
  /** Whether a process is Harbour's own (default: this process and what it started, core/activity/own-process.ts). */
  ownProcess?: (pid: number) => boolean;
  /**
   * Whether one of Harbour's own screens (a cover, the AUP gate, a message) is in front now.
   * On X11 those are override-redirect windows the window manager never makes active, so the
   * foreground window still names what is under them: without this the timeline would show
   * the old page while the screen is covered, and a watched page under a cover could be flagged.
   */
  covered?: { now(): boolean; onChange(listener: () => void): () => void };
}

const configKey = 'activity.config';
const lastKey = 'activity.last';
/** How often the agent notes that it is still running, so a crash's interval ends about then. */
const aliveEveryMs = 30_000;

/**
 * How long the window and the browser's report may disagree before the disagreement is taken
 * as meaning (a window the extension cannot see): the two sides say a switch within tens of
 * milliseconds of each other, so this only bounds the wait.
 */
const settleMs = 1000;
const settleRetryMs = 100;
/** The probe's health codes that mean no window can be seen at all. */
const noDisplayCodes = new Set(['activity.no-display', 'activity.wayland']);

type Sample =
  | { state: 'off'; reason: 'outside_hours' | 'no_display' | null; joined: null }
  | { state: 'locked' | 'idle'; reason: null; joined: null }
  | { state: 'active'; reason: NotMonitoredReason | null; joined: Joined }
  | { state: 'settling' };

/**
 * Reports what is in front of the pupil: samples the foreground window at the school's
 * rate, joins the browser extension's tab, and sends an `activity.changed` event only
 * when something changed. Nothing about the window is sent while the screen is locked or
 * idle, or outside monitoring hours. Matches against the watch list raise one flag per page
 * visit, with a capture of every display.
 */
export class ActivityFeature implements AgentFeature {
  readonly name = 'activity';
  private ctx: AgentContext | undefined;
  private config: AgentActivityConfig = {
    settings: defaultActivitySettings,
    watchlist: { version: '', entries: [] },
  };
  private readonly flagger = new Flagger();
  private timer: NodeJS.Timeout | undefined;
  private aliveTimer: NodeJS.Timeout | undefined;
  private sampling = false;
  private again = false;
  private stopped = false;
  private lastKeyValue = '';
  private lastState: ActivityChanged['state'] = 'off';
  /** One per browser whose extension reports, by bridge connection. */
  private readonly browsers = new Map<number, BrowserSource>();
  private bridge: BrowserBridge | undefined;
  private problems: HealthProblem[] = [];
  private readonly idle: IdleBound;
  private readonly own: (pid: number) => boolean;
  private unsubscribe: (() => void) | undefined;
  /** When the window and the browser's report began to disagree (undefined: they agree). */
  private settlingSince: number | undefined;
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ActivityFeatureOptions) {
    this.idle = new IdleBound(() => options.probe.idleSeconds());
    this.own = options.ownProcess ?? ownProcessCheck();
  }

  get settings(): ActivitySettings {
    return this.config.settings;
  }

  async start(ctx: AgentContext): Promise<void> {
    this.ctx = ctx;
    const cached = ctx.getState(configKey);
    if (cached) {
      const parsed = parseWith(agentActivityConfigSchema, JSON.parse(cached));
      if (parsed.ok) this.applyConfig(parsed.value);
    }
    this.recoverFromCrash(ctx);
    ctx.onPush('activity:config-changed', () => void this.fetchConfig());

    this.problems = await this.options.probe.problems();
    if (this.options.bridge !== false) {
      const dir = this.options.bridgeDir ?? bridgeDir();
      this.bridge = new BrowserBridge(
        dir,
        (m, from) => this.onBrowser(m, from),
        ctx.logger.child({ part: 'browser-bridge' }),
        (from) => {
          this.browsers.delete(from);
          this.sampleSoon();
        },
      );
      try {
        await this.bridge.start();
      } catch (error) {
        this.bridge = undefined;
        this.problems.push({
          code: 'activity.bridge',
          message: `The browser extension cannot reach the agent: ${(error as Error).message}`.slice(0, 500),
        });
      }
    }
    for (const p of this.problems) ctx.logger.warn(p, 'activity prerequisite missing');
    // Where the platform says at once that the window changed (X11 events), sample then too.
    const unwatchWindow = this.options.probe.onChange?.(() => this.sampleSoon());
    const unwatchCover = this.options.covered?.onChange(() => this.sampleSoon());
    this.unsubscribe = () => {
      unwatchWindow?.();
      unwatchCover?.();
    };
    this.aliveTimer = setInterval(() => this.noteAlive(), aliveEveryMs);
    this.aliveTimer.unref();
    this.schedule(0);
    // The connection may have come up before this feature started (onConnect then found no context).
    if (ctx.online) await this.onConnect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.configRetry);
    clearInterval(this.aliveTimer);
    await this.bridge?.close();
    this.options.probe.close?.();
    if (this.ctx && this.lastState !== 'off')
      this.send({ type: 'activity.changed', state: 'off', user: null, window: null });
  }

  async onConnect(): Promise<void> {
    await this.fetchConfig();
    await this.reportHealth();
  }

  onSessionChange(): void {
    this.flagger.reset();
    this.idle.reset();
    this.sampleSoon();
  }

  /** Samples now (after a browser message or a session change) instead of at the next tick. */
  sampleSoon(): void {
    if (this.sampling) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.ctx) return;
    this.sampling = true;
    try {
      await this.sampleOnce();
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'activity sample failed');
    } finally {
      this.sampling = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else {
      this.schedule(this.config.settings.sampleSeconds * 1000);
    }
  }

  /** One look at the screen: sends a change (and a flag) if there is one. */
  async sampleOnce(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const sample = await this.sample(ctx);
    if (sample.state === 'settling') {
      // The window and the browser's report disagree: look again in a moment instead of
      // recording either side's stale half (the old page on a new window).
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.sampleSoon(), settleRetryMs);
      this.settleTimer.unref();
      return;
    }
    this.settlingSince = undefined;
    const user = ctx.user;
    const body: ActivityChanged =
      sample.state === 'active'
        ? {
            type: 'activity.changed',
            state: 'active',
            user,
            window: sample.joined.report,
            reason: sample.reason,
          }
        : { type: 'activity.changed', state: sample.state, user, window: null, reason: sample.reason };
    const key = JSON.stringify([body.state, user && formatOsUser(user), body.window, body.reason]);
    if (key !== this.lastKeyValue) {
      this.lastKeyValue = key;
      this.send(body);
    }
    if (sample.state === 'active') {
      // Harbour's own screens are never matched, and do not end the visit under them: the
      // page a cover was shown over is the same visit when the cover goes.
      if (sample.reason === 'harbour_screen') return;
      const match = this.flagger.check(sample.joined.report.app, sample.joined.real);
      if (match) await this.raiseFlag(sample.joined, match);
    } else if (sample.state !== 'idle') {
      this.flagger.reset();
    }
  }

  private async sample(ctx: AgentContext): Promise<Sample> {
    const { probe } = this.options;
    const settings = this.config.settings;
    if (!ctx.user) return { state: 'off', reason: null, joined: null };
    if (!withinSchedule(settings.schedule, new Date()))
      return { state: 'off', reason: 'outside_hours', joined: null };
    // Without a display nothing can be seen: say so, never "active on the desktop".
    if (this.problems.some((p) => noDisplayCodes.has(p.code)))
      return { state: 'off', reason: 'no_display', joined: null };
    if (await probe.locked()) return { state: 'locked', reason: null, joined: null };
    if (this.options.covered?.now())
      return { state: 'active', reason: harbourScreen.reason, joined: harbourScreen };
    if (await this.idle.atLeast(settings.idleSeconds)) return { state: 'idle', reason: null, joined: null };
    const w = (await probe.activeWindow()) ?? {
      app: 'Desktop',
      title: null,
      exePath: null,
      url: null,
      pid: null,
    };
    const now = Date.now();
    const settled = this.settlingSince !== undefined && now - this.settlingSince >= settleMs;
    const resolved = resolveWindow(w, {
      browsers: [...this.browsers.values()],
      settings,
      own: this.own,
      settled,
    });
    if (resolved.settling) {
      this.settlingSince ??= now;
      return { state: 'settling' };
    }
    return { state: 'active', reason: resolved.joined.reason, joined: resolved.joined };
  }

  private async raiseFlag(joined: Joined, match: WatchMatch): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const evidence: EvidenceRef[] = [];
    try {
      for (const shot of await this.options.capture()) evidence.push(ctx.saveEvidence(shot.png, 'image/png'));
    } catch (error) {
      ctx.logger.error({ err: error }, 'screen capture failed; the flag is sent without it');
    }
    const { entry, where, matched } = match;
    ctx.enqueue({
      type: 'activity.flag',
      user: ctx.user,
      // A flag reports the real page even in a private window: it is a safeguarding concern.
      window: { ...joined.report, url: joined.real.url, title: joined.real.title },
      match: {
        entryId: entry.id,
        kind: entry.kind,
        pattern: entry.pattern,
        category: entry.category,
        severity: entry.severity,
        where,
        matched: matched.slice(0, 2048) || entry.pattern,
      },
      evidence,
    });
    ctx.logger.info(
      { category: entry.category, severity: entry.severity, where },
      'watch-list match flagged',
    );
  }

  private send(body: ActivityChanged): void {
    const ctx = this.ctx;
    if (!ctx) return;
    this.lastState = body.state;
    ctx.enqueue(body);
    this.noteAlive();
  }

  private noteAlive(): void {
    this.ctx?.setState(lastKey, JSON.stringify({ state: this.lastState, at: new Date().toISOString() }));
  }

  /** After a crash or power cut, the last interval ends when the agent was last known alive. */
  private recoverFromCrash(ctx: AgentContext): void {
    const raw = ctx.getState(lastKey);
    if (!raw) return;
    const last = JSON.parse(raw) as { state?: string; at?: string };
    if (last.state && last.state !== 'off' && last.at && !Number.isNaN(Date.parse(last.at))) {
      ctx.enqueue({ type: 'activity.changed', state: 'off', user: null, window: null }, new Date(last.at));
    }
    ctx.setState(lastKey, null);
  }

  private onBrowser(message: BrowserMessage, from: number): void {
    const source = this.browsers.get(from) ?? { pids: [], kind: null, tab: null };
    switch (message.type) {
      case 'host':
        source.pids = message.pids;
        break;
      case 'hello':
        source.kind = message.browser;
        break;
      case 'tab':
        // Every report counts, "no window of mine has focus" included: a tab is only the
        // page in front while its browser says its window is focused.
        source.kind = message.browser;
        source.tab = message;
        break;
    }
    this.browsers.set(from, source);
    this.sampleSoon();
  }

  private applyConfig(config: AgentActivityConfig): void {
    this.config = config;
    this.flagger.setEntries(config.watchlist.entries);
  }

  async fetchConfig(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx?.online) return;
    clearTimeout(this.configRetry);
    try {
      const result = await ctx.request('agent:activity-config', {});
      if (!result.ok) {
        ctx.logger.warn({ error: result.error }, 'activity settings refused');
        this.retryConfig();
        return;
      }
      this.applyConfig(result.data);
      ctx.setState(configKey, JSON.stringify(result.data));
      this.sampleSoon();
    } catch (error) {
      ctx.logger.debug({ err: error }, 'could not fetch activity settings; keeping the cached ones');
      this.retryConfig();
    }
  }

  private configRetry: NodeJS.Timeout | undefined;

  /** A slow or failed answer must not leave the agent on stale settings until it reconnects. */
  private retryConfig(): void {
    if (this.stopped) return;
    clearTimeout(this.configRetry);
    this.configRetry = setTimeout(() => void this.fetchConfig(), 5000);
    this.configRetry.unref();
  }

  private reported = new Set<string>();

  /** Hands the current problems to the health sink, clearing the ones that are fixed. */
  private reportHealth(): Promise<void> {
    const now = new Set(this.problems.map((p) => p.code));
    for (const code of this.reported) if (!now.has(code)) this.options.health.clear(code);
    for (const p of this.problems) this.options.health.set(p.code, p.message);
    this.reported = now;
    return Promise.resolve();
  }
}
