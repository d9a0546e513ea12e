import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { IncidentSummary, LogActionList } from '@harbour/shared';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useCategories } from './categories';
import { pupilOf } from './labels';
import { useLoad } from './useLoad';
import { useFormat } from '../i18n/format';

/** The incident log laid out for paper (or the browser's "Save as PDF"). */
export function IncidentLogPrintPage() {
  const { t } = useTranslation();
  usePageTitle(t('printLog.title'));
  const { data, error } = useLoad<{ incidents: IncidentSummary[] }>('/api/incidents?limit=1000');
  const actions = useLoad<LogActionList>('/api/actions');
  const categories = useCategories();
  const f = useFormat();
  const actionsOf = (id: string) => actions.data?.actions.filter((a) => a.incidentId === id) ?? [];
  return (
    <div className="print-log">
      <p className="no-print toolbar">
        <Link to="/incidents">{t('printLog.back')}</Link>
        <button type="button" className="button button-primary" onClick={() => window.print()}>
          {t('common.print')}
        </button>
      </p>
      <h1>{t('printLog.title')}</h1>
      <p>
        {t('printLog.printed')} <DateTime iso={new Date().toISOString()} />. {t('printLog.confidential')}
      </p>
      <ErrorAlert error={error} />
      <ErrorAlert error={actions.error} />
      {data && (
        <div className="table-wrap">
          <table className="print-table data-table">
            <thead>
              <tr>
                <th scope="col">{t('incidents.columns.ref')}</th>
                <th scope="col">{t('printLog.when')}</th>
                <th scope="col">{t('incidents.columns.pupil')}</th>
                <th scope="col">{t('printLog.where')}</th>
                <th scope="col">{t('printLog.details')}</th>
                <th scope="col">{t('incidents.columns.category')}</th>
                <th scope="col">{t('incidents.columns.source')}</th>
                <th scope="col">{t('incidents.columns.state')}</th>
                <th scope="col">{t('printLog.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.incidents.map((i) => (
                <tr key={i.id}>
                  <td data-label={t('incidents.columns.ref')}>{i.ref}</td>
                  <td data-label={t('printLog.when')}>
                    <DateTime iso={i.occurredAt} />
                  </td>
                  <td data-label={t('incidents.columns.pupil')}>{pupilOf(t, i)}</td>
                  <td data-label={t('printLog.where')}>
                    {[
                      i.roomName,
                      i.deviceName,
                      i.deviceSerial && t('incidents.serial', { serial: i.deviceSerial }),
                    ]
                      .filter(Boolean)
                      .join(', ')}
                  </td>
                  <td data-label={t('printLog.details')}>{i.summary}</td>
                  <td data-label={t('incidents.columns.category')}>{categories.label(i.category)}</td>
                  <td data-label={t('incidents.columns.source')}>{t(`enums.incidentSource.${i.source}`)}</td>
                  <td data-label={t('incidents.columns.state')}>
                    {t(`enums.incidentState.${i.state}`)}
                    {i.outcome && ` · ${t(`enums.incidentOutcome.${i.outcome}`)}`}
                  </td>
                  <td data-label={t('printLog.actions')}>
                    {actionsOf(i.id).length === 0 ? (
                      t('common.dash')
                    ) : (
                      <ul className="print-actions">
                        {actionsOf(i.id).map((a, n) => (
                          <li key={n}>
                            {a.what} ({a.who}
                            {a.due && `, ${t('printLog.due', { date: f.date(a.due) })}`})
                            {a.doneAt
                              ? ` · ${t('printLog.done', { date: f.date(a.doneAt) })}${a.outcome ? `: ${a.outcome}` : ''}`
                              : ` · ${t('printLog.open')}`}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
