import { screenSpeech, uiLanguages } from '@harbour/shared';
import { describe, expect, it } from 'vitest';
import cy from '../browser/i18n/cy.json' with { type: 'json' };
import en from '../browser/i18n/en.json' with { type: 'json' };

const resources = { en, cy };
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

describe('the pupil screens read aloud', () => {
  it.each(uiLanguages)('speak the words the cover and eyes-on-me show (%s)', (language) => {
    const r = resources[language];
    const choices = Object.values(r.cover.choice).map(sentence);
    expect(screenSpeech.cover[language].split('\n')).toEqual([
      r.cover.rightThing,
      r.cover.coming,
      r.cover.tellUs,
      ...choices,
    ]);
    expect(screenSpeech.coverOnTheWay[language].split('\n')).toEqual([
      r.cover.rightThing,
      r.cover.onTheWay,
      r.cover.tellUs,
      ...choices,
    ]);
    expect(screenSpeech.eyes[language].split('\n')).toEqual([sentence(r.eyes.title), r.eyes.listen]);
  });
});
