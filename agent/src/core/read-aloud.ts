import {
  spokenScreenSchema,
  uiLanguageSchema,
  type Ack,
  type SpeechAudio,
  type SpokenScreen,
  type UiLanguage,
} from '@harbour/shared';
import type { AgentContext } from './feature.js';
import { UiBytes, UiError, type UiServer } from './ui-server.js';

/** What the pupil page's speaker button shows. */
export type ClipState = 'pending' | 'ready' | 'unavailable';

/** How one clip is fetched from the server (which makes it with its speech engine). */
export type ClipFetch = (ctx: AgentContext) => Promise<Ack<SpeechAudio>>;

interface Clip {
  state: ClipState;
  wav?: Buffer;
  /** When an unavailable answer may be asked again (the server may have been offline). */
  retryAt?: number;
}

/** How long to wait between asks while the server is still making the audio. */
const pollMs = 2000;
/** About a minute of "getting ready" at most: a server that makes nothing by then has no engine to speak of. */
const maxAsks = 30;
/** After "unavailable" because of the connection, ask again after this long. */
const retryMs = 30_000;
/** Clips kept in memory (a few screens' worth, each well under a megabyte); the oldest go first. */
const maxClips = 8;

const stores = new WeakMap<UiServer, ReadAloud>();

/**
 * Read-aloud audio for every pupil screen (the AUP, the tell cover, eyes-on-me, teachers'
 * messages): one store and one pair of routes on the agent's UI server, `GET /api/audio/state?clip=`
 * and `GET /api/audio?clip=`, so the pages share one speaker button. A clip is named by a
 * kind and what it is (`screen:cover:cy`, `control:<action id>`, `aup:<document id>`); each
 * feature says which of its clips exist now, so a page can fetch only what is on screen.
 * Audio is only ever made on the server: the first ask starts fetching, the page polls.
 */
export class ReadAloud {
  private ctx: AgentContext | undefined;
  private readonly clips = new Map<string, Clip>();
  private readonly kinds = new Map<string, (rest: string) => ClipFetch | null>();

  /** The store of this UI server (created, with its routes, on first use: before the server starts). */
  static of(ui: UiServer): ReadAloud {
    let store = stores.get(ui);
    if (!store) {
      store = new ReadAloud(ui);
      stores.set(ui, store);
    }
    return store;
  }

  private constructor(ui: UiServer) {
    ui.route({
      method: 'GET',
      path: '/api/audio/state',
      handler: (_body, query) => ({ state: this.state(query.clip ?? '') }),
    });
    ui.route({ method: 'GET', path: '/api/audio', handler: (_body, query) => this.file(query.clip ?? '') });
    // The fixed words of a screen: any screen, in either language (the server knows only these texts).
    this.kind('screen', (rest) => {
      const [screen, language] = rest.split(':');
      const s = spokenScreenSchema.safeParse(screen);
      const l = uiLanguageSchema.safeParse(language);
      if (!s.success || !l.success) return null;
      return (ctx) => ctx.request('speech:screen', { screen: s.data, language: l.data }, 20_000);
    });
  }

  /** Every feature that shows screens calls this when it starts (they share one agent context). */
  attach(ctx: AgentContext): void {
    this.ctx ??= ctx;
  }

  /** Says how clips named `<kind>:<rest>` are fetched; `resolve` returns null for one that is not on screen now. */
  kind(kind: string, resolve: (rest: string) => ClipFetch | null): void {
    this.kinds.set(kind, resolve);
  }

  /** A screen's fixed words, as a clip name. */
  static screen(screen: SpokenScreen, language: UiLanguage): string {
    return `screen:${screen}:${language}`;
  }

  /** The clip's state; the first ask (or one after a failed fetch) starts fetching it. */
  state(id: string): ClipState {
    const fetch = this.resolve(id);
    if (!fetch) return 'unavailable';
    const clip = this.clips.get(id);
    if (clip && (clip.state !== 'unavailable' || !clip.retryAt || clip.retryAt > Date.now()))
      return clip.state;
    this.put(id, { state: 'pending' });
    void this.fetch(id, fetch);
    return 'pending';
  }

  /** The clip's WAV, if it is ready and still on screen. */
  file(id: string): UiBytes {
    const clip = this.clips.get(id);
    if (!this.resolve(id) || clip?.state !== 'ready' || !clip.wav) {
      throw new UiError(404, 'not_found', 'Reading aloud is not available on this computer.');
    }
    return new UiBytes('audio/wav', clip.wav);
  }

  private resolve(id: string): ClipFetch | null {
    const at = id.indexOf(':');
    if (at < 1 || id.length > 200) return null;
    return this.kinds.get(id.slice(0, at))?.(id.slice(at + 1)) ?? null;
  }

  private put(id: string, clip: Clip): void {
    this.clips.delete(id);
    this.clips.set(id, clip);
    while (this.clips.size > maxClips) this.clips.delete(this.clips.keys().next().value as string);
  }

  private async fetch(id: string, fetch: ClipFetch): Promise<void> {
    const ctx = this.ctx;
    const unavailable = (retry: boolean) =>
      this.put(
        id,
        retry ? { state: 'unavailable', retryAt: Date.now() + retryMs } : { state: 'unavailable' },
      );
    if (!ctx) return unavailable(true);
    for (let ask = 0; ask < maxAsks && this.clips.get(id)?.state === 'pending'; ask++) {
      try {
        const result = await fetch(ctx);
        if (!result.ok) throw new Error(result.error.message);
        const answer = result.data;
        if (answer.status === 'ready') {
          this.put(id, { state: 'ready', wav: Buffer.from(answer.base64, 'base64') });
          return;
        }
        if (answer.status === 'unavailable') {
          ctx.logger.info(
            { clip: id, reason: answer.reason },
            'read-aloud: the server cannot read this aloud',
          );
          return unavailable(false);
        }
      } catch (error) {
        ctx.logger.warn({ err: error, clip: id }, 'read-aloud: could not fetch the audio');
        return unavailable(true);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs).unref());
    }
    if (this.clips.get(id)?.state === 'pending') unavailable(true);
  }
}
