/**
 * Read-aloud for the pupil screens' fixed words (the cover, eyes-on-me): each screen's text
 * (shared/src/speech.ts) is made once per language when the server starts and cached on
 * disk, so it is ready before the first child presses the speaker button. A device may ask
 * only for these texts by name. No tables.
 */
import { screenSpeech, spokenScreens, uiLanguages } from '@harbour/shared';
import type { ServerFeature } from '../../core/feature.js';
import { speechAnswer, type SpeechStore } from '../../core/speech.js';

export function speechFeature(deps: { speech: SpeechStore }): ServerFeature {
  const { speech } = deps;
  return {
    name: 'speech',
    start() {
      // In the background: an engine that hangs never delays the server's start.
      for (const screen of spokenScreens)
        for (const language of uiLanguages) void speech.prepare(screenSpeech[screen][language], language);
    },
    agentRequests: {
      'speech:screen': ({ screen, language }) =>
        Promise.resolve(speechAnswer(speech.get(screenSpeech[screen][language], language))),
    },
  };
}
