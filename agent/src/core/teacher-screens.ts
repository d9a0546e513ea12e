import type { UiLanguage } from '@harbour/shared';
import { z } from 'zod';
import type { AgentContext } from './feature.js';
import type { ScreenOverlay } from './overlay.js';
import { ReadAloud } from './read-aloud.js';
import type { ScreenControls } from './supervision.js';
import type { UiServer } from './ui-server.js';

export interface TeacherScreenState {
  /** `actionId` names the teacher's words read aloud (clip `control:<actionId>`), when there are some. */
  cover: {
    message: string | null;
    teacherName: string;
    actionId: string;
    language?: UiLanguage | null;
  } | null;
  /** `language`: the one the teacher wrote it in (the page marks the text with it); absent: the school's. */
  message: { text: string; teacherName: string; actionId: string; language?: UiLanguage | null } | null;
}

/**
 * The teacher's controls on this computer's screens, through the overlay: "eyes on me"
 * covers every display (its own lane), and a message is shown on top until the pupil
 * presses OK (a lower lane, so it waits behind the AUP or a cover).
 * Registers the pages' data routes on the agent's UI server: call before it starts.
 */
export class OverlayScreenControls implements ScreenControls {
  private state: TeacherScreenState = { cover: null, message: null };
  private readonly readAloud: ReadAloud;

  constructor(
    private readonly lanes: { teacher: ScreenOverlay; message: ScreenOverlay },
    ui: UiServer,
  ) {
    ui.route({ method: 'GET', path: '/api/teacher/state', handler: () => this.state });
    ui.route({
      method: 'POST',
      path: '/api/teacher/message/dismiss',
      body: z.strictObject({}),
      handler: async () => {
        this.state = { ...this.state, message: null };
        await this.lanes.message.hide();
        return { ok: true };
      },
    });
    this.readAloud = ReadAloud.of(ui);
    // Only the teacher's words on screen now: a page cannot fetch an older message's audio.
    this.readAloud.kind('control', (actionId) => {
      const { cover, message } = this.state;
      const showing = (cover?.message && cover.actionId === actionId) || message?.actionId === actionId;
      return showing ? (ctx) => ctx.request('speech:control', { actionId }, 20_000) : null;
    });
  }

  /** The agent's context, for fetching the teacher's words read aloud. */
  attach(ctx: AgentContext): void {
    this.readAloud.attach(ctx);
  }

  async cover(
    message: string | null,
    teacherName: string,
    actionId: string,
    language?: UiLanguage | null,
  ): Promise<void> {
    this.state = { ...this.state, cover: { message, teacherName, actionId, language: language ?? null } };
    await this.lanes.teacher.show({ path: '/eyes', title: 'Eyes on your teacher', background: '#0b4f6c' });
  }

  async release(): Promise<void> {
    this.state = { ...this.state, cover: null };
    await this.lanes.teacher.hide();
  }

  async message(
    text: string,
    teacherName: string,
    actionId: string,
    language?: UiLanguage | null,
  ): Promise<void> {
    this.state = { ...this.state, message: { text, teacherName, actionId, language: language ?? null } };
    await this.lanes.message.show({
      path: '/message',
      title: `A message from ${teacherName}`,
      background: '#5a636b',
    });
  }
}
