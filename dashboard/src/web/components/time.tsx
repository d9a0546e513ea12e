import { useEffect, useState } from 'react';

const locale = 'en-GB';
const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' });

/** A timestamp as "12 Mar 2025, 14:05". */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "just now", "5 minutes ago", "yesterday"; older than a week falls back to the date. */
export function formatRelative(iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86400) return relative.format(Math.round(seconds / 86400), 'day');
  return formatDateTime(iso);
}

/** The current time, updated every `intervalMs` so relative times stay true. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** A <time> element showing a relative time, with the exact time on hover. */
export function RelativeTime({ iso, now }: { iso: string; now: number }) {
  return (
    <time dateTime={iso} title={full.format(new Date(iso))}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** A <time> element showing a date and time. */
export function DateTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={full.format(new Date(iso))}>
      {formatDateTime(iso)}
    </time>
  );
}
