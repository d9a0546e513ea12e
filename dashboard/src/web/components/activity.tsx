import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ActivityInterval, Flag, DeviceActivity } from '@harbour/shared';
import { useFormat } from '../i18n/format';
import { DataTable } from './DataTable';
import { PersonName } from './PersonName';
import { DateTime } from './time';

/** The local day containing `date` (YYYY-MM-DD) as an ISO [from, to) range. */
export function dayRange(date: string): { from: string; to: string } {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const from = new Date(y, m - 1, d);
  const to = new Date(y, m - 1, d + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/**
 * "45 s", "12 min 5 s", "1 h 5 min", in the chosen language. Under an hour the seconds
 * stay: a DSL reading how long a page was open needs 1 min 40 s, not "2 min" (issue 15 item 6).
 */
export function formatDuration(t: TFunction, seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return t('duration.seconds', { n: whole });
  if (whole < 3600) {
    const s = whole % 60;
    const m = Math.floor(whole / 60);
    return s === 0 ? t('duration.minutes', { n: m }) : t('duration.minutesSeconds', { m, s });
  }
  const minutes = Math.round(whole / 60);
  return t('duration.hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/**
 * What is not monitored in an interval or on a computer now, in words; null when all of it is.
 * `part` says whether the whole screen is unknown ('screen': off, idle, locked, Harbour's own
 * screen, a private window) or only the website ('website': the extension is missing).
 */
export function notMonitored(
  t: TFunction,
  a: Pick<DeviceActivity, 'state' | 'reason'>,
): { text: string; part: 'screen' | 'website' } | null {
  if (a.reason) {
    return {
      text: t(`enums.notMonitored.${a.reason}`),
      part: a.reason === 'extension_missing' ? 'website' : 'screen',
    };
  }
  if (a.state !== 'active') return { text: t(`enums.activityState.${a.state}`), part: 'screen' };
  return null;
}

/** A web address shown as text (never a link: staff should not open a flagged page by accident). */
export function Address({
  url,
  domain,
  isPrivate,
}: {
  url: string | null;
  domain: string | null;
  isPrivate: boolean;
}) {
  const { t } = useTranslation();
  if (url) return <span className="address">{url}</span>;
  if (domain)
    return (
      <span className="address">
        {domain}
        {isPrivate && <span className="muted"> {t('activity.privateWindow')}</span>}
      </span>
    );
  return <span className="muted">–</span>;
}

/** Activity intervals as a table: when (to the second), how long, who, where, what. */
export function ActivityTable({
  intervals,
  caption,
  showDevice,
  flags = [],
  now = Date.now(),
}: {
  intervals: ActivityInterval[];
  /** Watch-list flags of the same time: the rows they happened in are marked. */
  flags?: Flag[];
  caption: string;
  showDevice: boolean;
  now?: number;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  // Harbour's own screens (a cover, the rules) are not the pupil's activity (issue 16 item 11).
  intervals = intervals.filter((i) => i.reason !== 'harbour_screen');
  if (intervals.length === 0) return <p className="empty">{t('activity.nothing')}</p>;
  const seconds = (i: ActivityInterval) =>
    ((i.end === null ? now : Date.parse(i.end)) - Date.parse(i.start)) / 1000;
  const flagIn = (i: ActivityInterval) =>
    flags.find((f) => {
      const at = Date.parse(f.occurredAt);
      return (
        f.deviceId === i.deviceId &&
        at >= Date.parse(i.start) &&
        at <= (i.end === null ? now : Date.parse(i.end))
      );
    });
  return (
    <DataTable
      caption={caption}
      rows={intervals}
      rowKey={(i) => String(i.id)}
      rowProps={(i) => ({
        'data-state': i.state,
        'data-flagged': flagIn(i) ? 'true' : 'false',
        ...(flagIn(i) ? { className: 'row-flagged' } : {}),
      })}
      columns={[
        { key: 'from', header: t('activity.columns.from'), cell: (i) => <DateTime iso={i.start} /> },
        {
          key: 'to',
          header: t('activity.columns.to'),
          cell: (i) =>
            i.end === null ? <strong>{t('time.now')}</strong> : <time dateTime={i.end}>{f.time(i.end)}</time>,
        },
        {
          key: 'duration',
          header: t('activity.columns.duration'),
          cell: (i) => formatDuration(t, seconds(i)),
        },
        ...(showDevice
          ? [
              {
                key: 'computer',
                header: t('activity.columns.computer'),
                cell: (i: ActivityInterval) => i.hostname,
              },
            ]
          : []),
        {
          key: 'user',
          header: t('activity.columns.user'),
          cell: (i) =>
            i.user ? (
              <PersonName login={i.user} person={i.person} />
            ) : (
              <span className="muted">{t('activity.nobody')}</span>
            ),
        },
        {
          key: 'app',
          header: t('activity.columns.app'),
          cell: (i) => {
            const why = notMonitored(t, i);
            const flag = flagIn(i);
            return (
              <>
                {flag && (
                  <span className="badge badge-flagged" data-testid="row-flag">
                    {t('activity.flagged', { category: t(`enums.watchCategory.${flag.category}`) })}
                  </span>
                )}{' '}
                {why?.part === 'screen' && i.state !== 'active' ? (
                  <span className="not-monitored">{why.text}</span>
                ) : (
                  i.app
                )}
              </>
            );
          },
        },
        {
          key: 'title',
          header: t('activity.columns.title'),
          cell: (i) => i.title ?? <span className="muted">–</span>,
        },
        {
          key: 'website',
          header: t('activity.columns.website'),
          cell: (i) => {
            const why = notMonitored(t, i);
            return why && i.state === 'active' ? (
              <span className="not-monitored">{why.text}</span>
            ) : (
              <Address url={i.url} domain={i.domain} isPrivate={i.private} />
            );
          },
        },
      ]}
    />
  );
}
