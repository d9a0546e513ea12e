/**
 * Dates, times, durations and numbers in the chosen language's locale (Intl). Some browsers
 * carry no Welsh calendar data (Debian's Chromium formats 'cy-GB' as American English), so
 * where Intl lacks the locale the date is laid out as en-GB (the same order and 24-hour
 * clock Welsh uses) with the month and day names, and "5 minutes ago", from our resources.
 */
import type { TFunction } from 'i18next';
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
  relative: (value: number, unit: 'minute' | 'hour' | 'day') => string;
  /** A month as "March 2025" from "2025-03". */
  month: (yearMonth: string) => string;
  /** A month's name from its number (1-12). */
  monthName: (month: number) => string;
}

const monthKeys = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;
const dayKeys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A date written with Intl's en-GB layout, its month and weekday names replaced by ours. */
function localised(t: TFunction, options: Intl.DateTimeFormatOptions) {
  const format = new Intl.DateTimeFormat('en-GB', options);
  return (date: Date) =>
    format
      .formatToParts(date)
      .map((part) => {
        if (part.type === 'month' && options.month !== 'numeric' && options.month !== '2-digit') {
          const key = monthKeys[date.getMonth()] ?? 'jan';
          const long =
            options.month === 'long' || options.dateStyle === 'full' || options.dateStyle === 'long';
          return long ? t(`dates.month.${key}`) : t(`dates.monthShort.${key}`);
        }
        if (part.type === 'weekday') return t(`dates.weekday.${dayKeys[date.getDay()] ?? 'sun'}`);
        if (part.type === 'literal' && part.value === ' at ') return t('dates.at');
        return part.value;
      })
      .join('');
}

function make(language: Language, t: TFunction): Formatters {
  const locale = locales[language];
  const supported = Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  const dateFormat = (options: Intl.DateTimeFormatOptions) => {
    if (supported) {
      const f = new Intl.DateTimeFormat(locale, options);
      return (d: Date) => f.format(d);
    }
    return localised(t, options);
  };
  const dateTime = dateFormat({ dateStyle: 'medium', timeStyle: 'medium' });
  const full = dateFormat({ dateStyle: 'full', timeStyle: 'medium' });
  const date = dateFormat({ dateStyle: 'medium' });
  const time = dateFormat({ timeStyle: 'medium' });
  const shortTime = dateFormat({ timeStyle: 'short' });
  const month = dateFormat({ month: 'long', year: 'numeric', timeZone: 'UTC' });
  const monthName = dateFormat({ month: 'long', timeZone: 'UTC' });
  const number = new Intl.NumberFormat(supported ? locale : 'en-GB');
  const relativeSupported = Intl.RelativeTimeFormat.supportedLocalesOf([locale]).length > 0;
  const relative = new Intl.RelativeTimeFormat(relativeSupported ? locale : 'en-GB', { numeric: 'auto' });
  return {
    locale,
    dateTime: (iso) => dateTime(new Date(iso)),
    full: (iso) => full(new Date(iso)),
    date: (iso) => date(new Date(iso)),
    time: (iso) => time(new Date(iso)),
    shortTime: (iso) => shortTime(new Date(iso)),
    number: (n) => number.format(n),
    relative: (value, unit) => {
      if (relativeSupported) return relative.format(value, unit);
      const count = Math.abs(value);
      if (unit === 'day' && value === -1) return t('dates.yesterday');
      return value < 0 ? t(`dates.ago.${unit}`, { count }) : t(`dates.in.${unit}`, { count });
    },
    month: (yearMonth) => {
      const [y = 1970, m = 1] = yearMonth.split('-').map(Number);
      return month(new Date(Date.UTC(y, m - 1, 1)));
    },
    monthName: (m) => monthName(new Date(Date.UTC(2000, m - 1, 1))),
  };
}

/** The formatters for the language on screen now; re-renders when it changes. */
export function useFormat(): Formatters {
  const { t, i18n } = useTranslation();
  const language: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  return useMemo(() => make(language, t), [language, t]);
}
