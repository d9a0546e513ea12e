import { z } from 'zod';
import type { ScreenOverlay } from './overlay.js';
import type { ScreenControls } from './supervision.js';
import type { UiServer } from './ui-server.js';

export interface TeacherScreenState {
  cover: { message: string | null; teacherName: string } | null;
  message: { text: string; teacherName: string } | null;
}

/**
 * The teacher's controls on this computer's screens, through the overlay: "eyes on me"
 * covers every display (its own lane), and a message is shown on top until the pupil
 * presses OK (a lower lane, so it waits behind the AUP or a cover).
 * Registers the pages' data routes on the agent's UI server: call before it starts.
 */
export class OverlayScreenControls implements ScreenControls {
  private state: TeacherScreenState = { cover: null, message: null };

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
  }

  async cover(message: string | null, teacherName: string): Promise<void> {
    this.state = { ...this.state, cover: { message, teacherName } };
    await this.lanes.teacher.show({ path: '/eyes', title: 'Eyes on your teacher', background: '#0b4f6c' });
  }

  async release(): Promise<void> {
    this.state = { ...this.state, cover: null };
    await this.lanes.teacher.hide();
  }

  async message(text: string, teacherName: string): Promise<void> {
    this.state = { ...this.state, message: { text, teacherName } };
    await this.lanes.message.show({
      path: '/message',
      title: `A message from ${teacherName}`,
      background: '#5a636b',
    });
  }
}
