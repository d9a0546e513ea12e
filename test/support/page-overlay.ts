import type { Browser, Page } from 'playwright-core';
import type { OverlayUrl, OverlayView, ScreenOverlay } from '../../agent/src/core/overlay.js';

/**
 * A ScreenOverlay for headless tests: the same pupil page, served by the agent's real UI
 * server, opened in a real (headless) Chromium page the test can read and click. Only
 * "full screen above everything" is left out; test/e2e/aup-gate.test.ts proves that part
 * on a real X display.
 */
export class PageOverlay implements ScreenOverlay {
  page: Page | null = null;
  private view: OverlayView | null = null;
  shows = 0;

  constructor(
    private readonly browser: Browser,
    private readonly url: OverlayUrl,
  ) {}

  get current(): OverlayView | null {
    return this.view;
  }

  async show(view: OverlayView): Promise<void> {
    if (this.view?.path === view.path && this.page) return;
    await this.hide();
    this.view = view;
    this.shows++;
    const page = await this.browser.newPage();
    this.page = page;
    await page.goto(this.url(view.path));
  }

  async hide(): Promise<void> {
    this.view = null;
    const page = this.page;
    this.page = null;
    await page?.close();
  }

  /** The page shown now; throws if the overlay is hidden. */
  get shown(): Page {
    if (!this.page) throw new Error('the overlay is not shown');
    return this.page;
  }
}
