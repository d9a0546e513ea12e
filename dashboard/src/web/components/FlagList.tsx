import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Flag } from '@harbour/shared';
import { api } from '../api';
import { useFormat } from '../i18n/format';
import { Address } from './activity';
import { ErrorAlert } from './ErrorAlert';
import { TextField } from './Field';
import { FormProblems } from './formProblems';
import { PersonName } from './PersonName';
import { DateTime } from './time';

const statusTone: Record<Flag['status'], string> = {
  open: 'badge-warning',
  dismissed: 'badge-quiet',
  escalated: 'badge-danger',
  linked: 'badge-good',
};

/** Tells the navigation's count that a flag changed (it reads the count again). */
export const flagsChangedEvent = 'harbour:flags-changed';

/**
 * The DSL's triage of one flag: dismiss it as a false positive (with a reason), escalate it
 * (its incident is taken up), or link it to an existing incident.
 */
function FlagTriage({ flag, onChange }: { flag: Flag; onChange: (flag: Flag) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'none' | 'dismiss' | 'link'>('none');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  async function act(path: string, body: object, message: string) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await api.post<{ flag: Flag }>(`/api/flags/${flag.id}/${path}`, body);
      onChange(result.flag);
      setMode('none');
      setText('');
      setDone(message);
      window.dispatchEvent(new Event(flagsChangedEvent));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="flag-triage">
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      <ErrorAlert error={error} />
      {flag.status === 'open' && mode === 'none' && (
        <div className="button-row">
          <button type="button" className="button button-small" onClick={() => setMode('dismiss')}>
            {t('flags.triage.dismiss')}
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => void act('escalate', {}, t('flags.triage.escalated'))}
          >
            {t('flags.triage.escalate')}
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('link')}>
            {t('flags.triage.link')}
          </button>
        </div>
      )}
      {mode !== 'none' && (
        <FormProblems error={error}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (mode === 'dismiss') void act('dismiss', { reason: text }, t('flags.triage.dismissed'));
              else void act('link', { incident: text }, t('flags.triage.linked'));
            }}
          >
            <TextField
              label={mode === 'dismiss' ? t('flags.triage.reason') : t('flags.triage.incident')}
              name={mode === 'dismiss' ? 'reason' : 'incident'}
              invalid={
                mode === 'dismiss' ? t('flags.triage.reasonInvalid') : t('flags.triage.incidentInvalid')
              }
              value={text}
              onChange={setText}
              required
            />
            <div className="button-row">
              <button type="submit" className="button button-small" disabled={busy}>
                {mode === 'dismiss' ? t('flags.triage.confirmDismiss') : t('flags.triage.confirmLink')}
              </button>
              <button
                type="button"
                className="button button-quiet button-small"
                onClick={() => {
                  setMode('none');
                  setError(null);
                }}
              >
                {t('common.cancel')}
              </button>
            </div>
          </form>
        </FormProblems>
      )}
    </div>
  );
}

/**
 * Flags with their screenshots. Screenshots open only when staff choose to look. A repeat
 * of the same concern is counted on its flag, not listed again. With `onTriage` (the DSL on
 * the flags page), each open flag can be dismissed, escalated or linked.
 */
export function FlagList({
  flags,
  showRoom,
  onTriage,
}: {
  flags: Flag[];
  showRoom?: (roomId: string) => string;
  onTriage?: ((flag: Flag) => void) | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
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
          <p className="flag-counts">
            <span className={`badge ${statusTone[f.status]}`}>{t(`enums.flagStatus.${f.status}`)}</span>{' '}
            <strong data-testid="flag-occurrences">{t('flags.occurrences', { count: f.occurrences })}</strong>
            {f.occurrences > 1 && <> · {t('flags.lastSeen', { time: format.time(f.lastOccurredAt) })}</>}
          </p>
          {f.triage && (
            <p className="muted">
              {t('flags.triagedBy', {
                status: t(`enums.flagStatus.${f.status}`),
                name: f.triage.byName ?? f.triage.by,
                time: format.dateTime(f.triage.at),
              })}
              {f.triage.reason && <> · {t('flags.triageReason', { reason: f.triage.reason })}</>}
            </p>
          )}
          {f.incidentId && (
            <p>
              <Link to={`/incidents/${f.incidentId}`}>{t('flags.openIncident')}</Link>
            </p>
          )}
          <dl className="device-facts">
            <div>
              <dt>{t('device.user')}</dt>
              <dd>{f.user ? <PersonName login={f.user} person={f.person} /> : t('device.nobody')}</dd>
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
          {onTriage && <FlagTriage flag={f} onChange={onTriage} />}
        </li>
      ))}
    </ul>
  );
}
