/**
 * The pupil screens in English and Welsh (i18next + react-i18next), in the friendly, simple
 * words Welsh-medium and English-medium primary schools use with children. The language is
 * the school's (a setting the server sends the agent), else the computer's own; a pupil can
 * switch on the AUP gate. Conventions: docs/i18n.md.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import cy from './cy.json';
import en from './en.json';

export const languages = ['en', 'cy'] as const;
export type Language = (typeof languages)[number];
export const locales: Record<Language, string> = { en: 'en-GB', cy: 'cy-GB' };
export const languageNames: Record<Language, string> = { en: 'English', cy: 'Cymraeg' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function computerLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** The school's language as the agent knows it; null if it does not (or does not answer quickly). */
async function schoolLanguage(): Promise<Language | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 800));
  const asked = fetch('/api/ui/language', { credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<{ language?: unknown }>) : null))
    .then((body) => (isLanguage(body?.language) ? body.language : null))
    .catch(() => null);
  return Promise.race([asked, timeout]);
}

export function setLanguage(language: Language): void {
  document.documentElement.lang = locales[language];
  if (i18next.language !== language) void i18next.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(i18next.language) ? i18next.language : 'en';
}

export const resources = { en: { translation: en }, cy: { translation: cy } } as const;

/** Starts i18next in the school's language (or the computer's) before the first paint. */
export async function startI18n(): Promise<void> {
  const language = (await schoolLanguage()) ?? computerLanguage();
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = locales[language];
}
