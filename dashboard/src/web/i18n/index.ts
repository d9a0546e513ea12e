/**
 * Harbour's dashboard in English and Welsh (i18next + react-i18next). Every word a user
 * reads comes from en.json / cy.json through `t()`; dates, times and numbers are formatted
 * with `Intl` in the chosen locale (see format.ts). The conventions are in docs/i18n.md.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import cy from './cy.json';
import en from './en.json';

export const languages = ['en', 'cy'] as const;
export type Language = (typeof languages)[number];

/** The BCP 47 locale each language formats dates and numbers with. */
export const locales: Record<Language, string> = { en: 'en-GB', cy: 'cy-GB' };
/** Each language's own name, shown in the switch in that language. */
export const languageNames: Record<Language, string> = { en: 'English', cy: 'Cymraeg' };

const storageKey = 'harbour.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function stored(): Language | null {
  try {
    const value = window.localStorage.getItem(storageKey);
    return isLanguage(value) ? value : null;
  } catch {
    return null; // storage blocked: the choice lasts for this page only
  }
}

/** The browser's own preference: Welsh if the user's browser asks for it first, else English. */
function browserLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/**
 * Which language to show: the user's own choice on this browser, else the school's
 * default (a server setting, known once /api/setup has answered), else the browser's.
 */
export function chooseLanguage(schoolDefault: Language | null): Language {
  return stored() ?? schoolDefault ?? browserLanguage();
}

function apply(language: Language): void {
  document.documentElement.lang = locales[language];
  if (i18next.language !== language) void i18next.changeLanguage(language);
}

/** The user picked a language in the switch: show it and remember it on this browser. */
export function chooseAndRemember(language: Language): void {
  try {
    window.localStorage.setItem(storageKey, language);
  } catch {
    // storage blocked: still switch for this page
  }
  apply(language);
}

/** The school's default arrived from the server: use it unless the user chose already. */
export function applySchoolDefault(schoolDefault: Language | null): void {
  apply(chooseLanguage(schoolDefault));
}

export const resources = { en: { translation: en }, cy: { translation: cy } } as const;

export function initI18n(): typeof i18next {
  const language = chooseLanguage(null);
  void i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  document.documentElement.lang = locales[language];
  return i18next;
}

export function currentLanguage(): Language {
  return isLanguage(i18next.language) ? i18next.language : 'en';
}
