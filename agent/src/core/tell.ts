/**
 * "Turn the screen off and tell" (issue 6), the agent side. Every trigger — the badge,
 * the tray item, the keyboard shortcut — calls `tell()`, which, in this order:
 *
 *  1. grabs every display (and the active window, title and URL, when a probe is given);
 *  2. covers every display with the calm cover page — before any encoding, disk or
 *     network work, so nothing on the cover path waits for the server;
 *  3. then encodes the screenshots, keeps them on disk and commits the report to the
 *     durable outbox (delivered exactly once, also after the server or network was down);
 *  4. lets the pupil add a picture choice and a few words (never required) as a second event.
 *
 * The cover stays until a teacher releases it from the dashboard, an adult types the staff
 * PIN at the computer, or (where the school allows it) the pupil releases it. An active
 * report survives an agent restart: the cover comes back.
 */
import { randomUUID } from 'node:crypto';
import {
  activeWindowSchema,
  maxTellWords,
  parseWith,
  tellChoiceSchema,
  type ActiveWindow,
  type TellUpdatePush,
} from '@harbour/shared';
import { z } from 'zod';
import type { DisplayCapture } from '../platform/capture.js';
import type { AgentContext, AgentFeature } from './feature.js';
import type { ScreenOverlay } from './overlay.js';
import { ReadAloud } from './read-aloud.js';
import { UiError, type UiServer } from './ui-server.js';

/**
 * The active window at the moment of the click. Optional: the activity feature (issue 4)
 * provides one; until then reports carry `window: null`. Must answer quickly (it runs
 * alongside the screen grab) and never throw.
 */
export interface ActiveWindowProbe {
  activeWindow(): Promise<{ title: string | null; app: string | null; url: string | null } | null>;
}

/** The report's window fields, trimmed to what the protocol accepts; null if nothing usable. */
export function toReportWindow(
  w: { title: string | null; app: string | null; url: string | null } | null,
): ActiveWindow | null {
  if (!w) return null;
  const clean = (v: string | null, max: number) => {
    const t = v
      ?.normalize('NFC')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g, ' ')
      .trim()
      .slice(0, max);
    return t ? t : null;
  };
  const parsed = parseWith(activeWindowSchema, {
    title: clean(w.title, 1000),
    app: clean(w.app, 256),
    url: clean(w.url, 2048),
  });
  return parsed.ok ? parsed.value : null;
}

export interface TellDeps {
  /** Grabs every display now; encode() makes the PNGs later. Default: platform/grab.ts. */
  grab: () => Promise<{ encode(): Promise<DisplayCapture[]> }>;
  overlay: ScreenOverlay;
  /** The local UI server the cover page talks to; tell registers its routes on it. */
  ui?: UiServer;
  activeWindow?: ActiveWindowProbe;
  /**
   * Keep the cover ready (overlay.prepare) so that it comes at once. On where a pupil can
   * press "help" (the tray app; the headless agent with its badge).
   */
  prepareCover?: boolean;
}

export type TellTrigger = 'badge' | 'tray' | 'shortcut' | 'other';
export type TellStatus = 'covered' | 'acknowledged';

interface ActiveTell {
  tellId: string;
  status: TellStatus;
  by: string | null;
  told: boolean;
}

export const coverView = {
  path: '/cover',
  title: 'Harbour: a grown-up is coming',
  background: '#eaf4ef',
} as const;
const stateKey = 'tell.active';

const detailsSchema = z.strictObject({
  choice: tellChoiceSchema.nullable(),
  words: z
    .string()
    .max(maxTellWords * 2)
    .nullable(),
});
const releaseSchema = z.strictObject({ pin: z.string().max(16).optional() });

export class TellFeature implements AgentFeature {
  readonly name = 'tell';
  private readAloud: ReadAloud | null = null;
  private ctx: AgentContext | undefined;
  private active: ActiveTell | null = null;
  private pupilsMayRelease = false;
  /** Reports made before the agent had started (enrolling): sent once it has. */
  private waiting: (() => void)[] = [];
  /** Milliseconds from the click to the cover being requested, for the benchmark. */
  lastCoverMs: number | null = null;

  constructor(private readonly deps: TellDeps) {
    deps.ui?.route({ method: 'GET', path: '/api/tell/state', handler: () => this.state() });
    deps.ui?.route({
      method: 'POST',
      path: '/api/tell',
      handler: async () => ({ tellId: await this.tell('badge') }),
    });
    deps.ui?.route({
      method: 'POST',
      path: '/api/tell/details',
      body: detailsSchema,
      handler: (body) => this.addDetails(body.choice, body.words),
    });
    deps.ui?.route({
      method: 'POST',
      path: '/api/tell/release',
      body: releaseSchema,
      handler: (body) => this.releaseHere(body.pin),
    });
    // The cover's words read aloud (fetched from the server, like every pupil screen's).
    this.readAloud = deps.ui ? ReadAloud.of(deps.ui) : null;
  }

  start(ctx: AgentContext): void {
    this.ctx = ctx;
    this.readAloud?.attach(ctx);
    ctx.onPush('server:tell-update', (update) => void this.onUpdate(update));
    const stored = ctx.getState(stateKey);
    if (stored && !this.active) {
      this.active = JSON.parse(stored) as ActiveTell;
      // The overlay keeps trying to paint its page; the screen is covered meanwhile.
      void this.deps.overlay.show(coverView).catch(() => undefined);
    }
    if (this.deps.prepareCover) void this.deps.overlay.prepare?.(coverView);
    for (const send of this.waiting.splice(0)) send();
  }

  async stop(): Promise<void> {
    this.ctx = undefined;
    await this.deps.overlay.hide();
  }

  /** After every (re)connection: catch up with a release or acknowledgement made while offline. */
  async onConnect(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const settings = await ctx.request('agent:tell-settings', {}).catch(() => null);
    if (settings?.ok) this.pupilsMayRelease = settings.data.pupilsMayRelease;
    const active = this.active;
    if (!active) return;
    const status = await ctx.request('agent:tell-status', { tellId: active.tellId }).catch(() => null);
    if (!status?.ok) return;
    if (status.data.status === 'released' || status.data.status === 'acknowledged') {
      await this.onUpdate({ tellId: active.tellId, status: status.data.status, by: status.data.by });
    }
  }

  get current(): { tellId: string; status: TellStatus } | null {
    return this.active && { tellId: this.active.tellId, status: this.active.status };
  }

  /** The one thing every trigger calls. Returns the report's id (the same one while covered). */
  async tell(trigger: TellTrigger = 'other'): Promise<string> {
    if (this.active) {
      await this.deps.overlay.show(coverView);
      return this.active.tellId;
    }
    const clickedAt = performance.now();
    const occurredAt = new Date();
    const tellId = randomUUID();
    this.active = { tellId, status: 'covered', by: null, told: false };

    // 1. The evidence: every display and the active window, at this instant.
    const windowProbe = this.deps.activeWindow?.activeWindow().catch(() => null) ?? Promise.resolve(null);
    let grabbed: { encode(): Promise<DisplayCapture[]> } | null = null;
    let captureError: string | null = null;
    try {
      grabbed = await this.deps.grab();
    } catch (error) {
      captureError = (error as Error).message.slice(0, 400) || 'capture failed';
    }
    // 2. Cover every display at once. Nothing above waits for the network. A page that cannot
    // be painted (Chromium failing to start) does not stop the report.
    const covered = this.deps.overlay
      .show(coverView)
      .catch((error: Error) =>
        this.ctx?.logger.warn(
          { err: error.message },
          'tell: the cover page was not painted on every display',
        ),
      );
    this.lastCoverMs = performance.now() - clickedAt;
    // 3. Keep the evidence and send the report through the outbox.
    const report = async () => {
      const ctx = this.ctx;
      if (!ctx) {
        this.waiting.push(() => void report());
        return;
      }
      ctx.setState(stateKey, JSON.stringify(this.active));
      let shots: DisplayCapture[] = [];
      try {
        shots = grabbed ? await grabbed.encode() : [];
      } catch (error) {
        captureError = (error as Error).message.slice(0, 400) || 'encoding failed';
      }
      const evidence = [];
      for (const shot of shots) {
        try {
          evidence.push(ctx.saveEvidence(shot.png, 'image/png'));
        } catch (error) {
          captureError = `a screenshot could not be kept: ${(error as Error).message}`.slice(0, 400);
        }
      }
      const window = toReportWindow(await windowProbe);
      ctx.enqueue(
        {
          type: 'tell.reported',
          tellId,
          user: ctx.user,
          evidence,
          displays: shots.map((s) => ({
            id: s.display.id,
            name: s.display.name.slice(0, 200),
            width: s.display.width,
            height: s.display.height,
          })),
          window,
          captureError,
        },
        occurredAt,
      );
      ctx.logger.info(
        { tellId, trigger, screenshots: evidence.length, coverMs: this.lastCoverMs },
        'a pupil asked for help',
      );
    };
    await Promise.all([covered, report()]);
    return tellId;
  }

  /** What the cover page shows. */
  state() {
    const a = this.active;
    return {
      status: a?.status ?? 'none',
      by: a?.by ?? null,
      told: a?.told ?? false,
      pupilsMayRelease: this.pupilsMayRelease,
      online: this.ctx?.online ?? false,
    };
  }

  /** The pupil's picture choice and words, as a second event (the report has already gone). */
  addDetails(choice: z.output<typeof tellChoiceSchema> | null, words: string | null) {
    const ctx = this.ctx;
    const active = this.active;
    if (!active) throw new UiError(409, 'conflict', 'There is nothing to add to.');
    if (!ctx) throw new UiError(503, 'internal', 'Harbour is starting. Try again in a moment.');
    const text = words?.normalize('NFC').trim().slice(0, maxTellWords) || null;
    ctx.enqueue({ type: 'tell.details', tellId: active.tellId, choice, words: text });
    active.told = true;
    ctx.setState(stateKey, JSON.stringify(active));
    return { ok: true };
  }

  /** An adult's PIN at the computer (checked by the server), or the pupil where allowed. */
  async releaseHere(pin: string | undefined) {
    const ctx = this.ctx;
    const active = this.active;
    if (!active) return { released: true, message: 'Nothing is covered.' };
    if (!ctx?.online) {
      return {
        released: false,
        message:
          'Harbour cannot reach the school server just now. A teacher can release this screen from the dashboard.',
      };
    }
    const result = await ctx
      .request('agent:tell-release', { tellId: active.tellId, ...(pin ? { pin } : {}) })
      .catch(() => null);
    if (!result) return { released: false, message: 'The school server did not answer. Try again.' };
    if (!result.ok) return { released: false, message: result.error.message };
    if (result.data.released) await this.uncover();
    return result.data;
  }

  private async onUpdate(update: TellUpdatePush): Promise<void> {
    const active = this.active;
    if (!active || active.tellId !== update.tellId) return;
    if (update.status === 'released') {
      await this.uncover();
      return;
    }
    active.status = 'acknowledged';
    active.by = update.by;
    this.ctx?.setState(stateKey, JSON.stringify(active));
  }

  private async uncover(): Promise<void> {
    this.active = null;
    this.ctx?.setState(stateKey, null);
    await this.deps.overlay.hide();
  }
}
