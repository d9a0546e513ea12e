import {
  maxThumbnailBytes,
  type ControlApply,
  type SupervisionState,
  type UiLanguage,
} from '@harbour/shared';
import type { AgentContext, AgentFeature } from './feature.js';

/** What the teacher's controls do to this computer's screens. */
export interface ScreenControls {
  /** "Eyes on me": cover every display with the teacher's message. `actionId` names it (its read-aloud audio). */
  cover(
    message: string | null,
    teacherName: string,
    actionId: string,
    language?: UiLanguage | null,
  ): Promise<void>;
  release(): Promise<void>;
  /** Show a short message on top of the pupil's screen until they dismiss it. */
  message(text: string, teacherName: string, actionId: string, language?: UiLanguage | null): Promise<void>;
  /** Gets the agent's context when supervision starts (to fetch read-aloud audio). */
  attach?(context: AgentContext): void;
}

export interface SupervisionDeps {
  /** Takes the thumbnail; injected so the feature runs headless without a display. */
  thumbnail?: (maxWidth: number) => Promise<{ jpeg: Buffer; width: number; height: number }>;
  /** Null where this agent has no screens to act on (a headless agent). */
  screens: ScreenControls | null;
}

/**
 * Live supervision on the agent: follows what the server says about this room, sends a
 * thumbnail now and then while (and only while) a teacher supervises it, and carries out
 * the teacher's controls, acknowledging each once it has really happened.
 */
export class SupervisionFeature implements AgentFeature {
  readonly name = 'supervision';
  private context: AgentContext | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: SupervisionState = { supervised: false, thumbnails: null };

  constructor(private readonly deps: SupervisionDeps) {}

  get supervised(): boolean {
    return this.state.supervised;
  }

  start(context: AgentContext): void {
    this.context = context;
    this.deps.screens?.attach?.(context);
    context.onPush('supervision:state', (state) => this.apply(state));
    context.onPush('control:apply', (control) => void this.control(control));
  }

  stop(): void {
    this.stopThumbnails();
  }

  private apply(state: SupervisionState): void {
    this.state = state;
    this.stopThumbnails();
    const thumbnails = state.supervised ? state.thumbnails : null;
    if (thumbnails && this.deps.thumbnail) {
      void this.sendThumbnail(thumbnails.maxWidth);
      this.timer = setInterval(
        () => void this.sendThumbnail(thumbnails.maxWidth),
        thumbnails.intervalSeconds * 1000,
      );
      this.timer.unref();
    }
  }

  private stopThumbnails(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sendThumbnail(maxWidth: number): Promise<void> {
    const context = this.context;
    if (!context?.online || !this.state.thumbnails || !this.deps.thumbnail) return;
    try {
      let shot = await this.deps.thumbnail(maxWidth);
      if (shot.jpeg.length > maxThumbnailBytes) shot = await this.deps.thumbnail(Math.round(maxWidth / 2));
      const result = await context.request('agent:thumbnail', {
        capturedAt: new Date().toISOString(),
        width: shot.width,
        height: shot.height,
        jpegBase64: shot.jpeg.toString('base64'),
      });
      if (!result.ok) context.logger.debug({ error: result.error }, 'thumbnail refused');
    } catch (error) {
      context.logger.warn({ err: error }, 'thumbnail failed');
    }
  }

  private async control(control: ControlApply): Promise<void> {
    const context = this.context;
    if (!context) return;
    const screens = this.deps.screens;
    if (!screens) {
      // Nothing to cover here: leave it unacknowledged so the teacher sees "did not reach".
      context.logger.warn({ kind: control.kind }, 'a teacher control arrived but this agent has no screens');
      return;
    }
    try {
      if (control.kind === 'cover')
        await screens.cover(control.message, control.teacherName, control.actionId, control.language);
      else if (control.kind === 'release') await screens.release();
      else
        await screens.message(control.message ?? '', control.teacherName, control.actionId, control.language);
      const result = await context.request('agent:control-ack', { actionId: control.actionId });
      if (!result.ok) context.logger.warn({ error: result.error }, 'control acknowledgement refused');
    } catch (error) {
      context.logger.error({ err: error, kind: control.kind }, 'could not carry out a teacher control');
    }
  }
}
