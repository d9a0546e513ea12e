import { describe, expect, it } from 'vitest';
import type { OverlayView, ScreenOverlay } from './overlay.js';
import { ScreenArbiter } from './screens.js';

/** An overlay that remembers what it was asked to show (the arbiter is what is under test). */
class Screen implements ScreenOverlay {
  current: OverlayView | null = null;
  readonly history: (string | null)[] = [];
  show(view: OverlayView) {
    this.current = view;
    this.history.push(view.path);
    return Promise.resolve();
  }
  hide() {
    this.current = null;
    this.history.push(null);
    return Promise.resolve();
  }
  readonly prepared: string[] = [];
  prepare(view: OverlayView) {
    this.prepared.push(view.path);
    return Promise.resolve();
  }
}

describe('ScreenArbiter', () => {
  it('says when what is on the screens changed, once the change is applied', async () => {
    const screen = new Screen();
    const arbiter = new ScreenArbiter(screen);
    const seen: (string | null)[] = [];
    const stop = arbiter.onChange(() => seen.push(arbiter.top));
    await arbiter.lane('teacher').show({ path: '/eyes' });
    await arbiter.lane('tell').show({ path: '/cover' });
    await arbiter.lane('tell').hide();
    await arbiter.lane('teacher').hide();
    expect(seen).toEqual(['teacher', 'tell', 'teacher', null]);
    stop();
    await arbiter.lane('message').show({ path: '/message' });
    expect(seen).toHaveLength(4);
  });

  it('shows the most important claim and brings the next back when it is released', async () => {
    const screen = new Screen();
    const arbiter = new ScreenArbiter(screen);
    const teacher = arbiter.lane('teacher');
    const tell = arbiter.lane('tell');
    const aup = arbiter.lane('aup');

    await teacher.show({ path: '/eyes' });
    expect(screen.current?.path).toBe('/eyes');
    await tell.show({ path: '/cover' });
    expect(screen.current?.path).toBe('/cover');
    // The teacher releasing the room must not uncover a pupil's report.
    await teacher.hide();
    expect(screen.current?.path).toBe('/cover');
    await aup.show({ path: '/aup' });
    expect(screen.current?.path).toBe('/cover');
    await tell.hide();
    expect(screen.current?.path).toBe('/aup');
    await aup.hide();
    expect(screen.current).toBeNull();
    expect(arbiter.top).toBeNull();
  });

  it('each lane reports only its own view', async () => {
    const arbiter = new ScreenArbiter(new Screen());
    const message = arbiter.lane('message');
    const teacher = arbiter.lane('teacher');
    await teacher.show({ path: '/eyes' });
    await message.show({ path: '/message' });
    expect(message.current?.path).toBe('/message');
    expect(arbiter.top).toBe('teacher');
  });

  it('passes a lane’s prepare() to the overlay without showing anything, and copes with overlays that cannot prepare', async () => {
    const screen = new Screen();
    await new ScreenArbiter(screen).lane('tell').prepare?.({ path: '/cover' });
    expect(screen.prepared).toEqual(['/cover']);
    expect(screen.history).toEqual([]);
    const plain: ScreenOverlay = {
      show: () => Promise.resolve(),
      hide: () => Promise.resolve(),
      current: null,
    };
    await expect(
      new ScreenArbiter(plain).lane('tell').prepare?.({ path: '/cover' }),
    ).resolves.toBeUndefined();
  });
});
