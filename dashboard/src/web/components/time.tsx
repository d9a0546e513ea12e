import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat, type Formatters } from '../i18n/format';

/** "just now", "5 minutes ago", "yesterday"; older than a week falls back to the date and time. */
export function formatRelative(f: Formatters, justNow: string, iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return justNow;
  if (abs < 45 * 60) return f.relative(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return f.relative(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86400) return f.relative(Math.round(seconds / 86400), 'day');
  return f.dateTime(iso);
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
  const f = useFormat();
  const { t } = useTranslation();
  return (
    <time dateTime={iso} title={f.full(iso)}>
      {formatRelative(f, t('time.justNow'), iso, now)}
    </time>
  );
}

/** A <time> element showing a date and a time to the second. */
export function DateTime({ iso }: { iso: string }) {
  const f = useFormat();
  return (
    <time dateTime={iso} title={f.full(iso)}>
      {f.dateTime(iso)}
    </time>
  );
}

/** A <time> element showing a time of day to the second, with the full date on hover. */
export function TimeOfDay({ iso }: { iso: string }) {
  const f = useFormat();
  return (
    <time dateTime={iso} title={f.full(iso)}>
      {f.time(iso)}
    </time>
  );
}

/** A <time> element showing hours and minutes ("14:05"), with the full date on hover. */
export function ShortTime({ iso }: { iso: string }) {
  const f = useFormat();
  return (
    <time dateTime={iso} title={f.full(iso)}>
      {f.shortTime(iso)}
    </time>
  );
}
