import { z } from 'zod';
import { idSchema } from './common.js';
import { uiLanguageSchema, type UiLanguage } from './language.js';

/**
 * Read-aloud for the pupil screens other than the AUP. The fixed words of a screen are
 * spoken from this list (the same words the page shows: agent/src/browser/i18n, checked by
 * agent/src/core/screen-speech.test.ts), so the server makes each once per language and a
 * device can only ever ask for these texts, never have the server read out a text of its own.
 */
export const spokenScreens = ['cover', 'coverOnTheWay', 'eyes'] as const;
export const spokenScreenSchema = z.enum(spokenScreens);
export type SpokenScreen = z.infer<typeof spokenScreenSchema>;

const coverChoices: Record<UiLanguage, string[]> = {
  en: ['Something scary or rude.', 'Someone being unkind.', 'Someone I don’t know.', 'Something else.'],
  cy: [
    'Rhywbeth brawychus neu anweddus.',
    'Rhywun yn angharedig.',
    'Rhywun dw i ddim yn ei nabod.',
    'Rhywbeth arall.',
  ],
};

const coverStart: Record<UiLanguage, string> = {
  en: 'You did the right thing.',
  cy: 'Rwyt ti wedi gwneud y peth iawn.',
};
const tellUs: Record<UiLanguage, string> = {
  en: 'Do you want to tell us what happened? You don’t have to.',
  cy: 'Wyt ti eisiau dweud wrthon ni beth ddigwyddodd? Does dim rhaid i ti.',
};

/** "Eyes on your teacher": the first words of that screen, spoken before a teacher's own message. */
export const eyesTitle: Record<UiLanguage, string> = {
  en: 'Eyes on your teacher.',
  cy: 'Llygaid ar dy athro.',
};

const lines = (...parts: string[]) => parts.join('\n');

/** Each screen's spoken words, in reading order. */
export const screenSpeech: Record<SpokenScreen, Record<UiLanguage, string>> = {
  cover: {
    en: lines(coverStart.en, 'A grown-up is coming.', tellUs.en, ...coverChoices.en),
    cy: lines(coverStart.cy, 'Mae oedolyn yn dod.', tellUs.cy, ...coverChoices.cy),
  },
  coverOnTheWay: {
    en: lines(coverStart.en, 'Your teacher is on the way.', tellUs.en, ...coverChoices.en),
    cy: lines(coverStart.cy, 'Mae dy athro ar y ffordd.', tellUs.cy, ...coverChoices.cy),
  },
  eyes: {
    en: lines(eyesTitle.en, 'Please look up and listen.'),
    cy: lines(eyesTitle.cy, 'Edrycha i fyny a gwranda, os gweli di’n dda.'),
  },
};

/** Read-aloud audio (made on the server by a speech engine): the WAV itself, or why not yet. */
export const speechAudioSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ready'), mime: z.literal('audio/wav'), base64: z.string() }),
  /** Being made: ask again in a few seconds. */
  z.object({ status: z.literal('pending') }),
  /** No engine on the server, a text too long to read aloud, or the engine failed. */
  z.object({ status: z.literal('unavailable'), reason: z.enum(['no_engine', 'too_long', 'failed']) }),
]);
export type SpeechAudio = z.infer<typeof speechAudioSchema>;

export const speechAgentRequests = {
  /** A pupil screen's fixed words, spoken in the pupil's language. */
  'speech:screen': {
    request: z.strictObject({ screen: spokenScreenSchema, language: uiLanguageSchema }),
    response: speechAudioSchema,
  },
  /**
   * A teacher's message (or eyes-on-me with a message) sent to this device, spoken: made
   * when the teacher sent it; only the devices it was sent to may fetch it.
   */
  'speech:control': { request: z.strictObject({ actionId: idSchema }), response: speechAudioSchema },
} as const;
