import type { AupDocument, UiLanguage } from '@harbour/shared';

/**
 * What the pupil page says below the rules (agent/src/browser/i18n, aup.monitored*): spoken
 * too, so a child who cannot read hears that the computer is monitored.
 */
const monitored: Record<UiLanguage, { large: string; standard: string }> = {
  en: {
    large: 'The school can see what you do on this computer, to keep you safe.',
    standard:
      'This computer is monitored: the school can see how it is used, including the websites visited.',
  },
  cy: {
    large: 'Mae’r ysgol yn gallu gweld beth rwyt ti’n ei wneud ar y cyfrifiadur hwn, i dy gadw di’n ddiogel.',
    standard:
      'Mae’r cyfrifiadur hwn yn cael ei fonitro: mae’r ysgol yn gallu gweld sut mae’n cael ei ddefnyddio, gan gynnwys y gwefannau rwyt ti’n mynd iddyn nhw.',
  },
};

/** Everything the AUP page shows, in reading order, as one text. */
export function aupSpokenText(
  content: AupDocument['content'],
  fallback: UiLanguage,
): { text: string; language: UiLanguage } {
  const language = content.language ?? fallback;
  const line = content.layout === 'large' ? monitored[language].large : monitored[language].standard;
  const parts = [content.title, content.intro, ...content.rules.map((r) => r.text), content.closing, line];
  // A full stop between parts gives the engine a pause; parts that end in one keep theirs.
  const text = parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => (/[.!?:;]$/.test(p) ? p : `${p}.`))
    .join('\n');
  return { text, language };
}
