/** Dates, times, durations and numbers in the chosen language's locale (Intl). */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isLanguage, locales, type Language } from './index';

export interface Formatters {
  locale: string;
  /** "12 Mar 2025, 14:05:09" */
  dateTime: (iso: string) => string;
  /** "Wednesday 12 March 2025 at 14:05:09" */
  full: (iso: string) => string;
  /** "12 Mar 2025" */
  date: (iso: string) => string;
  /** "14:05:09" */
  time: (iso: string) => string;
  /** "14:05" */
  shortTime: (iso: string) => string;
  number: (n: number) => string;
  /** "5 minutes ago", "yesterday" */
  relative: (value: number, unit: Intl.RelativeTimeFormatUnit) => string;
  /** A month as "March 2025" from "2025-03". */
  month: (yearMonth: string) => string;
  /** A month's name from its number (1-12). */
  monthName: (month: number) => string;
  compare: (a: string, b: string) => number;
}

const cache = new Map<Language, Formatters>();

export function formatters(language: Language): Formatters {
  const hit = cache.get(language);
  if (hit) return hit;
  const locale = locales[language];
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
  const shortTime = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const monthName = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
  const number = new Intl.NumberFormat(locale);
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  const made: Formatters = {
    locale,
    dateTime: (iso) => dateTime.format(new Date(iso)),
    full: (iso) => full.format(new Date(iso)),
    date: (iso) => date.format(new Date(iso)),
    time: (iso) => time.format(new Date(iso)),
    shortTime: (iso) => shortTime.format(new Date(iso)),
    number: (n) => number.format(n),
    relative: (value, unit) => relative.format(value, unit),
    month: (yearMonth) => {
      const [y = 1970, m = 1] = yearMonth.split('-').map(Number);
      return month.format(new Date(Date.UTC(y, m - 1, 1)));
    },
    monthName: (m) => monthName.format(new Date(Date.UTC(2000, m - 1, 1))),
    compare: (a, b) => collator.compare(a, b),
  };
  cache.set(language, made);
  return made;
}

/** The formatters for the language on screen now; re-renders when it changes. */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const language: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  return useMemo(() => formatters(language), [language]);
}
