import { useTranslation } from 'react-i18next';
import type { Flag } from '@harbour/shared';
import { Address } from './activity';
import { DateTime } from './time';

/** Flags with their screenshots. Screenshots open only when staff choose to look. */
export function FlagList({ flags, showRoom }: { flags: Flag[]; showRoom?: (roomId: string) => string }) {
  const { t } = useTranslation();
  if (flags.length === 0) return <p className="empty">{t('flags.none')}</p>;
  return (
    <ul className="flag-list" aria-label={t('flags.listLabel')}>
      {flags.map((f) => (
        <li key={f.id} className={`flag flag-${f.severity}`} data-flag-id={f.id}>
          <p className="flag-heading">
            <span className={`badge badge-severity-${f.severity}`}>{t(`enums.severity.${f.severity}`)}</span>{' '}
            {showRoom
              ? t('flags.headingInRoom', {
                  category: t(`enums.watchCategory.${f.category}`),
                  device: f.hostname,
                  room: showRoom(f.roomId),
                })
              : t('flags.heading', {
                  category: t(`enums.watchCategory.${f.category}`),
                  device: f.hostname,
                })}{' '}
            · <DateTime iso={f.occurredAt} />
          </p>
          <dl className="device-facts">
            <div>
              <dt>{t('device.user')}</dt>
              <dd>{f.user ?? t('device.nobody')}</dd>
            </div>
            <div>
              <dt>{t('flags.matched')}</dt>
              <dd>
                {t('flags.matchedText', {
                  pattern: f.pattern,
                  where: t(`flags.place.${f.where}`),
                  matched: f.matched,
                })}
              </dd>
            </div>
            <div>
              <dt>{t('activity.columns.app')}</dt>
              <dd>{f.app}</dd>
            </div>
            <div>
              <dt>{t('activity.columns.title')}</dt>
              <dd>{f.title ?? '–'}</dd>
            </div>
            <div>
              <dt>{t('activity.columns.website')}</dt>
              <dd>
                <Address url={f.url} domain={f.domain} isPrivate={f.private} />
              </dd>
            </div>
          </dl>
          {f.evidence.length === 0 ? (
            <p className="muted">{t('flags.noScreenshot')}</p>
          ) : (
            <details className="flag-evidence">
              <summary>{t('flags.showScreenshots', { count: f.evidence.length })}</summary>
              {f.evidence.map((e, i) => (
                <img
                  key={e.sha256}
                  src={`/api/flags/${f.id}/evidence/${e.sha256}`}
                  alt={t('flags.screenshotAlt', { n: i + 1, device: f.hostname })}
                  loading="lazy"
                  className="flag-screenshot"
                />
              ))}
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
